// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

// Planned follow-ups that are due show as overdue; the rest by status.
frappe.listview_settings["CIMS Follow-Up"] = {
	add_fields: ["status", "scheduled_on", "follow_up_type"],
	get_indicator(doc) {
		if (doc.status === "Planned" && doc.scheduled_on && doc.scheduled_on < frappe.datetime.now_datetime()) {
			return [__("Overdue"), "red", "status,=,Planned"];
		}
		const colours = { Planned: "blue", Completed: "green", "Called Off": "gray" };
		return [__(doc.status), colours[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
