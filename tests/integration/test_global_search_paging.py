"""Global search applies the row rules before it cuts a page: a rep finds their own customers even when many
customers they may not read match the same words better (issue: 45 of another rep's, 2 of their own)."""

from types import SimpleNamespace

import frappe
import pytest
from frappe.utils.global_search import sync_global_search, update_global_search

from cims_app.access.permissions import global_search
from tests.integration.conftest import SITE
from tests.integration.support import (
	PASSWORD,
	ApiClient,
	make_customer,
	make_login_user,
	remove_customers_and_their_records,
	remove_users,
	server_messages,
	unique_suffix,
)

pytestmark = pytest.mark.integration

REP = "CIMS Sales Rep"
SEARCH = "/api/method/frappe.utils.global_search.search"


@pytest.fixture(scope="module")
def busy_site(role_users):
	"""Rep A manages 2 customers, rep B 45 that match the search words better (committed)."""
	frappe.set_user("Administrator")
	token = f"gs{unique_suffix()}"
	rep_a, rep_b = make_login_user(REP, "cims-gs-a"), make_login_user(REP, "cims-gs-b")
	theirs = [
		# The words twice (name and short name): these rank above rep A's.
		make_customer(
			customer_name=f"Search {token} 乙{i}科技有限公司",
			short_name=f"{token} 乙{i}",
			account_manager=rep_b,
		).name
		for i in range(45)
	]
	own = [
		make_customer(customer_name=f"Search {token} 甲{i}科技有限公司", account_manager=rep_a).name
		for i in range(2)
	]
	for name in theirs + own:
		update_global_search(frappe.get_doc("CIMS Customer", name))
	frappe.db.commit()
	sync_global_search()
	frappe.db.commit()
	yield SimpleNamespace(token=token, rep_a=rep_a, rep_b=rep_b, own=own, theirs=theirs)
	frappe.set_user("Administrator")
	frappe.db.rollback()
	remove_customers_and_their_records(theirs + own)
	remove_users([rep_a, rep_b])
	frappe.db.commit()


def customers_found(rows) -> list[str]:
	return [row["name"] for row in rows if row["doctype"] == "CIMS Customer"]


def test_rep_finds_their_own_customers_among_many_better_matches_of_another_rep(busy_site):
	frappe.set_user(busy_site.rep_a)
	found = customers_found(global_search(busy_site.token))
	assert sorted(found) == sorted(busy_site.own)


def test_rep_finds_their_own_customers_through_the_desk_search_endpoint(busy_site, base_url):
	client = ApiClient(base_url, SITE).login(busy_site.rep_a, PASSWORD)
	response = client.get(SEARCH, text=busy_site.token, start=0, limit=20)
	assert response.ok, server_messages(response)
	assert sorted(customers_found(response.json()["message"])) == sorted(busy_site.own)


def test_pages_of_the_other_rep_are_full_and_follow_each_other(busy_site):
	"""Rep B's 45: pages of 20, 20 and 5 with nothing twice and nothing of rep A's."""
	frappe.set_user(busy_site.rep_b)
	pages = [customers_found(global_search(busy_site.token, start=start, limit=20)) for start in (0, 20, 40)]
	assert [len(page) for page in pages] == [20, 20, 5]
	found = [name for page in pages for name in page]
	assert sorted(found) == sorted(busy_site.theirs)


def test_search_of_one_doctype_is_filtered_before_paging_too(busy_site):
	frappe.set_user(busy_site.rep_a)
	rows = global_search(busy_site.token, limit=5, doctype="CIMS Customer")
	assert sorted(customers_found(rows)) == sorted(busy_site.own)


def test_administrator_still_pages_through_every_match(busy_site):
	found = customers_found(global_search(busy_site.token, limit=100))
	assert sorted(found) == sorted(busy_site.theirs + busy_site.own)


def test_a_customer_shared_with_the_rep_is_found_too(busy_site):
	shared = busy_site.theirs[0]
	frappe.share.add_docshare(
		"CIMS Customer", shared, busy_site.rep_a, read=1, flags={"ignore_share_permission": True}
	)
	frappe.set_user(busy_site.rep_a)
	found = customers_found(global_search(busy_site.token))
	assert sorted(found) == sorted([*busy_site.own, shared])
