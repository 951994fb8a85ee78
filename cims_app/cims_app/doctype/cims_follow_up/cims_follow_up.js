// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

frappe.ui.form.on("CIMS Follow-Up", {
	refresh(frm) {
		// Only a planned follow-up moves on; a closed one keeps its status.
		frm.set_df_property("status", "read_only", !frm.is_new() && frm.doc.status !== "Planned");
		if (frm.doc.previous_follow_up) {
			frm.set_intro(
				__("Planned from {0}", [
					`<a href="/app/cims-follow-up/${encodeURIComponent(frm.doc.previous_follow_up)}">${frappe.utils.escape_html(
						frm.doc.previous_follow_up
					)}</a>`,
				]),
				"blue"
			);
		}
	},

	template(frm) {
		if (!frm.doc.template) {
			return;
		}
		frappe.db
			.get_value("CIMS Follow-Up Template", frm.doc.template, ["content", "next_action", "follow_up_type"])
			.then(({ message: template }) => {
				if (!template) {
					return;
				}
				const fill = () => {
					frm.set_value("content", template.content);
					if (template.next_action && !frm.doc.next_action) {
						frm.set_value("next_action", template.next_action);
					}
					if (template.follow_up_type && frm.is_new()) {
						frm.set_value("follow_up_type", template.follow_up_type);
					}
				};
				const current = frappe.utils.html2text(frm.doc.content || "").trim();
				if (current) {
					frappe.confirm(__("Replace the content with the template?"), fill);
				} else {
					fill();
				}
			});
	},

	status(frm) {
		if (frm.doc.status === "Completed" && !frm.doc.completed_on) {
			frm.set_value("completed_on", frappe.datetime.now_datetime());
		}
	},
});
