"""Who manages a customer: assignment rules, manager reassignment, a leaving rep's transfer, the public
pool release job and claiming from the pool."""

import datetime
import json

import frappe
import pytest

from cims_app.customers.assignment import assign_customers
from cims_app.jobs.public_pool import release_idle_customers_to_pool
from tests.integration.support import (
	hard_delete,
	make_customer,
	make_login_user,
	make_sales_team,
	remove_customers_and_their_records,
	remove_users,
	server_messages,
	unique_suffix,
	valid_mobile,
)

pytestmark = pytest.mark.integration

REP, MANAGER, ANALYST, MARKETING = (
	"CIMS Sales Rep",
	"CIMS Sales Manager",
	"CIMS Data Analyst",
	"CIMS Marketing",
)
TODAY = datetime.date(2026, 6, 15)
LONG_AGO = "2026-01-02 09:00:00"


def changes_of(name: str, field: str) -> list[tuple]:
	"""(old, new) of `field` in each Version row of the customer that changed it, oldest first."""
	rows = frappe.get_all(
		"Version", {"ref_doctype": "CIMS Customer", "docname": name}, pluck="data", order_by="creation asc"
	)
	return [(old, new) for row in rows for f, old, new in json.loads(row)["changed"] if f == field]


def make_rule(**values) -> str:
	return (
		frappe.get_doc({"doctype": "CIMS Assignment Rule", "rule_name": f"规则{unique_suffix()}", **values})
		.insert()
		.name
	)


@pytest.fixture
def only_these_rules():
	"""Rules of other tests stay out of the way (rolled back with the test)."""
	frappe.db.sql("UPDATE `tabCIMS Assignment Rule` SET enabled = 0")


# Assignment rules (in-process, rolled back)


def test_new_customer_goes_to_the_first_matching_rule_by_priority_and_region_subtree(only_these_rules):
	east_rep, general_rep = make_login_user(REP), make_login_user(REP)
	make_rule(priority=20, assign_to="User", assignee=general_rep)
	make_rule(priority=10, region="华东", customer_type="Enterprise", assign_to="User", assignee=east_rep)
	assert make_customer(region="上海").account_manager == east_rep, "上海 is inside 华东"
	assert make_customer(region="北京").account_manager == general_rep
	assert (
		make_customer(region="上海", customer_type="Individual", customer_name="王五").account_manager
		== general_rep
	)


def test_round_robin_deals_to_active_team_members_in_turn(only_these_rules):
	a, b, gone = make_login_user(REP), make_login_user(REP), make_login_user(REP)
	team = make_sales_team(make_login_user(MANAGER), [a, gone, b])
	frappe.db.set_value("CIMS Sales Team Member", {"parent": team, "user": gone}, "is_active", 0)
	rule = make_rule(industry="制造业", assign_to="Round Robin in Team", sales_team=team)
	dealt = [make_customer(industry="汽车制造") for _ in range(3)]
	assert [c.account_manager for c in dealt] == [a, b, a]
	assert {c.sales_team for c in dealt} == {team}
	assert frappe.db.get_value("CIMS Assignment Rule", rule, "last_assigned_user") == a
	assert all(c.account_manager_since for c in dealt)


def test_a_reps_own_new_customer_stays_the_reps(only_these_rules, role_users):
	make_rule(assign_to="User", assignee=make_login_user(REP))
	frappe.set_user(role_users[REP][0])
	assert make_customer().account_manager == role_users[REP][0]


def test_bulk_assignment_for_imports_with_versions(only_these_rules):
	rep = make_login_user(REP)
	make_rule(assign_to="User", assignee=rep)
	frappe.set_user("Administrator")
	customers = [make_customer() for _ in range(3)]
	frappe.db.set_value(
		"CIMS Customer", {"name": ("in", [c.name for c in customers])}, "account_manager", None
	)
	assert assign_customers([c.name for c in customers]) == 3
	assert {frappe.db.get_value("CIMS Customer", c.name, "account_manager") for c in customers} == {rep}
	assert changes_of(customers[0].name, "account_manager") == [(None, rep)]
	assert len(changes_of(customers[0].name, "account_manager_since")) == 1


def test_rule_needs_its_assignee_or_team():
	with pytest.raises(frappe.ValidationError):
		make_rule(assign_to="Round Robin in Team")


# Reassignment and transfer (over RPC, committed)


@pytest.fixture
def book(role_users):
	"""Team A of the role-user manager: a leaving rep L and a receiving rep N; another team's rep O."""
	m1 = role_users[MANAGER][0]
	leaving, receiving, outsider = make_login_user(REP), make_login_user(REP), make_login_user(REP)
	team = make_sales_team(m1, [leaving, receiving])
	other_manager = make_login_user(MANAGER)
	other_team = make_sales_team(other_manager, [outsider])
	customers = [make_customer(account_manager=leaving) for _ in range(3)]
	theirs = make_customer(account_manager=outsider)
	planned = frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up",
			"customer": customers[0].name,
			"follow_up_type": "Phone Call",
			"status": "Planned",
			"scheduled_on": "2030-03-01 10:00:00",
			"assigned_to": leaving,
		}
	).insert()
	frappe.desk.form.assign_to.add(
		{"assign_to": [leaving], "doctype": "CIMS Follow-Up", "name": planned.name, "description": "回访"}
	)
	done = frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up",
			"customer": customers[0].name,
			"follow_up_type": "Phone Call",
			"status": "Completed",
			"completed_on": "2026-01-05 10:00:00",
			"content": "电话沟通了采购计划，客户预计下季度启动。",
			"next_action": "寄送资料",
			"assigned_to": leaving,
		}
	).insert()
	open_opportunity = frappe.get_doc(
		{
			"doctype": "CIMS Opportunity",
			"opportunity_title": "续约",
			"customer": customers[1].name,
			"owner_user": leaving,
		}
	).insert()
	won = frappe.get_doc(
		{
			"doctype": "CIMS Opportunity",
			"opportunity_title": "首单",
			"customer": customers[1].name,
			"owner_user": leaving,
			"status": "Won",
			"won_amount": 1000,
		}
	).insert()
	frappe.db.commit()
	yield frappe._dict(
		leaving=leaving,
		receiving=receiving,
		outsider=outsider,
		customers=[c.name for c in customers],
		theirs=theirs.name,
		planned=planned.name,
		done=done.name,
		open_opportunity=open_opportunity.name,
		won=won.name,
	)
	frappe.db.rollback()
	remove_customers_and_their_records([*(c.name for c in customers), theirs.name])
	frappe.db.delete("CIMS Sales Team Member", {"parent": ("in", [team, other_team])})
	hard_delete("CIMS Sales Team", [team, other_team])
	remove_users([leaving, receiving, outsider, other_manager])
	frappe.db.commit()


def test_manager_transfers_a_leaving_reps_whole_book_in_one_call(api, book):
	response = api(MANAGER).post(
		"/api/method/cims_app.api.customers.transfer", {"from_user": book.leaving, "to_user": book.receiving}
	)
	assert response.ok, server_messages(response)
	assert response.json()["message"] == {"customers": 3, "follow_ups": 1, "opportunities": 1}
	frappe.db.rollback()
	assert {frappe.db.get_value("CIMS Customer", c, "account_manager") for c in book.customers} == {
		book.receiving
	}
	assert frappe.db.get_value("CIMS Follow-Up", book.planned, "assigned_to") == book.receiving
	assert frappe.db.get_value("CIMS Follow-Up", book.done, "assigned_to") == book.leaving, "history stays"
	assert frappe.db.get_value("CIMS Opportunity", book.open_opportunity, "owner_user") == book.receiving
	assert frappe.db.get_value("CIMS Opportunity", book.won, "owner_user") == book.leaving
	assert frappe.get_all(
		"ToDo", {"reference_name": book.planned, "status": "Open"}, pluck="allocated_to"
	) == [book.receiving]
	assert book.receiving in frappe.db.get_value("CIMS Follow-Up", book.planned, "_assign")
	assert changes_of(book.customers[0], "account_manager") == [(book.leaving, book.receiving)]


def test_transfer_is_refused_to_reps_and_outside_the_managers_teams(api, book):
	rep = api(REP).post(
		"/api/method/cims_app.api.customers.transfer", {"from_user": book.leaving, "to_user": book.receiving}
	)
	assert rep.status_code == 403
	outsider = api(MANAGER).post(
		"/api/method/cims_app.api.customers.transfer", {"from_user": book.outsider, "to_user": book.receiving}
	)
	assert outsider.status_code == 403
	to_outsider = api(MANAGER).post(
		"/api/method/cims_app.api.customers.transfer", {"from_user": book.leaving, "to_user": book.outsider}
	)
	assert to_outsider.status_code == 403
	frappe.db.rollback()
	assert frappe.db.get_value("CIMS Customer", book.customers[0], "account_manager") == book.leaving


def test_manager_reassigns_its_teams_customers_only(api, book):
	manager = api(MANAGER)
	moved = manager.post(
		"/api/method/cims_app.api.customers.reassign",
		{"customers": json.dumps(book.customers[:2]), "to_user": book.receiving},
	)
	assert moved.ok, server_messages(moved)
	assert moved.json()["message"]["reassigned"] == 2
	refused = manager.post(
		"/api/method/cims_app.api.customers.reassign", {"customers": book.theirs, "to_user": book.receiving}
	)
	assert refused.status_code == 403
	rep = api(REP).post(
		"/api/method/cims_app.api.customers.reassign",
		{"customers": book.customers[2], "to_user": book.receiving},
	)
	assert rep.status_code == 403
	frappe.db.rollback()
	assert [frappe.db.get_value("CIMS Customer", c, "account_manager") for c in book.customers] == [
		book.receiving,
		book.receiving,
		book.leaving,
	]
	assert frappe.db.get_value("CIMS Customer", book.theirs, "account_manager") == book.outsider


# Public pool release job (in-process, frozen "today")


def idle_customer(stage="Potential Customer", **values):
	customer = make_customer(account_manager=make_login_user(REP))
	frappe.db.set_value(
		"CIMS Customer",
		customer.name,
		{
			"creation": LONG_AGO,
			"account_manager_since": LONG_AGO,
			"lifecycle_stage": stage,
			**values,
		},
		update_modified=False,
	)
	return customer.name


def pool_state(name):
	return frappe.db.get_value(
		"CIMS Customer", name, ["account_manager", "in_public_pool", "pool_released_on"], as_dict=True
	)


def test_pool_job_releases_idle_prospects_only_and_is_idempotent():
	frappe.db.set_single_value("CIMS Settings", "public_pool_idle_days", 60)
	idle = idle_customer()
	idle_intent = idle_customer("Intent Customer")
	active = idle_customer("Active Customer")
	recently_followed = idle_customer()
	frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up",
			"customer": recently_followed,
			"follow_up_type": "Phone Call",
			"status": "Planned",
			"scheduled_on": "2026-06-20 10:00:00",
		}
	).insert()
	recently_claimed = idle_customer(account_manager_since="2026-06-01 09:00:00")
	owner = pool_state(idle).account_manager

	assert release_idle_customers_to_pool(TODAY) >= 2
	for name in (idle, idle_intent):
		state = pool_state(name)
		assert (state.account_manager, state.in_public_pool, state.pool_released_on) == (None, 1, TODAY)
	for name in (active, recently_followed, recently_claimed):
		assert pool_state(name).in_public_pool == 0, name
	assert changes_of(idle, "account_manager")[-1] == (owner, None)
	assert changes_of(idle, "in_public_pool")[-1] == (0, 1)
	assert changes_of(idle, "pool_released_on")[-1] == (None, str(TODAY))
	assert release_idle_customers_to_pool(TODAY) == 0, "a rerun the same day changes nothing"


def test_pool_is_off_with_zero_idle_days():
	frappe.db.set_single_value("CIMS Settings", "public_pool_idle_days", 0)
	idle = idle_customer()
	assert release_idle_customers_to_pool(TODAY) == 0
	assert pool_state(idle).in_public_pool == 0


def test_pool_job_is_scheduled_daily(site):
	assert (
		"cims_app.jobs.public_pool.release_idle_customers_to_pool"
		in frappe.get_hooks("scheduler_events")["daily"]
	)


# Claiming (over RPC, committed)


@pytest.fixture
def pool(role_users):
	made = []

	def pool_customer(**values):
		customer = make_customer(**values)
		frappe.db.set_value(
			"CIMS Customer",
			customer.name,
			{"account_manager": None, "in_public_pool": 1, "pool_released_on": "2026-05-01"},
		)
		made.append(customer.name)
		frappe.db.commit()
		return customer.name

	def owned(user, **values):
		customer = make_customer(account_manager=user, **values)
		made.append(customer.name)
		frappe.db.commit()
		return customer.name

	yield frappe._dict(pool_customer=pool_customer, owned=owned)
	frappe.db.rollback()
	frappe.db.set_single_value("CIMS Settings", "public_pool_claim_limit", 50)
	remove_customers_and_their_records(made)
	frappe.db.commit()


def claim(client, customer):
	return client.post("/api/method/cims_app.api.customers.claim", {"customer": customer})


def test_rep_claims_a_pool_customer_once(api, role_users, pool):
	customer = pool.pool_customer()
	response = claim(api(REP), customer)
	assert response.ok, server_messages(response)
	frappe.db.rollback()
	state = pool_state(customer)
	assert (state.account_manager, state.in_public_pool) == (role_users[REP][0], 0)
	assert changes_of(customer, "account_manager")[-1] == (None, role_users[REP][0])
	assert changes_of(customer, "in_public_pool")[-1] == (1, 0)
	assert claim(api(MANAGER), customer).status_code in (403, 417), "no longer in the pool"


def test_claim_refused_when_the_rep_already_manages_the_same_company_or_person(api, role_users, pool):
	mobile = valid_mobile()
	pool.owned(role_users[REP][0], mobile_no=mobile)
	duplicate = pool.pool_customer(mobile_no=mobile)
	response = claim(api(REP), duplicate)
	assert response.status_code == 409, server_messages(response)
	frappe.db.rollback()
	assert pool_state(duplicate).in_public_pool == 1


def test_claim_limit_per_rep(api, pool):
	frappe.db.set_single_value("CIMS Settings", "public_pool_claim_limit", 1)
	frappe.db.commit()
	first, second = pool.pool_customer(), pool.pool_customer()
	assert claim(api(MANAGER), first).ok
	refused = claim(api(MANAGER), second)
	assert refused.status_code == 417
	assert "limit" in server_messages(refused)


@pytest.mark.parametrize("role", [ANALYST, MARKETING])
def test_only_sellers_claim(api, pool, role):
	assert claim(api(role), pool.pool_customer()).status_code == 403


def test_rep_cannot_claim_another_reps_customer(api, role_users, pool):
	customer = pool.owned(role_users[MANAGER][0])
	assert claim(api(REP), customer).status_code == 403
