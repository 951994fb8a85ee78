// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

{% include "cims_app/cims_app/report/cims_report.js" %}

frappe.query_reports["CIMS Acquisition by Source"] = {
	filters: [
		Object.assign(cims_app.reports.filter.from_date(), { label: __("Created From") }),
		Object.assign(cims_app.reports.filter.to_date(), { label: __("Created To") }),
		...cims_app.reports.customer_filters("sales_team account_manager region industry customer_source customer_type"),
	],
	formatter: cims_app.reports.formatter,
};
