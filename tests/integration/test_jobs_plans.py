"""Follow-up plans: the daily job creates the follow-ups active plans call for, and a stage change stops
the old stage's plan and starts the new one."""

import datetime
import json

import frappe
import pytest
from frappe.utils import get_datetime

from cims_app.customers.lifecycle import move_customer_stage
from cims_app.jobs.plans import create_planned_follow_ups
from tests.integration.job_support import (
	GOOD_CONTENT,
	commits,  # autouse fixture: job commits become savepoints
	customer_with,
	frozen_clock,
	make_user,
	unique_suffix,
)

DAY = datetime.datetime(2026, 6, 1, 8, 0, 0, 250000)


@pytest.fixture(autouse=True)
def no_other_plans():
	frappe.db.sql("UPDATE `tabCIMS Follow-Up Plan` SET enabled = 0")


def make_plan(stage: str, frequency_days: int = 30, steps=(), enabled: int = 1):
	return frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up Plan",
			"plan_name": f"计划{unique_suffix()}",
			"lifecycle_stage": stage,
			"frequency_days": frequency_days,
			"enabled": enabled,
			"steps": [
				{"sequence": i + 1, "follow_up_type": kind, "template": template, "offset_days": offset}
				for i, (kind, template, offset) in enumerate(steps)
			],
		}
	).insert()


def plan_follow_ups(customer: str, plan: str | None = None) -> list:
	filters = {"customer": customer, "follow_up_plan": ("is", "set")}
	if plan:
		filters["follow_up_plan"] = plan
	return frappe.get_all(
		"CIMS Follow-Up",
		filters=filters,
		fields=["name", "status", "scheduled_on", "follow_up_type", "template", "content", "assigned_to"],
		order_by="scheduled_on asc",
	)


def test_active_plan_creates_one_planned_follow_up_per_customer_of_its_stage_once():
	rep = make_user()
	with frozen_clock(DAY):
		plan = make_plan("Intent Customer", 30, [("Phone Call", "初次电话沟通", 0)])
		followed = customer_with("Intent Customer", DAY, account_manager=rep)
		other_stage = customer_with("Active Customer", DAY, account_manager=rep)
		no_owner = customer_with("Intent Customer", DAY)
		in_pool = customer_with("Intent Customer", DAY, account_manager=rep, in_public_pool=1)
		first = create_planned_follow_ups()
		second = create_planned_follow_ups()
	assert first == {"cancelled": 0, "created": 1}
	assert second == {"cancelled": 0, "created": 0}
	rows = plan_follow_ups(followed.name, plan.name)
	assert len(rows) == 1
	assert rows[0].status == "Planned"
	assert rows[0].assigned_to == rep
	assert (rows[0].follow_up_type, rows[0].template) == ("Phone Call", "初次电话沟通")
	assert rows[0].content == frappe.db.get_value("CIMS Follow-Up Template", "初次电话沟通", "content")
	assert get_datetime(rows[0].scheduled_on).date() == DAY.date()
	assert frappe.db.get_value("CIMS Customer", followed.name, "next_follow_up_on") == rows[0].scheduled_on
	for customer in (other_stage, no_owner, in_pool):
		assert plan_follow_ups(customer.name) == []


def test_plan_runs_its_steps_then_repeats_every_frequency_days():
	rep = make_user()
	with frozen_clock(DAY):
		plan = make_plan("Active Customer", 30, [("Phone Call", None, 0), ("Customer Visit", None, 10)])
		customer = customer_with("Active Customer", DAY, account_manager=rep)
		create_planned_follow_ups()
	schedule = []
	for day in (0, 10, 30, 40):
		with frozen_clock(DAY + datetime.timedelta(days=day)):
			create_planned_follow_ups()
			open_one = frappe.get_doc("CIMS Follow-Up", {"customer": customer.name, "status": "Planned"})
			schedule.append((get_datetime(open_one.scheduled_on).date(), open_one.follow_up_type))
			open_one.update({"status": "Completed", "content": GOOD_CONTENT, "next_action": "继续跟进"})
			open_one.save()
	start = DAY.date()
	assert schedule == [
		(start, "Phone Call"),
		(start + datetime.timedelta(days=10), "Customer Visit"),
		(start + datetime.timedelta(days=30), "Phone Call"),
		(start + datetime.timedelta(days=40), "Customer Visit"),
	]
	assert len(plan_follow_ups(customer.name, plan.name)) == 4


def test_plan_without_steps_plans_a_call_every_frequency_days_from_the_stage_entry():
	rep = make_user()
	entered = DAY - datetime.timedelta(days=20)
	with frozen_clock(DAY):
		make_plan("Active Customer", 7)
		customer = customer_with("Active Customer", entered, account_manager=rep)
		create_planned_follow_ups()
	rows = plan_follow_ups(customer.name)
	# Entered 20 days ago: occurrences on days 0, 7, 14 have passed; the next is day 21, tomorrow.
	assert [(get_datetime(r.scheduled_on).date(), r.follow_up_type) for r in rows] == [
		(entered.date() + datetime.timedelta(days=21), "Phone Call")
	]


def test_disabled_plan_creates_nothing():
	with frozen_clock(DAY):
		make_plan("Intent Customer", enabled=0)
		customer = customer_with("Intent Customer", DAY, account_manager=make_user())
		assert create_planned_follow_ups() == {"cancelled": 0, "created": 0}
	assert plan_follow_ups(customer.name) == []


def test_stage_change_stops_the_old_plan_and_starts_the_new_one():
	rep = make_user()
	with frozen_clock(DAY):
		prospect_plan = make_plan("Intent Customer", 14)
		after_sales_plan = make_plan("Active Customer", 30, [("Service", None, 3)])
		customer = customer_with("Intent Customer", DAY, account_manager=rep, contract_amount=100000)
		create_planned_follow_ups()
		old = plan_follow_ups(customer.name, prospect_plan.name)
		assert [r.status for r in old] == ["Planned"]
	with frozen_clock(DAY + datetime.timedelta(days=2)):
		move_customer_stage(customer.name, "Active Customer", source="job")
	assert [r.status for r in plan_follow_ups(customer.name, prospect_plan.name)] == ["Called Off"]
	new = plan_follow_ups(customer.name, after_sales_plan.name)
	assert [(r.status, r.follow_up_type) for r in new] == [("Planned", "Service")]
	assert get_datetime(new[0].scheduled_on).date() == DAY.date() + datetime.timedelta(days=5)
	assert frappe.db.get_value("CIMS Customer", customer.name, "next_follow_up_on") == new[0].scheduled_on


def test_daily_job_cancels_plan_follow_ups_of_customers_moved_without_a_save():
	"""Each called-off follow-up has it in its history (SPEC §1.4: every change is in the Version history,
	set-based jobs included), as a save would have left it."""
	rep = make_user()
	with frozen_clock(DAY):
		plan = make_plan("Intent Customer", 14)
		customer = customer_with("Intent Customer", DAY, account_manager=rep)
		create_planned_follow_ups()
		frappe.db.set_value("CIMS Customer", customer.name, "lifecycle_stage", "Potential Customer")
		assert create_planned_follow_ups() == {"cancelled": 1, "created": 0}
	(follow_up,) = plan_follow_ups(customer.name, plan.name)
	assert follow_up.status == "Called Off"
	assert frappe.db.get_value("CIMS Customer", customer.name, "next_follow_up_on") is None
	versions = frappe.get_all(
		"Version", filters={"ref_doctype": "CIMS Follow-Up", "docname": follow_up.name}, pluck="data"
	)
	assert len(versions) == 1
	data = json.loads(versions[0])
	assert data["changed"] == [["status", "Planned", "Called Off"]]
	assert data["updater_reference"]["doctype"] == "Scheduled Job Type"


def test_second_enabled_plan_for_a_stage_is_refused():
	make_plan("Paused Customer")
	with pytest.raises(frappe.ValidationError, match="already follows customers"):
		make_plan("Paused Customer")
	make_plan("Paused Customer", enabled=0)


def test_plan_step_outside_the_cycle_is_refused():
	with pytest.raises(frappe.ValidationError, match="between 0 and 6 days"):
		make_plan("Churned Customer", 7, [("Phone Call", None, 7)])


def test_customer_entering_the_stage_after_the_plan_hour_gets_one_follow_up_however_often_the_job_runs():
	entered = DAY.replace(hour=15)
	with frozen_clock(entered + datetime.timedelta(hours=1)):
		make_plan("Intent Customer", 14)
		customer = customer_with("Intent Customer", entered, account_manager=make_user())
		assert create_planned_follow_ups()["created"] == 1
		assert create_planned_follow_ups()["created"] == 0
	assert len(plan_follow_ups(customer.name)) == 1
