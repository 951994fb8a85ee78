"""The Desk's list and report views (frappe.desk.reportview.get, overridden by
cims_app.access.permissions.list_page) read a page of customers, follow-ups or opportunities newest first,
checking each row (IsTrue) or its customer by primary key (FoundBy), when the user reaches a large share of
the customers; a user who reaches few keeps the rule's indexes. Either way a rep or manager gets exactly the
rows the rule gives them."""

import json

import frappe
import pytest
from frappe.handler import get_attr

from cims_app.access import permissions
from tests.integration.support import make_customer, make_login_user, make_sales_team

pytestmark = pytest.mark.integration

REP, MANAGER = "CIMS Sales Rep", "CIMS Sales Manager"
DESK_LIST = "frappe.desk.reportview.get"


@pytest.fixture
def book():
	"""A manager's team with one rep (two customers), a rep of no team (two customers), one public-pool
	customer; each customer with a follow-up and an opportunity. Rolled back after the test."""
	s = frappe._dict(
		rep=make_login_user(REP), outsider=make_login_user(REP), manager=make_login_user(MANAGER)
	)
	make_sales_team(s.manager, [s.rep])
	s.team = [make_customer(account_manager=s.rep).name for _ in range(2)]
	s.other = [make_customer(account_manager=s.outsider).name for _ in range(2)]
	s.pool = [make_customer(account_manager=s.outsider).name]
	frappe.db.set_value(
		"CIMS Customer", s.pool[0], {"account_manager": None, "sales_team": None, "in_public_pool": 1}
	)
	s.customers = s.team + s.other + s.pool
	s.follow_ups, s.opportunities = {}, {}
	for customer in s.customers:
		s.follow_ups[customer] = (
			frappe.get_doc(
				{
					"doctype": "CIMS Follow-Up",
					"customer": customer,
					"follow_up_type": "Call",
					"status": "Planned",
				}
			)
			.insert()
			.name
		)
		s.opportunities[customer] = (
			frappe.get_doc(
				{
					"doctype": "CIMS Opportunity",
					"opportunity_title": "年度采购",
					"customer": customer,
					"expected_close_date": frappe.utils.nowdate(),
				}
			)
			.insert()
			.name
		)
	return s


def desk_list(user: str, doctype: str, customers: list[str], link: str = "customer") -> list[str]:
	"""Names on the Desk's list of `doctype` for `user`, narrowed to `customers`, through the method the
	Desk calls (with the app's override, as frappe.handler resolves it)."""
	cmd = (frappe.get_hooks("override_whitelisted_methods", {}).get(DESK_LIST) or [DESK_LIST])[-1]
	frappe.set_user(user)
	try:
		frappe.local.form_dict = frappe._dict(
			doctype=doctype,
			fields=json.dumps([f"`tab{doctype}`.`name`"]),
			filters=json.dumps([[doctype, link, "in", customers]]),
			order_by=f"`tab{doctype}`.`creation` desc",
			start=0,
			page_length=100,
		)
		data = frappe.call(get_attr(cmd), **frappe.local.form_dict)
		return sorted(row[0] for row in data["values"]) if data else []
	finally:
		frappe.local.form_dict = frappe._dict()
		frappe.set_user("Administrator")


def list_sql(user: str, doctype: str) -> str:
	"""The list query the rule gives `user` on a page of the Desk's list."""
	frappe.set_user(user)
	frappe.flags.cims_list_page = True
	try:
		return frappe.get_list(
			doctype, fields=["name"], order_by="creation desc", limit_page_length=20, run=0
		)
	finally:
		frappe.flags.cims_list_page = False
		frappe.set_user("Administrator")


def expected(book, user: str, records: dict) -> list[str]:
	reach = {book.rep: book.team + book.pool, book.manager: book.team + book.pool}[user]
	return sorted(records[customer] for customer in reach)


def test_the_desk_list_is_wired_to_the_page_form():
	assert frappe.get_hooks("override_whitelisted_methods")[DESK_LIST][-1] == (
		"cims_app.access.permissions.list_page"
	)


@pytest.mark.parametrize("share", [0, 2], ids=["reaches-much-reads-by-lookup", "reaches-little-joins"])
def test_rep_and_manager_get_exactly_their_rows_either_way(book, monkeypatch, share):
	monkeypatch.setattr(permissions, "PAGE_BY_LOOKUP_SHARE", share)
	for user in (book.rep, book.manager):
		sql = list_sql(user, "CIMS Follow-Up")
		if share == 0:
			assert "IS NOT NULL" in sql and " IN (SELECT" not in sql, sql
		else:
			assert " IN (SELECT" in sql and "IS NOT NULL" not in sql, sql
		assert desk_list(user, "CIMS Follow-Up", book.customers) == expected(book, user, book.follow_ups)
		assert desk_list(user, "CIMS Opportunity", book.customers) == expected(book, user, book.opportunities)
	assert not frappe.flags.cims_list_page  # only for the call: counts and reports keep the join


@pytest.mark.parametrize(
	"order_by, paged",
	[
		("`tabCIMS Follow-Up`.`creation` desc", True),
		("creation asc", True),
		("modified desc, name desc", True),
		(None, True),
		("`tabCIMS Follow-Up`.`scheduled_on` desc", False),
		("customer_name asc", False),
	],
)
def test_only_pages_sorted_by_time_take_the_page_form(order_by, paged):
	assert permissions._sorted_by_time(order_by) is paged


def test_counts_and_other_paths_keep_the_join(book, monkeypatch):
	monkeypatch.setattr(permissions, "PAGE_BY_LOOKUP_SHARE", 0)
	frappe.set_user(book.manager)
	sql = frappe.get_list("CIMS Follow-Up", fields=["name"], limit_page_length=20, run=0)
	frappe.set_user("Administrator")
	assert " IN (SELECT" in sql and "IS NOT NULL" not in sql, sql


def test_the_reach_share_is_measured_per_user(book):
	"""The manager's team and pool are 3 of the site's customers: the share decides the form."""
	total = frappe.db.count("CIMS Customer")
	frappe.cache.delete_value(f"cims_reach_share:{book.manager}:0:1")
	scope = permissions.get_scope(book.manager)
	subquery = permissions._seller_customers(scope, write=False)
	reached = frappe.db.sql(f"select count(*) from ({subquery.get_sql(quote_char='`')}) r")[0][0]
	assert reached >= 3
	share = reached / total
	original = permissions.PAGE_BY_LOOKUP_SHARE
	try:
		permissions.PAGE_BY_LOOKUP_SHARE = share
		assert permissions._reaches_much(scope, subquery, write=False)
		permissions.PAGE_BY_LOOKUP_SHARE = share * 1.01
		assert not permissions._reaches_much(scope, subquery, write=False)  # from the cache, same share
	finally:
		permissions.PAGE_BY_LOOKUP_SHARE = original
		frappe.cache.delete_value(f"cims_reach_share:{book.manager}:0:1")


def test_a_measured_share_is_read_from_the_cache_by_the_same_process(book, monkeypatch):
	"""A worker or a request that lists twice measures the share once: the expiring value is read from
	Redis, not from the process's own cache where the first miss left None (0.35 s a page at 1M customers)."""
	key = f"cims_reach_share:{book.manager}:0:1"
	frappe.cache.delete_value(key)
	scope = permissions.get_scope(book.manager)
	subquery = permissions._seller_customers(scope, write=False)
	try:
		first = permissions._reaches_much(scope, subquery, write=False)
		counted = []
		real = frappe.db.sql

		def recorded(query, *args, **kwargs):
			counted.append(str(query))
			return real(query, *args, **kwargs)

		monkeypatch.setattr(frappe.db, "sql", recorded)
		assert permissions._reaches_much(scope, subquery, write=False) == first
		assert not [query for query in counted if "COUNT(*)" in query.upper()], counted
	finally:
		frappe.cache.delete_value(key)
