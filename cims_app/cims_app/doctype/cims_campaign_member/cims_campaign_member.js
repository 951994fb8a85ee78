// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

frappe.ui.form.on("CIMS Campaign Member", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(__("Log Interaction"), () => cims_campaign_member.log_interaction(frm));
		if (frm.doc.check_in_token) {
			frm.add_custom_button(__("Copy Check-In Link"), () => {
				const url = `${window.location.origin}/api/method/cims_app.api.campaign.check_in?token=${encodeURIComponent(frm.doc.check_in_token)}`;
				frappe.utils.copy_to_clipboard(url);
			});
		}
	},
});

const cims_campaign_member = {
	// An interaction at the campaign becomes a CIMS Follow-Up linked to it (content and next action required).
	log_interaction(frm) {
		const dialog = new frappe.ui.Dialog({
			// no fade: Bootstrap ignores hide() while a dialog fades in, and a quick click left it open
			animate: false,
			title: __("Log Interaction"),
			fields: [
				{
					fieldname: "follow_up_type",
					fieldtype: "Select",
					label: __("Follow-Up Type"),
					options: ["Meeting", "Phone Call", "Customer Visit", "E-mail", "WeChat", "SMS"]
						.map((value) => ({ value, label: __(value) })),
					default: "Meeting",
					reqd: 1,
				},
				{ fieldname: "content", fieldtype: "Small Text", label: __("Content"), reqd: 1 },
				{ fieldname: "next_action", fieldtype: "Small Text", label: __("Next Action"), reqd: 1 },
				{ fieldtype: "Column Break" },
				{
					fieldname: "customer_feedback",
					fieldtype: "Select",
					label: __("Customer Feedback"),
					options: ["", "Positive", "Hesitant", "Negative"].map((value) => ({ value, label: __(value) })),
				},
				{
					fieldname: "result",
					fieldtype: "Select",
					label: __("Result"),
					options: ["", "Success", "Needs Follow-Up", "Failed"].map((value) => ({ value, label: __(value) })),
				},
				{
					fieldname: "high_intent",
					fieldtype: "Check",
					label: __("High Intent"),
					default: frm.doc.high_intent,
				},
			],
			primary_action_label: __("Save"),
			primary_action(values) {
				frappe.call({
					method: "cims_app.api.campaign.log_interaction",
					args: { member: frm.doc.name, status: "Completed", ...values },
					freeze: true,
					callback(r) {
						dialog.hide();
						frappe.show_alert({
							message: __("Follow-up {0} recorded", [r.message]),
							indicator: "green",
						});
						frm.reload_doc();
					},
				});
			},
		});
		dialog.show();
	},
};
