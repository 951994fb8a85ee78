// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

// Campaign status at a glance: running ones in green, cancelled ones in red.
frappe.listview_settings["CIMS Campaign"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colours = {
			Planned: "gray",
			Announced: "blue",
			Ongoing: "green",
			Completed: "darkgrey",
			"Called Off": "red",
		};
		return [__(doc.status), colours[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
