// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

frappe.ui.form.on("CIMS Assignment Rule", {
	// A rule assigns to one user or rotates over one team, never both.
	assign_to(frm) {
		if (frm.doc.assign_to === "User") {
			frm.set_value("sales_team", null);
		} else {
			frm.set_value("assignee", null);
		}
	},
});
