"""The framework's Contact, as cims_app uses it: rules for contacts of CIMS customers, mirrored onto them."""

import frappe
from frappe import _

from cims_app.access.permissions import flag_contact_without_customer, masked_contact_values
from cims_app.db.bulk_update import record_reference, write_changes
from cims_app.domain.contact_rules import normalise_email, normalise_mobile, normalise_phone
from cims_app.records.validation import normalise_fields, run_rule

CUSTOMER_DOCTYPE = "CIMS Customer"


def linked_customers(doc) -> list[str]:
	return [link.link_name for link in doc.get("links") or [] if link.link_doctype == CUSTOMER_DOCTYPE]


def validate(doc, method=None) -> None:
	"""Mobile and email rules apply to contacts linked to a CIMS Customer only."""
	flag_contact_without_customer(doc)  # the row rules of cims_app.access.permissions read it
	if not linked_customers(doc):
		return
	for row in doc.get("phone_nos") or []:
		rule = normalise_mobile if row.is_primary_mobile_no else normalise_phone
		row.phone = run_rule(
			rule, row.phone, field="mobile_no" if row.is_primary_mobile_no else "phone", doc=doc
		)
	for row in doc.get("email_ids") or []:
		row.email_id = run_rule(normalise_email, row.email_id, field="email_id", doc=doc)
	normalise_fields(
		doc, {"mobile_no": normalise_mobile, "phone": normalise_phone, "email_id": normalise_email}
	)


def on_update(doc, method=None) -> None:
	"""Customers whose primary contact this is show its current mobile and email; each customer whose
	mirror changes gets a Version row saying it came through the contact."""
	# With the masked mirrors users without the personal-data permlevel read (cims_app.access.permissions).
	values = {
		"mobile_no": doc.mobile_no,
		"email_id": doc.email_id,
		**masked_contact_values(doc.mobile_no, doc.email_id),
	}
	customer = frappe.qb.DocType(CUSTOMER_DOCTYPE)
	rows = (
		frappe.qb.from_(customer)
		.select(customer.name, *(customer[field] for field in values))
		.where(customer.primary_contact == doc.name)
	).run()
	write_changes(
		CUSTOMER_DOCTYPE,
		list(values),
		{name: tuple(stored) for name, *stored in rows},
		{name: tuple(values.values()) for name, *_stored in rows},
		record_reference("Contact", doc.name, _("via contact {0}").format(doc.full_name or doc.name)),
	)
