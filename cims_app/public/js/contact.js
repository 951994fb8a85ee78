// Contacts of CIMS customers: show which customers a contact belongs to.
frappe.ui.form.on("Contact", {
	refresh(frm) {
		const customers = (frm.doc.links || []).filter((l) => l.link_doctype === "CIMS Customer");
		if (customers.length && !frm.is_new()) {
			frm.dashboard.set_headline(
				__("Contact of {0}", [customers.map((l) => frappe.utils.get_form_link("CIMS Customer", l.link_name, true, l.link_title)).join(", ")])
			);
		}
	},
});
