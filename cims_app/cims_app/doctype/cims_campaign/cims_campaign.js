// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

const CIMS_CAMPAIGN_API = "cims_app.api.campaign.";
// Planned → Announced → Ongoing → Completed, or Called Off before Completed (enforced on the server too).
const CIMS_CAMPAIGN_NEXT = {
	Planned: [["Announced", __("Publish")], ["Called Off", __("Cancel Campaign")]],
	Announced: [["Ongoing", __("Start Campaign")], ["Called Off", __("Cancel Campaign")]],
	Ongoing: [["Completed", __("Complete Campaign")], ["Called Off", __("Cancel Campaign")]],
};

frappe.ui.form.on("CIMS Campaign", {
	refresh(frm) {
		if (frm.is_new()) return;
		const can_write = frm.perm[0] && frm.perm[0].write;
		if (can_write) {
			cims_campaign.add_status_buttons(frm);
			cims_campaign.add_member_buttons(frm);
		}
		frm.add_custom_button(
			__("Campaign Members"),
			() => frappe.set_route("List", "CIMS Campaign Member", { campaign: frm.doc.name }),
			__("View")
		);
		frm.add_custom_button(
			__("Export Excel"),
			() => window.open(
				`/api/method/${CIMS_CAMPAIGN_API}export_excel?campaign=${encodeURIComponent(frm.doc.name)}`
			),
			__("View")
		);
		frm.add_custom_button(
			__("Campaign Report (PDF)"),
			() => window.open(
				"/api/method/frappe.utils.print_format.download_pdf?" +
					new URLSearchParams({
						doctype: frm.doctype,
						name: frm.doc.name,
						format: "CIMS Campaign Report",
					}).toString()
			),
			__("View")
		);
	},
});

const cims_campaign = {
	add_status_buttons(frm) {
		for (const [status, label] of CIMS_CAMPAIGN_NEXT[frm.doc.status] || []) {
			frm.add_custom_button(label, () => {
				const move = () => {
					frm.set_value("status", status);
					frm.save();
				};
				if (status === "Announced") {
					frappe.confirm(__("Publishing sends the invitations to every member. Continue?"), move);
				} else if (status === "Called Off") {
					frappe.confirm(__("Cancel this campaign? This cannot be undone."), move);
				} else {
					move();
				}
			}, __("Status"));
		}
	},

	add_member_buttons(frm) {
		if (["Completed", "Called Off"].includes(frm.doc.status)) return;
		frm.add_custom_button(__("Add Target Customers"), () => {
			frappe.confirm(
				__("Add every customer matching the target filters? Existing members are kept."),
				() => cims_campaign.call(frm, "add_target_customers", { campaign: frm.doc.name })
			);
		}, __("Campaign Members"));
		frm.add_custom_button(__("Add Customers"), () => cims_campaign.pick_customers(frm), __("Campaign Members"));
		if (frm.doc.invitation_status === "Interrupted") {
			// The invitation job's process died (cims_app.background.liveness): nobody is invited twice on continuing.
			const uninvited = (frm.doc.__onload || {}).uninvited_members || 0;
			frm.set_intro(
				__("Sending the invitations was interrupted at {0}: {1} members are not invited yet.", [
					frappe.datetime.str_to_user(frm.doc.invitations_interrupted_on),
					uninvited,
				]),
				"orange"
			);
			frm.add_custom_button(__("Continue Invitations"), () => {
				cims_campaign.call(frm, "continue_invitations", { campaign: frm.doc.name });
			}).addClass("btn-primary");
		}
		if (["Announced", "Ongoing"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Send Invitations"), () => {
				cims_campaign.call(frm, "send_invitations", { campaign: frm.doc.name });
			}, __("Campaign Members"));
		}
		frm.add_custom_button(__("Refresh Metrics"), () => {
			cims_campaign.call(frm, "refresh_metrics", { campaign: frm.doc.name });
		}, __("Campaign Members"));
	},

	pick_customers(frm) {
		const dialog = new frappe.ui.Dialog({
			// no fade: Bootstrap ignores hide() while a dialog fades in, and a quick click left it open
			animate: false,
			title: __("Add Customers"),
			fields: [
				{
					fieldname: "customers",
					fieldtype: "MultiSelectList",
					label: __("Customers"),
					reqd: 1,
					get_data: (txt) => frappe.db.get_link_options("CIMS Customer", txt),
				},
			],
			primary_action_label: __("Add"),
			primary_action(values) {
				dialog.hide();
				cims_campaign.call(frm, "add_customers", {
					campaign: frm.doc.name,
					customers: values.customers,
				});
			},
		});
		dialog.show();
	},

	call(frm, method, args) {
		frappe.call({
			method: CIMS_CAMPAIGN_API + method,
			args,
			freeze: true,
			callback(r) {
				const result = r.message || {};
				if (result.added !== undefined) {
					frappe.show_alert({
						message: __("{0} members added", [result.added]),
						indicator: "green",
					});
				}
				if (result.queued || (result.invitations && result.invitations.queued)) {
					frappe.show_alert({ message: __("Invitations are being sent in the background"), indicator: "blue" });
				} else if (result.invited !== undefined || (result.invitations && result.invitations.invited)) {
					const invited = result.invited !== undefined ? result.invited : result.invitations.invited;
					frappe.show_alert({ message: __("{0} invitations sent", [invited]), indicator: "green" });
				}
				frm.reload_doc();
			},
		});
	},
};
