// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

const CIMS_STAGE_COLOURS = {
	"Potential Customer": "gray",
	"Intent Customer": "blue",
	"Active Customer": "green",
	"Paused Customer": "orange",
	"Churned Customer": "red",
};

frappe.listview_settings["CIMS Customer"] = {
	add_fields: ["lifecycle_stage", "churn_risk"],
	get_indicator(doc) {
		return [__(doc.lifecycle_stage), CIMS_STAGE_COLOURS[doc.lifecycle_stage] || "gray", `lifecycle_stage,=,${doc.lifecycle_stage}`];
	},
};
