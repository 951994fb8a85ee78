// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

frappe.ui.form.on("CIMS Customer", {
	refresh(frm) {
		frappe.dynamic_link = { doc: frm.doc, fieldname: "name", doctype: "CIMS Customer" };
		frm.toggle_display("contacts_section", !frm.is_new());
		if (frm.is_new()) {
			return;
		}
		frappe.contacts.render_address_and_contact(frm);
		frm.set_query("primary_contact", () => ({
			query: "frappe.contacts.doctype.contact.contact.contact_query",
			filters: { link_doctype: "CIMS Customer", link_name: frm.doc.name },
		}));
		frm.add_custom_button(
			__("Follow-Up"),
			() => frappe.new_doc("CIMS Follow-Up", { customer: frm.doc.name }),
			__("Create")
		);
		frm.add_custom_button(
			__("Opportunity"),
			() => frappe.new_doc("CIMS Opportunity", { customer: frm.doc.name }),
			__("Create")
		);
	},
});
