// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

{% include "cims_app/cims_app/report/cims_report.js" %}

frappe.query_reports["CIMS Pipeline Forecast"] = {
	filters: [
		cims_app.reports.filter.group_by(["Month", "Sales Stage", "Opportunity Owner"], "Month"),
		Object.assign(cims_app.reports.filter.from_date(0), { label: __("Expected Close From") }),
		Object.assign(cims_app.reports.filter.to_date(5), { label: __("Expected Close To") }),
		cims_app.reports.filter.sales_team(),
		cims_app.reports.filter.user("owner_user", "Opportunity Owner"),
		cims_app.reports.filter.link("sales_stage", "Sales Stage", "CIMS Sales Stage"),
		...cims_app.reports.customer_filters("region industry customer_source"),
	],
	formatter: cims_app.reports.formatter,
};
