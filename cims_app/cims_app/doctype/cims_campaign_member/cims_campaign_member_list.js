// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

// Who came: attended in green, no-shows in red.
frappe.listview_settings["CIMS Campaign Member"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colours = { Invited: "gray", Registered: "blue", Attended: "green", "No-Show": "red" };
		return [__(doc.status), colours[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
