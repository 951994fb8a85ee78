"""Churn risk scoring with written reasons and its alerts; customers that churn on their own and go to
Customer Service for win-back."""

import datetime

import frappe
import pytest

from cims_app.jobs.churn import churn_inactive_customers, score_churn_risk
from cims_app.reminders.reader_texts import churn_reasons_text
from tests.integration.job_support import (
	bells,
	commits,  # autouse fixture: job commits become savepoints
	completed_follow_up,
	customer_with,
	frozen_clock,
	make_opportunity,
	make_user,
	open_todos,
	reminder_logs,
	set_values,
	unique_suffix,
	won,
)

NOW = datetime.datetime(2026, 6, 15, 9, 0, 0, 250000)
TODAY = NOW.date()


def risk_of(customer: str) -> tuple:
	level, score, reasons = frappe.db.get_value(
		"CIMS Customer", customer, ["churn_risk", "churn_risk_score", "churn_reasons"]
	)
	return level, score, reasons or ""


def high_value_customer(days_since_follow_up: int, **values):
	"""An Active High Value customer (cadence 30 days) last followed up `days_since_follow_up` days ago."""
	customer = customer_with("Active Customer", NOW - datetime.timedelta(days=400), **values)
	set_values(
		"CIMS Customer",
		customer.name,
		value_tier="High Value Customer",
		creation=NOW - datetime.timedelta(days=400),
		last_follow_up_on=NOW - datetime.timedelta(days=days_since_follow_up),
	)
	return customer


# Risk score


@pytest.mark.parametrize(
	("days", "score"),
	[(29, 0), (30, 0), (31, 20), (59, 20), (60, 35), (61, 35)],
)
def test_follow_up_gap_scores_around_the_cadence_and_twice_the_cadence(days, score):
	with frozen_clock(NOW):
		customer = high_value_customer(days)
		score_churn_risk()
	assert risk_of(customer.name)[1] == score


def test_cadence_follows_the_value_tier_from_settings():
	frappe.db.set_single_value("CIMS Settings", "cadence_regular_days", 10)
	with frozen_clock(NOW):
		customer = high_value_customer(15)
		set_values("CIMS Customer", customer.name, value_tier="Regular Customer")
		score_churn_risk()
	assert risk_of(customer.name)[1] == 20


def test_score_level_and_reasons_are_written_out():
	with frozen_clock(NOW):
		customer = high_value_customer(0, contract_end_date=TODAY + datetime.timedelta(days=10))
		for days in (100, 120, 150):  # three follow-ups in the prior 90 days, one complaint in the last 90
			completed_follow_up(customer.name, completed_on=NOW - datetime.timedelta(days=days))
		completed_follow_up(
			customer.name,
			completed_on=NOW - datetime.timedelta(days=5),
			follow_up_type="Complaint",
			customer_feedback="Negative",
		)
		won(customer.name, 100000, TODAY - datetime.timedelta(days=250))
		won(customer.name, 20000, TODAY - datetime.timedelta(days=20))
		set_values("CIMS Customer", customer.name, last_follow_up_on=NOW - datetime.timedelta(days=65))
		score_churn_risk()
	level, score, reasons = risk_of(customer.name)
	assert (level, score) == ("High", 100)
	assert churn_reasons_text(reasons, "en").split("\n") == [
		"No follow-up for 65 days (cadence 30 days)",
		"Amount fell by 80% (last 6 months against the 6 before)",
		"Contract ends in 10 days with no open opportunity",
		"Follow-ups fell from 3 to 1 (last 90 days against the 90 before)",
		"Negative feedback in 1 follow-ups of the last 90 days",
		"1 complaints in the last 90 days",
	]


def test_open_opportunity_removes_the_contract_risk():
	with frozen_clock(NOW):
		customer = high_value_customer(0, contract_end_date=TODAY + datetime.timedelta(days=10))
		make_opportunity(customer.name)
		score_churn_risk()
	assert risk_of(customer.name) == ("No Risk", 0, "")


@pytest.mark.parametrize(
	("days", "level"),
	[(59, "Medium"), (60, "High")],  # 20 + 40 = 60 (Medium); 35 + 40 = 75 (High)
)
def test_level_thresholds_from_settings(days, level):
	with frozen_clock(NOW):
		customer = high_value_customer(days, contract_end_date=TODAY + datetime.timedelta(days=10))
		completed_follow_up(
			customer.name, completed_on=NOW - datetime.timedelta(days=1), customer_feedback="Negative"
		)
		completed_follow_up(
			customer.name, completed_on=NOW - datetime.timedelta(days=1), customer_feedback="Negative"
		)
		set_values("CIMS Customer", customer.name, last_follow_up_on=NOW - datetime.timedelta(days=days))
		score_churn_risk()
	assert risk_of(customer.name)[0] == level
	frappe.db.set_single_value("CIMS Settings", "churn_high_score", 60)
	with frozen_clock(NOW):
		score_churn_risk()
	assert risk_of(customer.name)[0] == "High"


@pytest.mark.parametrize("stage", ["Potential Customer", "Churned Customer"])
def test_leads_and_churned_customers_carry_no_churn_risk(stage):
	with frozen_clock(NOW):
		customer = high_value_customer(200)
		set_values(
			"CIMS Customer", customer.name, lifecycle_stage=stage, churn_risk="High", churn_risk_score=90
		)
		score_churn_risk()
	assert risk_of(customer.name) == ("No Risk", 0, "")


def team(manager: str, *members: str) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "CIMS Sales Team",
				"team_name": f"团队{unique_suffix()}",
				"manager": manager,
				"members": [{"user": member} for member in members],
			}
		)
		.insert()
		.name
	)


def make_high(customer: str) -> None:
	completed_follow_up(customer, completed_on=NOW - datetime.timedelta(days=1), follow_up_type="Complaint")
	completed_follow_up(customer, completed_on=NOW - datetime.timedelta(days=1), follow_up_type="Complaint")
	set_values("CIMS Customer", customer, last_follow_up_on=NOW - datetime.timedelta(days=90))


def test_new_high_risk_tells_the_account_manager_and_the_team_manager_once():
	rep, manager = make_user(), make_user("CIMS Sales Manager")
	with frozen_clock(NOW):
		customer = high_value_customer(0, account_manager=rep, contract_end_date=TODAY)
		set_values("CIMS Customer", customer.name, sales_team=team(manager, rep))
		make_high(customer.name)
		assert score_churn_risk()["new_high"] == 1
		assert score_churn_risk()["new_high"] == 0
	with frozen_clock(NOW + datetime.timedelta(days=1)):
		assert score_churn_risk()["notified"] == 0  # still High: not new
	for user in (rep, manager):
		subjects = [b.subject for b in bells(user, customer.name)]
		assert len(subjects) == 1
		assert "is now at high churn risk (" in subjects[0]


def test_team_manager_is_found_through_the_account_managers_team_when_the_customer_has_none():
	rep, manager = make_user(), make_user("CIMS Sales Manager")
	team(manager, rep)
	with frozen_clock(NOW):
		customer = high_value_customer(0, account_manager=rep, contract_end_date=TODAY)
		make_high(customer.name)
		score_churn_risk()
	assert len(bells(manager, customer.name)) == 1


def test_customer_becoming_high_again_later_is_told_again():
	rep = make_user()
	with frozen_clock(NOW):
		customer = high_value_customer(0, account_manager=rep, contract_end_date=TODAY)
		make_high(customer.name)
		score_churn_risk()
	set_values("CIMS Customer", customer.name, churn_risk="Medium")
	with frozen_clock(NOW + datetime.timedelta(days=1)):
		score_churn_risk()
	assert len(bells(rep, customer.name)) == 2


def test_churn_scoring_rerun_changes_nothing():
	with frozen_clock(NOW):
		customer = high_value_customer(45)
		first = score_churn_risk()
		second = score_churn_risk()
	assert first["changed"] >= 1
	assert second["changed"] == 0
	assert risk_of(customer.name)[1] == 20


# Auto churn and win-back


@pytest.fixture
def customer_service():
	"""Two Customer Service users, the only enabled ones with that role during the test."""
	frappe.db.sql(
		"""UPDATE `tabUser` u JOIN `tabHas Role` r ON r.parent = u.name
		SET u.enabled = 0 WHERE r.role = 'CIMS Customer Service'"""
	)
	return sorted([make_user("CIMS Customer Service"), make_user("CIMS Customer Service")])


def paused_for(days: int):
	return customer_with("Paused Customer", NOW - datetime.timedelta(days=days))


def stage_of(customer: str) -> tuple:
	return frappe.db.get_value("CIMS Customer", customer, ["lifecycle_stage", "churned_on"])


@pytest.mark.parametrize(("days", "churns"), [(89, False), (90, True), (91, True)])
def test_customer_paused_for_the_configured_days_churns(days, churns, customer_service):
	with frozen_clock(NOW):
		customer = paused_for(days)
		churn_inactive_customers()
	assert stage_of(customer.name) == (("Churned Customer", TODAY) if churns else ("Paused Customer", None))


@pytest.mark.parametrize(("days", "churns"), [(89, False), (90, True), (91, True)])
def test_customer_whose_contract_ended_the_configured_days_ago_churns(days, churns, customer_service):
	with frozen_clock(NOW):
		customer = customer_with(
			"Active Customer",
			NOW - datetime.timedelta(days=400),
			contract_end_date=TODAY - datetime.timedelta(days=days),
		)
		churn_inactive_customers()
	assert stage_of(customer.name)[0] == ("Churned Customer" if churns else "Active Customer")


def test_customer_that_won_since_its_contract_ended_does_not_churn(customer_service):
	with frozen_clock(NOW):
		customer = customer_with(
			"Active Customer",
			NOW - datetime.timedelta(days=400),
			contract_end_date=TODAY - datetime.timedelta(days=120),
		)
		won(customer.name, 5000, TODAY - datetime.timedelta(days=100))
		churn_inactive_customers()
	assert stage_of(customer.name)[0] == "Active Customer"


def test_churned_customer_is_recorded_as_a_stage_change_by_the_job(customer_service):
	with frozen_clock(NOW):
		customer = paused_for(120)
		churn_inactive_customers()
	change = frappe.get_all(
		"CIMS Stage Change",
		filters={"reference_name": customer.name, "to_stage": "Churned Customer"},
		fields=["from_stage", "source"],
	)
	assert [(c.from_stage, c.source) for c in change] == [("Paused Customer", "job")]
	versions = frappe.get_all(
		"Version", filters={"ref_doctype": "CIMS Customer", "docname": customer.name}, pluck="data"
	)
	changed = {field: (old, new) for field, old, new in frappe.parse_json(versions[-1])["changed"]}
	assert changed["lifecycle_stage"] == ("Paused Customer", "Churned Customer")
	assert changed["churned_on"] == (None, str(TODAY))


def test_churned_customers_go_to_customer_service_in_turn_as_todos(customer_service):
	with frozen_clock(NOW):
		customers = sorted(paused_for(100 + i).name for i in range(3))
		assert churn_inactive_customers() == {"churned": 3, "assigned": 3}
	owners = [open_todos(c)[0].allocated_to for c in customers]
	assert sorted(owners) == sorted([customer_service[0], customer_service[1], owners[0]])
	assert owners[0] != owners[1] and owners[1] != owners[2]
	todo = open_todos(customers[0])[0]
	name = frappe.db.get_value("CIMS Customer", customers[0], "customer_name")
	assert todo.description == f"Win back {name}: Paused for 100 days"
	assert "please try to win it back" in bells(owners[0], customers[0])[0].subject


def test_win_back_user_from_settings_gets_every_churned_customer(customer_service):
	keeper = make_user("CIMS Customer Service")
	frappe.db.set_single_value("CIMS Settings", "win_back_user", keeper)
	with frozen_clock(NOW):
		customers = [paused_for(100).name, paused_for(100).name]
		churn_inactive_customers()
	assert [open_todos(c)[0].allocated_to for c in customers] == [keeper, keeper]


def test_auto_churn_rerun_churns_and_assigns_nothing_new(customer_service):
	with frozen_clock(NOW):
		customer = paused_for(100)
		churn_inactive_customers()
		assert churn_inactive_customers() == {"churned": 0, "assigned": 0}
	with frozen_clock(NOW + datetime.timedelta(days=1)):
		assert churn_inactive_customers() == {"churned": 0, "assigned": 0}
	assert len(open_todos(customer.name)) == 1
	assert len(reminder_logs("win_back", customer.name)) == 1


def test_customer_churned_by_hand_is_also_given_to_customer_service(customer_service):
	with frozen_clock(NOW):
		customer = customer_with("Churned Customer", NOW - datetime.timedelta(days=2))
		assert churn_inactive_customers() == {"churned": 0, "assigned": 1}
	assert open_todos(customer.name)[0].allocated_to in customer_service
