"""Customer profile upkeep from the customer form: "Confirm information up to date"."""

import frappe
from frappe import _
from frappe.utils import now_datetime, nowdate

CUSTOMER = "CIMS Customer"


@frappe.whitelist(methods=["POST"])
def confirm_up_to_date(customer: str) -> dict:
	"""Record that the user checked the customer's data today (and its primary contact's details).

	Sets `last_maintained_on` to today on the customer and `cims_verified_on` / `cims_verified_by` on
	its primary contact, through the documents' own save so rules, hooks and Version history apply.
	Needs write permission on the customer and on the primary contact.
	"""
	frappe.has_permission(CUSTOMER, "write", customer, throw=True)
	contact_name = frappe.db.get_value(CUSTOMER, customer, "primary_contact")
	if contact_name:
		frappe.has_permission("Contact", "write", contact_name, throw=True)
		contact = frappe.get_doc("Contact", contact_name)
		contact.cims_verified_on = now_datetime()
		contact.cims_verified_by = frappe.session.user
		contact.save()

	doc = frappe.get_doc(CUSTOMER, customer)
	doc.last_maintained_on = nowdate()
	doc.save()
	message = (
		_("Information of {0} confirmed up to date, with its primary contact {1}").format(
			doc.customer_name, contact_name
		)
		if contact_name
		else _("Information of {0} confirmed up to date").format(doc.customer_name)
	)
	return {
		"customer": doc.name,
		"last_maintained_on": str(doc.last_maintained_on),
		"maintenance_due_on": str(doc.maintenance_due_on or ""),
		"primary_contact": contact_name,
		"message": message,
	}
