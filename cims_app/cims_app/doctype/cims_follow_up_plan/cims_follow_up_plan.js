// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

frappe.ui.form.on("CIMS Follow-Up Plan", {
	refresh(frm) {
		frm.set_intro(
			__(
				"Customers in this lifecycle stage get the steps of the plan in cycles of Frequency days from the day they entered the stage, each step Offset days into its cycle, one planned follow-up at a time. Leaving the stage cancels the open one."
			),
			"blue"
		);
	},
});
