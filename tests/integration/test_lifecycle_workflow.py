"""The customer lifecycle workflow and the opportunity's sales stage on every path: workflow actions,
REST updates, the Kanban board, follow-ups, jobs and imports, each leaving a CIMS Stage Change."""

import json

import frappe
import pytest
from frappe.model.workflow import WorkflowPermissionError, WorkflowTransitionError

from cims_app.customers.lifecycle import mark_system_move, move_customer_stage
from cims_app.setup.desk import LIFECYCLE_BOARD
from tests.integration.support import (
	make_customer,
	remove_customers_and_their_records,
	server_messages,
)

pytestmark = pytest.mark.integration

REP, MANAGER, SERVICE, MARKETING, ANALYST, HEAD = (
	"CIMS Sales Rep",
	"CIMS Sales Manager",
	"CIMS Customer Service",
	"CIMS Marketing",
	"CIMS Data Analyst",
	"CIMS Department Head",
)
POTENTIAL, INTENT, ACTIVE, PAUSED, CHURNED = (
	"Potential Customer",
	"Intent Customer",
	"Active Customer",
	"Paused Customer",
	"Churned Customer",
)


@pytest.fixture
def committed():
	"""Customers a test commits (the web server sees them), removed with their records afterwards."""
	names = []
	yield names
	frappe.db.rollback()
	frappe.set_user("Administrator")
	remove_customers_and_their_records(names)
	frappe.db.commit()


def customer_of(user: str, stage: str = POTENTIAL, names: list | None = None, **values) -> str:
	"""A committed customer of `user` in `stage` (moved there as the app would)."""
	doc = make_customer(account_manager=user, **values)
	if stage != POTENTIAL:
		move_customer_stage(doc, stage, "system")
	frappe.db.commit()
	if names is not None:
		names.append(doc.name)
	return doc.name


def apply(client, customer: str, action: str):
	return client.post(
		"/api/method/frappe.model.workflow.apply_workflow",
		{"doc": json.dumps({"doctype": "CIMS Customer", "name": customer}), "action": action},
	)


def stage(customer: str) -> str:
	return frappe.db.get_value("CIMS Customer", customer, "lifecycle_stage")


def served(read, *args):
	"""Read what the web server committed: end this connection's snapshot first (its own data is committed)."""
	frappe.db.rollback()
	return read(*args)


def changes(customer: str) -> list:
	return frappe.get_all(
		"CIMS Stage Change",
		filters={"reference_doctype": "CIMS Customer", "reference_name": customer},
		fields=["from_stage", "to_stage", "changed_by", "source", "days_in_previous_stage"],
		order_by="creation asc",
	)


def transitions(client, customer: str) -> set:
	response = client.post(
		"/api/method/frappe.model.workflow.get_transitions",
		{"doc": json.dumps({"doctype": "CIMS Customer", "name": customer})},
	)
	return {t["action"] for t in response.json().get("message") or []} if response.ok else set()


# Workflow actions over RPC


def test_rep_moves_its_customer_with_workflow_actions_and_each_move_is_recorded(api, role_users, committed):
	rep, rep_user = api(REP), role_users[REP][0]
	customer = customer_of(rep_user, names=committed)
	assert transitions(rep, customer) == {"Confirm Intent", "Mark as Lost Lead"}
	response = apply(rep, customer, "Confirm Intent")
	assert response.ok, server_messages(response)
	assert served(stage, customer) == INTENT
	[change] = served(changes, customer)
	assert (change.from_stage, change.to_stage, change.changed_by, change.source) == (
		POTENTIAL,
		INTENT,
		rep_user,
		"workflow",
	)
	assert change.days_in_previous_stage >= 0


def test_signing_needs_a_won_opportunity_or_a_contract_amount(api, role_users, committed):
	rep, rep_user = api(REP), role_users[REP][0]
	customer = customer_of(rep_user, INTENT, committed)
	refused = apply(rep, customer, "Sign Customer")
	assert refused.status_code == 417
	assert "won opportunity or a contract amount" in server_messages(refused)
	assert served(stage, customer) == INTENT

	frappe.get_doc(
		{
			"doctype": "CIMS Opportunity",
			"opportunity_title": "首单",
			"customer": customer,
			"status": "Won",
			"won_amount": 50000,
		}
	).insert()
	frappe.db.commit()
	signed = apply(rep, customer, "Sign Customer")
	assert signed.ok, server_messages(signed)
	assert frappe.db.get_value("CIMS Customer", customer, ["lifecycle_stage", "first_deal_date"])[1]


def test_manager_signs_with_a_contract_amount_it_enters(api, role_users, committed):
	manager = api(MANAGER)
	customer = customer_of(role_users[MANAGER][0], INTENT, committed)
	response = manager.put(
		f"/api/resource/CIMS%20Customer/{customer}", {"contract_amount": 200000, "lifecycle_stage": ACTIVE}
	)
	assert response.ok, server_messages(response)
	assert served(stage, customer) == ACTIVE
	assert served(changes, customer)[-1].source == "api"


def test_rest_update_of_the_stage_follows_the_workflow(api, role_users, committed):
	rep = api(REP)
	customer = customer_of(role_users[REP][0], names=committed, contract_amount=1000)
	skipping = rep.put(f"/api/resource/CIMS%20Customer/{customer}", {"lifecycle_stage": ACTIVE})
	assert skipping.status_code == 417, "Potential → Active is not a transition"
	assert served(stage, customer) == POTENTIAL
	allowed = rep.put(f"/api/resource/CIMS%20Customer/{customer}", {"lifecycle_stage": INTENT})
	assert allowed.ok, server_messages(allowed)
	assert [(c.from_stage, c.to_stage, c.source) for c in served(changes, customer)] == [
		(POTENTIAL, INTENT, "api")
	]


@pytest.mark.parametrize(
	("start", "action", "end"),
	[
		(POTENTIAL, "Confirm Intent", INTENT),
		(INTENT, "Back to Potential", POTENTIAL),
		(POTENTIAL, "Mark as Lost Lead", CHURNED),
		(ACTIVE, "Pause Cooperation", PAUSED),
		(PAUSED, "Resume Cooperation", ACTIVE),
		(PAUSED, "Mark as Churned", CHURNED),
		(CHURNED, "Win Back", INTENT),
	],
)
def test_every_spec_transition_is_open_to_the_rep(api, role_users, committed, start, action, end):
	customer = customer_of(role_users[REP][0], start, committed, contract_amount=5000)
	response = apply(api(REP), customer, action)
	assert response.ok, server_messages(response)
	assert served(stage, customer) == end


@pytest.mark.parametrize(("start", "target"), [(ACTIVE, CHURNED), (POTENTIAL, PAUSED), (CHURNED, ACTIVE)])
def test_moves_outside_the_workflow_are_refused_to_users(api, role_users, committed, start, target):
	customer = customer_of(role_users[REP][0], start, committed, contract_amount=5000)
	response = api(REP).put(f"/api/resource/CIMS%20Customer/{customer}", {"lifecycle_stage": target})
	assert response.status_code == 417
	assert served(stage, customer) == start


def test_customer_service_wins_back_a_churned_customer_but_moves_nothing_else(api, role_users, committed):
	service = api(SERVICE)
	rep_user = role_users[REP][0]
	churned = customer_of(rep_user, CHURNED, committed)
	potential = customer_of(rep_user, names=committed)
	assert transitions(service, potential) == set()
	assert transitions(service, churned) == {"Win Back"}
	refused = apply(service, potential, "Confirm Intent")
	assert refused.status_code in (403, 417)
	assert served(stage, potential) == POTENTIAL
	won_back = apply(service, churned, "Win Back")
	assert won_back.ok, server_messages(won_back)
	assert served(stage, churned) == INTENT
	assert served(changes, churned)[-1].changed_by == role_users[SERVICE][0]


@pytest.mark.parametrize("role", [MARKETING, ANALYST, HEAD])
def test_read_only_roles_have_no_transitions(api, role_users, committed, role):
	customer = customer_of(role_users[REP][0], names=committed)
	assert transitions(api(role), customer) == set()
	assert not apply(api(role), customer, "Confirm Intent").ok
	assert served(stage, customer) == POTENTIAL


def test_rep_cannot_move_another_reps_customer(api, role_users, committed):
	customer = customer_of(role_users[MANAGER][0], names=committed)
	assert apply(api(REP), customer, "Confirm Intent").status_code == 403
	assert (
		api(REP).put(f"/api/resource/CIMS%20Customer/{customer}", {"lifecycle_stage": INTENT}).status_code
		== 403
	)
	assert served(stage, customer) == POTENTIAL


def test_dragging_a_card_on_the_lifecycle_board_moves_through_the_workflow(api, role_users, committed):
	rep = api(REP)
	customer = customer_of(role_users[REP][0], names=committed)

	def drag(to_column):
		return rep.post(
			"/api/method/frappe.desk.doctype.kanban_board.kanban_board.update_order_for_single_card",
			{
				"board_name": LIFECYCLE_BOARD,
				"docname": customer,
				"from_colname": served(stage, customer),
				"to_colname": to_column,
				"old_index": 0,
				"new_index": 0,
			},
		)

	assert not drag(ACTIVE).ok
	assert served(stage, customer) == POTENTIAL
	moved = drag(INTENT)
	assert moved.ok, server_messages(moved)
	assert [(c.to_stage, c.source) for c in served(changes, customer)] == [(INTENT, "form")]


def test_new_customers_start_as_potential_over_rest(api):
	response = api("System Manager").post(
		"/api/resource/CIMS%20Customer",
		{"customer_name": "直接签约测试有限公司", "customer_type": "Enterprise", "lifecycle_stage": ACTIVE},
	)
	assert response.status_code == 417
	assert not frappe.db.exists("CIMS Customer", {"customer_name": "直接签约测试有限公司"})


# The one entry point for every other path (in-process)


def test_follow_up_source_applies_the_users_workflow_roles(role_users):
	customer = make_customer(account_manager=role_users[REP][0])
	frappe.set_user(role_users[SERVICE][0])
	with pytest.raises(WorkflowTransitionError):
		move_customer_stage(customer.name, INTENT, "follow-up")
	frappe.set_user(role_users[REP][0])
	move_customer_stage(customer.name, INTENT, "follow-up")
	assert stage(customer.name) == INTENT
	assert changes(customer.name)[-1].source == "follow-up"


def test_customer_service_wins_back_through_a_follow_up_without_write_permission(role_users):
	customer = make_customer(account_manager=role_users[REP][0])
	move_customer_stage(customer.name, CHURNED, "system")
	frappe.set_user(role_users[SERVICE][0])
	move_customer_stage(customer.name, INTENT, "follow-up")
	assert stage(customer.name) == INTENT


def test_a_job_moves_any_stage_but_still_needs_a_contract_or_won_deal_for_active():
	customer = make_customer()
	with pytest.raises(frappe.ValidationError, match="won opportunity or a contract amount"):
		move_customer_stage(customer.name, ACTIVE, "job")
	frappe.db.set_value("CIMS Customer", customer.name, "contract_amount", 10000)
	move_customer_stage(customer.name, ACTIVE, "job")
	churned = move_customer_stage(customer.name, CHURNED, "job")  # auto churn: Active → Churned
	assert churned.churned_on == frappe.utils.getdate()
	assert [(c.to_stage, c.source, c.changed_by) for c in changes(customer.name)] == [
		(ACTIVE, "job", "Administrator"),
		(CHURNED, "job", "Administrator"),
	]


def test_a_job_saving_the_stage_directly_is_recorded_as_a_job():
	customer = make_customer()
	doc = frappe.get_doc("CIMS Customer", customer.name)
	doc.lifecycle_stage = INTENT
	doc.save()  # Administrator holds every transition; no request means a job
	assert changes(customer.name)[-1].source == "job"


def test_users_cannot_skip_stages_even_in_process(role_users):
	customer = make_customer(account_manager=role_users[REP][0], contract_amount=1000)
	frappe.set_user(role_users[REP][0])
	doc = frappe.get_doc("CIMS Customer", customer.name)
	doc.lifecycle_stage = ACTIVE
	with pytest.raises(WorkflowPermissionError):
		doc.save()


def test_imports_create_customers_in_later_stages_under_the_same_active_rule():
	frappe.flags.in_import = True
	try:
		with pytest.raises(frappe.ValidationError, match="won opportunity or a contract amount"):
			make_customer(lifecycle_stage=ACTIVE)
		imported = make_customer(lifecycle_stage=ACTIVE, contract_amount=30000)
		assert imported.lifecycle_stage == ACTIVE and imported.first_deal_date
	finally:
		frappe.flags.in_import = False
	system = frappe.get_doc(
		{"doctype": "CIMS Customer", "customer_name": "合并测试有限公司", "customer_type": "Enterprise"}
	)
	system.lifecycle_stage = PAUSED
	mark_system_move(system, "merge")
	system.insert()
	assert system.lifecycle_stage == PAUSED


def test_unknown_stage_is_refused():
	customer = make_customer()
	with pytest.raises(frappe.ValidationError):
		move_customer_stage(customer.name, "Active", "job")


# Opportunities


def make_opportunity(customer: str, **values):
	return frappe.get_doc(
		{"doctype": "CIMS Opportunity", "opportunity_title": "年度采购", "customer": customer, **values}
	).insert()


def opportunity_changes(name: str) -> list:
	return frappe.get_all(
		"CIMS Stage Change",
		filters={"reference_doctype": "CIMS Opportunity", "reference_name": name},
		fields=["from_stage", "to_stage", "customer"],
		order_by="creation asc",
	)


def test_moving_to_the_won_stage_wins_the_opportunity_and_needs_the_won_amount():
	customer = make_customer().name
	opportunity = make_opportunity(customer, sales_stage="商务谈判")
	opportunity.sales_stage = "成交"
	with pytest.raises(frappe.ValidationError, match="won amount"):
		opportunity.save()
	opportunity.reload()
	opportunity.sales_stage = "成交"
	opportunity.won_amount = 80000
	opportunity.save()
	assert (opportunity.status, opportunity.probability) == ("Won", 100)
	assert [(c.from_stage, c.to_stage, c.customer) for c in opportunity_changes(opportunity.name)] == [
		("商务谈判", "成交", customer)
	]


def test_winning_an_opportunity_moves_its_stage_to_the_won_stage():
	opportunity = make_opportunity(make_customer().name, sales_stage="需求分析")
	opportunity.status = "Won"
	opportunity.won_amount = 1000
	opportunity.save()
	assert opportunity.sales_stage == "成交"


def test_moving_a_won_opportunity_back_reopens_it_and_an_open_one_in_a_won_stage_is_refused():
	opportunity = make_opportunity(make_customer().name, sales_stage="成交", won_amount=500)
	assert opportunity.status == "Won"
	opportunity.status = "In Progress"
	with pytest.raises(frappe.ValidationError, match="Won"):
		opportunity.save()
	opportunity.reload()
	opportunity.sales_stage = "商务谈判"
	opportunity.save()
	assert opportunity.status == "In Progress"


def test_losing_needs_a_lost_reason():
	opportunity = make_opportunity(make_customer().name, sales_stage="方案提交")
	opportunity.status = "Lost"
	with pytest.raises(frappe.ValidationError, match="lost reason"):
		opportunity.save()
	opportunity.reload()
	opportunity.status = "Lost"
	opportunity.lost_reason = "价格过高"
	opportunity.save()
	assert opportunity.closed_on
