"""What the Desk's pool page and handover dialogs get from the server: the pool with the rep's claim quota
(the very limit `claim` enforces), who a manager may hand customers to, and what a reassign moved."""

import json

import frappe
import pytest

from tests.integration import test_assignment_and_pool as pool_tests
from tests.integration.support import server_messages

pytestmark = pytest.mark.integration

REP, MANAGER, ANALYST = "CIMS Sales Rep", "CIMS Sales Manager", "CIMS Data Analyst"
# The pool and team fixtures of the assignment tests, shared.
book, pool, claim = pool_tests.book, pool_tests.pool, pool_tests.claim
POOL_PAGE = "/api/method/cims_app.api.customers.get_public_pool"
HANDOVER_USERS = "/api/method/cims_app.api.customers.get_handover_users"


def pool_page(client, **params) -> dict:
	response = client.get(POOL_PAGE, **params)
	assert response.ok, server_messages(response)
	return response.json()["message"]


def set_claim_limit(limit: int) -> None:
	frappe.db.set_single_value("CIMS Settings", "public_pool_claim_limit", limit)
	frappe.db.commit()


def test_pool_page_shows_the_reps_remaining_quota_and_claiming_uses_it_up(api, role_users, pool):
	set_claim_limit(2)
	token = frappe.generate_hash(length=6)
	first = pool.pool_customer(customer_name=f"公海甲{token}有限公司")
	second = pool.pool_customer(customer_name=f"公海乙{token}有限公司")
	third = pool.pool_customer(customer_name=f"公海丙{token}有限公司")
	rep = api(REP)

	page = pool_page(rep, txt=token)
	assert {row["name"] for row in page["customers"]} == {first, second, third}
	assert page["total"] == 3
	assert page["quota"] == {"held": 0, "limit": 2, "remaining": 2}

	assert claim(rep, first).ok
	page = pool_page(rep, txt=token)
	assert first not in {row["name"] for row in page["customers"]}, "a claimed customer leaves the pool"
	assert page["quota"] == {"held": 1, "limit": 2, "remaining": 1}

	assert claim(rep, second).ok
	assert pool_page(rep, txt=token)["quota"]["remaining"] == 0
	refused = claim(rep, third)
	assert refused.status_code == 417, "remaining 0 is where claim refuses"
	assert "limit" in server_messages(refused)


def test_pool_page_searches_pages_and_keeps_others_customers_out(api, role_users, pool):
	token = frappe.generate_hash(length=6)
	in_pool = [pool.pool_customer(customer_name=f"检索{token}{i}号有限公司") for i in range(3)]
	owned = pool.owned(role_users[REP][0], customer_name=f"检索{token}自有有限公司")
	rep = api(REP)
	first = pool_page(rep, txt=token, page_length=2)
	assert len(first["customers"]) == 2 and first["has_more"] and first["total"] == 3
	rest = pool_page(rep, txt=token, page_length=2, start=2)
	assert not rest["has_more"]
	assert {row["name"] for row in first["customers"] + rest["customers"]} == set(in_pool)
	assert owned not in {row["name"] for row in first["customers"] + rest["customers"]}
	assert pool_page(rep, txt=f"检索{token}1号")["total"] == 1


def test_pool_page_has_no_quota_for_roles_that_do_not_claim(api, pool):
	token = frappe.generate_hash(length=6)
	customer = pool.pool_customer(customer_name=f"分析{token}有限公司")
	page = pool_page(api(ANALYST), txt=token)
	assert [row["name"] for row in page["customers"]] == [customer]
	assert page["quota"] is None


def test_reassign_says_which_customers_moved_and_from_whom(api, book):
	frappe.db.set_value("CIMS Customer", book.customers[1], "account_manager", book.receiving)
	frappe.db.commit()
	response = api(MANAGER).post(
		"/api/method/cims_app.api.customers.reassign",
		{"customers": json.dumps(book.customers), "to_user": book.receiving},
	)
	assert response.ok, server_messages(response)
	result = response.json()["message"]
	assert result["reassigned"] == 2, "the one already theirs does not move"
	moved = {row["name"]: row for row in result["customers"]}
	assert set(moved) == {book.customers[0], book.customers[2]}
	assert {row["from_user"] for row in moved.values()} == {book.leaving}
	names = dict(
		frappe.get_all("CIMS Customer", {"name": ("in", list(moved))}, ["name", "customer_name"], as_list=1)
	)
	assert {name: row["customer_name"] for name, row in moved.items()} == names
	assert result["to_user"] == book.receiving


def test_handover_dialogs_offer_the_managers_team_only(api, role_users, book):
	manager = role_users[MANAGER][0]
	frappe.db.set_value("User", book.leaving, "enabled", 0)  # a rep who left: still a book to hand over
	frappe.db.commit()
	try:
		response = api(MANAGER).get(HANDOVER_USERS)
		assert response.ok, server_messages(response)
		users = response.json()["message"]
		to = {row["value"] for row in users["to"]}
		handed_from = {row["value"] for row in users["from"]}
		assert to == {book.receiving, manager}, "enabled sellers of the team, and the manager"
		assert {book.leaving, book.receiving} <= handed_from and book.outsider not in handed_from
		assert api(REP).get(HANDOVER_USERS).status_code == 403
	finally:
		frappe.db.set_value("User", book.leaving, "enabled", 1)
		frappe.db.commit()
