""" "Confirm information up to date" on the customer form (cims_app.api.customer_profile)."""

import frappe
import frappe.utils.password  # support.py's users need it imported
import pytest
from frappe.utils import getdate, nowdate

from cims_app.api.customer_profile import confirm_up_to_date
from tests.integration.support import hard_delete, make_customer, server_messages, valid_mobile

pytestmark = pytest.mark.integration


def customer_with_primary_contact(**values):
	customer = make_customer(**values)
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": "赵六",
			"phone_nos": [{"phone": valid_mobile(), "is_primary_mobile_no": 1}],
			"links": [{"link_doctype": "CIMS Customer", "link_name": customer.name}],
		}
	).insert()
	customer.reload()
	customer.primary_contact = contact.name
	customer.save()
	return customer, contact


def test_confirm_sets_last_maintained_today_and_verifies_the_primary_contact(role_users):
	rep = role_users["CIMS Sales Rep"][0]
	customer, contact = customer_with_primary_contact(account_manager=rep)
	frappe.set_user(rep)

	result = confirm_up_to_date(customer.name)

	assert getdate(frappe.db.get_value("CIMS Customer", customer.name, "last_maintained_on")) == getdate(
		nowdate()
	)
	verified_on, verified_by = frappe.db.get_value(
		"Contact", contact.name, ["cims_verified_on", "cims_verified_by"]
	)
	assert verified_by == rep and getdate(verified_on) == getdate(nowdate())
	assert result["primary_contact"] == contact.name and customer.customer_name in result["message"]


def test_confirm_without_primary_contact_updates_the_customer_only(role_users):
	customer = make_customer(account_manager=role_users["CIMS Sales Rep"][0])
	result = confirm_up_to_date(customer.name)
	assert result["primary_contact"] is None
	assert getdate(frappe.db.get_value("CIMS Customer", customer.name, "last_maintained_on")) == getdate(
		nowdate()
	)


def test_confirm_is_refused_to_a_read_only_role(role_users):
	customer = make_customer()
	frappe.set_user(role_users["CIMS Data Analyst"][0])
	with pytest.raises(frappe.PermissionError):
		confirm_up_to_date(customer.name)
	frappe.set_user("Administrator")
	assert frappe.db.get_value("CIMS Customer", customer.name, "last_maintained_on") is None


def test_confirm_over_http_needs_post_and_write_access(api, role_users):
	"""The Desk button's endpoint: POST only, and a user who cannot write the customer is refused."""
	customer = make_customer()
	frappe.db.commit()
	try:
		path = "/api/method/cims_app.api.customer_profile.confirm_up_to_date"
		assert api("System Manager").get(path, customer=customer.name).status_code in (403, 405)
		refused = api("CIMS Data Analyst").post(path, {"customer": customer.name})
		assert refused.status_code == 403, server_messages(refused)
		done = api("System Manager").post(path, {"customer": customer.name})
		assert done.status_code == 200, server_messages(done)
		assert done.json()["message"]["last_maintained_on"] == nowdate()
	finally:
		frappe.db.rollback()
		frappe.db.delete("Version", {"ref_doctype": "CIMS Customer", "docname": customer.name})
		frappe.db.delete("CIMS Stage Change", {"reference_name": customer.name})
		hard_delete("CIMS Customer", customer.name)
		frappe.db.commit()
