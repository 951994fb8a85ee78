// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

// Opportunities in progress in blue, won in green, lost in red.
frappe.listview_settings["CIMS Opportunity"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colours = { "In Progress": "blue", Won: "green", Lost: "red" };
		return [__(doc.status), colours[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
