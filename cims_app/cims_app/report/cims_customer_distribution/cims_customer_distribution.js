// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

{% include "cims_app/cims_app/report/cims_report.js" %}

frappe.query_reports["CIMS Customer Distribution"] = {
	filters: [
		cims_app.reports.filter.group_by(
			[
				"Industry",
				"Region",
				"Customer Size",
				"Value Tier",
				"Lifecycle Stage",
				"Customer Source",
				"Customer Type",
				"Customer Category",
				"Intent Level",
				"Created Month",
			],
			"Industry"
		),
		{ fieldname: "from_date", label: __("Created From"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("Created To"), fieldtype: "Date" },
		...cims_app.reports.customer_filters(
			"sales_team account_manager region industry customer_source customer_type lifecycle_stage"
		),
	],
	formatter: cims_app.reports.formatter,
};
