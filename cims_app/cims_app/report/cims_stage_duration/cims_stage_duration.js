// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

{% include "cims_app/cims_app/report/cims_report.js" %}

frappe.query_reports["CIMS Stage Duration"] = {
	filters: [
		cims_app.reports.filter.select("stage_type", "Stage Type", ["Lifecycle Stage", "Sales Stage"], "Lifecycle Stage"),
		cims_app.reports.filter.group_by(["Stage", "Stage and Mover"], "Stage"),
		Object.assign(cims_app.reports.filter.from_date(), { label: __("Moved From") }),
		Object.assign(cims_app.reports.filter.to_date(), { label: __("Moved To") }),
		cims_app.reports.filter.user("changed_by", "Moved By"),
		...cims_app.reports.customer_filters("sales_team account_manager region industry"),
	],
	formatter: cims_app.reports.formatter,
};
