// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

{% include "cims_app/cims_app/report/cims_report.js" %}

frappe.query_reports["CIMS Churn Risk"] = {
	filters: [
		cims_app.reports.filter.select(
			"risk_level",
			"Risk Level",
			["High", "Medium and High", "All at Risk"],
			"Medium and High"
		),
		...cims_app.reports.customer_filters("sales_team account_manager region industry value_tier lifecycle_stage"),
		{ fieldname: "include_churned", label: __("Include Churned Customers"), fieldtype: "Check" },
		cims_app.reports.filter.limit(),
	],
	formatter: cims_app.reports.formatter,
};
