// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

// Import progress: running in orange, interrupted (its process died; resume it) in red, done in green,
// partly done in yellow, failed in red.
frappe.listview_settings["CIMS Import Batch"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colours = { Draft: "gray", Previewed: "blue", Queued: "orange", Running: "orange", Interrupted: "red", Completed: "green", "Partially Completed": "yellow", Failed: "red" };
		return [__(doc.status), colours[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
