// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

{% include "cims_app/cims_app/report/cims_report.js" %}

frappe.query_reports["CIMS Sales Funnel"] = {
	filters: [
		Object.assign(cims_app.reports.filter.from_date(), { label: __("Created From") }),
		Object.assign(cims_app.reports.filter.to_date(), { label: __("Created To") }),
		cims_app.reports.filter.sales_team(),
		cims_app.reports.filter.user("owner_user", "Opportunity Owner"),
		...cims_app.reports.customer_filters("region industry customer_source"),
		cims_app.reports.filter.link("campaign", "Campaign", "CIMS Campaign"),
	],
	formatter: cims_app.reports.formatter,
};
