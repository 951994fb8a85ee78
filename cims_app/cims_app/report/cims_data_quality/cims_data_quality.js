// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

{% include "cims_app/cims_app/report/cims_report.js" %}

frappe.query_reports["CIMS Data Quality"] = {
	filters: [
		cims_app.reports.filter.select(
			"issue",
			"Issue",
			["All Issues", "Missing Information", "Overdue Upkeep", "Retention Review"],
			"All Issues"
		),
		...cims_app.reports.customer_filters("sales_team account_manager region industry customer_type lifecycle_stage"),
		cims_app.reports.filter.limit(),
	],
	formatter: cims_app.reports.formatter,
};
