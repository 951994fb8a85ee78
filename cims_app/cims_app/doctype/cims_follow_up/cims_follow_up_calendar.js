// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

// Calendar of follow-ups (planned ones unless a status filter says otherwise): one entry per follow-up
// at its scheduled time, titled by type and customer, coloured by status with overdue ones in red.
frappe.views.calendar["CIMS Follow-Up"] = {
	field_map: {
		start: "scheduled_on",
		end: "ends_on",
		id: "name",
		title: "title",
		color: "color",
		allDay: "allDay",
	},
	get_events_method: "cims_app.api.follow_ups.get_events",
	get_args(start, end) {
		const args = frappe.views.Calendar.prototype.get_args.call(this, start, end);
		const filters = args.filters || [];
		if (!filters.some((f) => f[1] === "status")) {
			filters.push(["CIMS Follow-Up", "status", "=", "Planned"]);
		}
		args.filters = filters;
		return { start: args.start, end: args.end, filters: args.filters };
	},
};
