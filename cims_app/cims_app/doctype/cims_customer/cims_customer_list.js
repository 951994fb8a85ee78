// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

// Lifecycle stage is the status indicator; value tier and churn risk show as coloured pills in their columns.
const CIMS_STAGE_COLOURS = {
	"Potential Customer": "gray",
	"Intent Customer": "blue",
	"Active Customer": "green",
	"Paused Customer": "orange",
	"Churned Customer": "red",
};
const CIMS_TIER_COLOURS = {
	"High Value Customer": "purple",
	"High Potential Customer": "cyan",
	"Regular Customer": "gray",
};
const CIMS_CHURN_RISK_COLOURS = {
	High: "red",
	Medium: "orange",
	Low: "yellow",
	None: "green",
};

function cims_pill(value, colours) {
	if (!value) {
		return "";
	}
	const colour = colours[value] || "gray";
	return `<span class="indicator-pill ${colour} filterable ellipsis">${frappe.utils.escape_html(__(value))}</span>`;
}

// The stage is the indicator column, so it is not a list column of its own; the ID column gives way to
// tier and churn risk (at 1366 px the Desk shows four columns).
frappe.listview_settings["CIMS Customer"] = {
	add_fields: ["lifecycle_stage", "value_tier", "churn_risk", "customer_type"],
	hide_name_column: true,
	get_indicator(doc) {
		return [
			__(doc.lifecycle_stage),
			CIMS_STAGE_COLOURS[doc.lifecycle_stage] || "gray",
			`lifecycle_stage,=,${doc.lifecycle_stage}`,
		];
	},
	formatters: {
		value_tier: (value) => cims_pill(value, CIMS_TIER_COLOURS),
		churn_risk: (value) => cims_pill(value, CIMS_CHURN_RISK_COLOURS),
	},
};
