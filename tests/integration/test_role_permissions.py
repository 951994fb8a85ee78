"""What each CIMS role may create, read, write and export (DocPerm level; row rules come later)."""

import frappe
import pytest

from tests.integration.support import ROLE_USERS, make_customer, server_messages, valid_id_number

pytestmark = pytest.mark.integration

REP, MANAGER, HEAD, SERVICE, MARKETING, ANALYST, ADMIN = (
	"CIMS Sales Rep",
	"CIMS Sales Manager",
	"CIMS Department Head",
	"CIMS Customer Service",
	"CIMS Marketing",
	"CIMS Data Analyst",
	"System Manager",
)

# (doctype, right) -> roles that have it, per SPEC §4.
EXPECTED = {
	("CIMS Customer", "create"): {REP, MANAGER, ADMIN},
	("CIMS Customer", "read"): {REP, MANAGER, HEAD, SERVICE, MARKETING, ANALYST, ADMIN},
	# Customer Service writes only the customers it manages and churned ones (win-back), by row rule.
	("CIMS Customer", "write"): {REP, MANAGER, SERVICE, ADMIN},
	("CIMS Customer", "export"): {MANAGER, HEAD, ADMIN},
	("CIMS Customer", "delete"): set(),
	("CIMS Follow-Up", "create"): {REP, MANAGER, SERVICE, MARKETING, ADMIN},
	("CIMS Follow-Up", "export"): {MANAGER, HEAD, ADMIN},
	("CIMS Opportunity", "create"): {REP, MANAGER, ADMIN},
	("CIMS Opportunity", "write"): {REP, MANAGER, ADMIN},
	("CIMS Opportunity", "export"): {MANAGER, HEAD, ADMIN},
	("CIMS Campaign", "create"): {MARKETING, ADMIN},
	("CIMS Campaign", "write"): {MARKETING, ADMIN},
	("CIMS Campaign", "export"): {MARKETING, HEAD, ADMIN},
	("CIMS Campaign Member", "create"): {MARKETING, ADMIN},
	("CIMS Import Batch", "create"): {MANAGER, ADMIN},
	("CIMS Settings", "write"): {ADMIN},
	("CIMS Approval Request", "create"): {REP, MANAGER, HEAD, SERVICE, MARKETING, ADMIN},
	("Contact", "read"): {REP, MANAGER, HEAD, SERVICE, MARKETING, ANALYST, ADMIN},
	("Contact", "export"): {MANAGER, HEAD, ADMIN},
}


@pytest.mark.parametrize(("doctype", "right"), sorted(EXPECTED))
def test_role_rights_match_spec(role_users, doctype, right):
	for role, (user, _password) in role_users.items():
		frappe.set_user(user)
		allowed = frappe.has_permission(doctype, right)
		assert allowed == (role in EXPECTED[(doctype, right)]), f"{role} {right} {doctype}: {allowed}"


def test_sales_rep_cannot_export_customers_over_rest(api):
	response = api(REP).get(
		"/api/method/frappe.desk.reportview.export_query",
		doctype="CIMS Customer",
		file_format_type="CSV",
		fields='["name"]',
	)
	assert response.status_code == 403, response.text[:300]


def test_rep_cannot_set_account_manager_or_contract_amount_on_new_customer(role_users):
	rep = role_users[REP][0]
	frappe.set_user(rep)
	customer = make_customer(account_manager="Administrator", contract_amount=999999)
	assert customer.account_manager == rep, "a rep's new customer is the rep's own"
	assert not customer.contract_amount, "contract amounts are for managers and admins"


def test_analyst_sees_id_number_only_masked_over_rest(api, role_users):
	id_number = valid_id_number("19770101")
	# The manager manages the customer: row rules limit managers to their own and their teams' customers.
	customer = make_customer(
		customer_type="Individual",
		customer_name="测试个人客户",
		id_number=id_number,
		account_manager=role_users[MANAGER][0],
	)
	frappe.db.commit()
	try:
		data = api(ANALYST).get(f"/api/resource/CIMS%20Customer/{customer.name}").json()["data"]
		assert data.get("id_number") in (None, ""), "the analyst must not receive the full ID number"
		assert data["id_number_masked"] == id_number[:6] + "********" + id_number[-4:]
		manager_view = api(MANAGER).get(f"/api/resource/CIMS%20Customer/{customer.name}")
		assert manager_view.json()["data"]["id_number"] == id_number, server_messages(manager_view)
	finally:
		frappe.db.delete("CIMS Customer", customer.name)
		frappe.db.commit()


def test_every_role_fixture_exists_with_desk_access(site):
	for role in (REP, MANAGER, HEAD, SERVICE, MARKETING, ANALYST):
		assert frappe.db.get_value("Role", role, "desk_access") == 1
	assert set(ROLE_USERS) >= {REP, MANAGER, HEAD, SERVICE, MARKETING, ANALYST}
