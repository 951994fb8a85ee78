// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

{% include "cims_app/cims_app/report/cims_report.js" %}

frappe.query_reports["CIMS Follow-Up Activity"] = {
	filters: [
		cims_app.reports.filter.group_by(
			["Rep", "Follow-Up Type", "Status", "Result", "Customer Feedback", "Week"],
			"Rep"
		),
		cims_app.reports.filter.from_date(2),
		cims_app.reports.filter.to_date(),
		cims_app.reports.filter.sales_team(),
		cims_app.reports.filter.user("assigned_to", "Assigned To"),
		cims_app.reports.filter.select("follow_up_type", "Follow-Up Type", [
			"",
			"Phone Call",
			"Customer Visit",
			"E-mail",
			"Meeting",
			"WeChat",
			"SMS",
			"Service",
			"Complaint",
		]),
		cims_app.reports.filter.select("status", "Status", ["", "Planned", "Completed", "Called Off"]),
		...cims_app.reports.customer_filters("region industry"),
	],
	formatter: cims_app.reports.formatter,
};
