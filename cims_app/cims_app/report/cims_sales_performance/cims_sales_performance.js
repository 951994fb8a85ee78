// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

{% include "cims_app/cims_app/report/cims_report.js" %}

frappe.query_reports["CIMS Sales Performance"] = {
	filters: [
		cims_app.reports.filter.group_by(["Rep", "Sales Team", "Region", "Month"], "Rep"),
		// the current quarter
		Object.assign(cims_app.reports.filter.from_date(), {
			default: frappe.datetime.add_months(frappe.datetime.month_start(), -(moment().month() % 3)),
		}),
		cims_app.reports.filter.to_date(),
		cims_app.reports.filter.sales_team(),
		cims_app.reports.filter.user("user", "Sales Rep"),
		...cims_app.reports.customer_filters("region industry"),
	],
	formatter: cims_app.reports.formatter,
};
