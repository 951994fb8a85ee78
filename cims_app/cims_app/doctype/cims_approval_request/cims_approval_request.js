// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

// Approve and Reject are the workflow's actions (the Actions menu); Restore undoes an approved deletion.
const CIMS_DELETABLE = ["CIMS Customer", "CIMS Follow-Up", "CIMS Opportunity", "CIMS Campaign"];
const CIMS_RESTORER_ROLES = ["System Manager", "CIMS Sales Manager", "CIMS Department Head"];

frappe.ui.form.on("CIMS Approval Request", {
	setup(frm) {
		frm.set_query("reference_doctype", () => ({
			filters: {
				name: [
					"in",
					frm.doc.request_type === "Value Tier Change" ? ["CIMS Customer"] : CIMS_DELETABLE,
				],
			},
		}));
	},

	refresh(frm) {
		if (frm.doc.snapshot) {
			frm.set_intro(cims_snapshot_summary(frm.doc), frm.doc.restored_on ? "green" : "blue");
		}
		if (cims_can_restore(frm)) {
			frm.add_custom_button(__("Restore"), () => cims_restore(frm));
		}
	},

	request_type(frm) {
		if (frm.doc.request_type === "Value Tier Change") {
			frm.set_value("reference_doctype", "CIMS Customer");
		}
	},
});

function cims_can_restore(frm) {
	return (
		!frm.is_new() &&
		frm.doc.request_type === "Delete" &&
		frm.doc.status === "Approved" &&
		frm.doc.snapshot &&
		!frm.doc.restored_on &&
		frappe.user.has_role(CIMS_RESTORER_ROLES)
	);
}

function cims_snapshot_summary(doc) {
	let tables = {};
	try {
		tables = JSON.parse(doc.snapshot).tables || {};
	} catch (e) {
		return "";
	}
	const parts = Object.keys(tables).map((doctype) => `${__(doctype)}: ${tables[doctype].length}`);
	const heading = doc.restored_on
		? __("Restored on {0}", [frappe.datetime.str_to_user(doc.restored_on)])
		: __("Deleted records kept in this request");
	return `${heading} (${parts.join(", ")})`;
}

function cims_restore(frm) {
	frappe.confirm(__("Bring back every record this deletion removed, with the same names?"), () =>
		frappe.call({
			method: "cims_app.records.approvals.restore",
			args: { request: frm.doc.name },
			freeze: true,
			freeze_message: __("Restoring..."),
			callback: () => {
				frappe.show_alert({ message: __("Restored"), indicator: "green" });
				frm.reload_doc();
			},
		})
	);
}
