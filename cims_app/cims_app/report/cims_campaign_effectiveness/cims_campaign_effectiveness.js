// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

{% include "cims_app/cims_app/report/cims_report.js" %}

frappe.query_reports["CIMS Campaign Effectiveness"] = {
	filters: [
		Object.assign(cims_app.reports.filter.from_date(), { label: __("Starts From") }),
		Object.assign(cims_app.reports.filter.to_date(), { label: __("Starts To") }),
		cims_app.reports.filter.link("campaign", "Campaign", "CIMS Campaign"),
		cims_app.reports.filter.select("campaign_type", "Campaign Type", ["", "Online Event", "Offline Event"]),
		cims_app.reports.filter.select("format", "Format", [
			"",
			"Live Stream",
			"Webinar",
			"Expo",
			"Salon",
			"Promotion",
			"Other",
		]),
		cims_app.reports.filter.select("status", "Status", [
			"",
			"Planned",
			"Announced",
			"Ongoing",
			"Completed",
			"Called Off",
		]),
		cims_app.reports.filter.user("owner_user", "Campaign Owner"),
	],
	formatter: cims_app.reports.formatter,
};
