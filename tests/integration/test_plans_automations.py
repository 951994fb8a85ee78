"""The follow-ups a plan creates are new follow-ups like any other: the site's automations for follow-ups run
for them (an After Insert Server Script on each, written in bulk), those acting before the write see and
may change or refuse each (saved through Document.insert), and a Document Naming Rule names them."""

import datetime

import frappe
import pytest

from cims_app.db.automations import site_automations
from cims_app.jobs.plans import create_planned_follow_ups
from tests.integration.job_support import (
	commits,  # autouse fixture: job commits become savepoints
	customer_with,
	frozen_clock,
	make_user,
	unique_suffix,
)

FOLLOW_UP = "CIMS Follow-Up"
DAY = datetime.datetime(2026, 6, 1, 8, 0, 0, 250000)


@pytest.fixture(autouse=True)
def one_plan():
	"""Only this test's plan is enabled (rolled back with the test)."""
	frappe.db.sql("UPDATE `tabCIMS Follow-Up Plan` SET enabled = 0")
	return frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up Plan",
			"plan_name": f"自动化计划{unique_suffix()}",
			"lifecycle_stage": "Intent Customer",
			"frequency_days": 30,
			"enabled": 1,
			"steps": [{"sequence": 1, "follow_up_type": "Phone Call", "offset_days": 0}],
		}
	).insert()


@pytest.fixture
def scripts(monkeypatch):
	"""Make DocType Event Server Scripts on follow-ups (rolled back with the test); the framework's cached
	map of scripts is cleared afterwards, so no later test looks for them."""
	from frappe.utils import safe_exec

	monkeypatch.setattr(safe_exec, "is_safe_exec_enabled", lambda: True)

	def make(event: str, script: str) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "Server Script",
					"name": f"cims-plan-{unique_suffix()}",
					"script_type": "DocType Event",
					"reference_doctype": FOLLOW_UP,
					"doctype_event": event,
					"script": script,
				}
			)
			.insert()
			.name
		)

	yield make
	frappe.db.rollback()
	frappe.cache.delete_value(["server_script_map"])


def planned(customers) -> dict[str, frappe._dict]:
	rows = frappe.get_all(
		FOLLOW_UP,
		filters={"customer": ("in", [c.name for c in customers]), "follow_up_plan": ("is", "set")},
		fields=["name", "customer", "next_action"],
	)
	return {row.customer: row for row in rows}


def comments_on(names) -> int:
	return frappe.db.count(
		"Comment",
		{"reference_doctype": FOLLOW_UP, "reference_name": ("in", list(names)), "content": "plan script ran"},
	)


def test_an_after_insert_script_runs_for_each_follow_up_a_plan_writes_in_bulk(scripts):
	script = scripts("After Insert", 'doc.add_comment("Comment", "plan script ran")')
	assert site_automations(FOLLOW_UP) == [f"Server Script {script}"]
	rep = make_user()
	with frozen_clock(DAY):
		customers = [customer_with("Intent Customer", DAY, account_manager=rep) for _ in range(3)]
		result = create_planned_follow_ups()
	made = planned(customers)
	assert result["created"] == 3 and len(made) == 3
	assert comments_on(row.name for row in made.values()) == 3


def test_before_save_scripts_change_or_refuse_each_planned_follow_up(scripts):
	scripts("Before Save", 'doc.next_action = "脚本设定"')
	rep = make_user()
	with frozen_clock(DAY):
		customers = [customer_with("Intent Customer", DAY, account_manager=rep) for _ in range(3)]
		refused = customers[1].name
		scripts("Before Insert", f'if doc.customer == "{refused}":\n    frappe.throw("不要这条")')
		result = create_planned_follow_ups()
	made = planned(customers)
	assert set(made) == {customers[0].name, customers[2].name}
	assert result["created"] == 2
	assert {row.next_action for row in made.values()} == {"脚本设定"}
	assert frappe.db.exists("Error Log", {"reference_doctype": FOLLOW_UP, "error": ("like", "%不要这条%")})


@pytest.fixture
def naming_rule():
	"""A Document Naming Rule for follow-ups (rolled back with the test); the framework's cached list of the
	DocType's rules is cleared afterwards, so no later follow-up looks for it."""
	yield
	frappe.db.rollback()
	frappe.cache_manager.clear_doctype_map("Document Naming Rule", FOLLOW_UP)


def test_a_document_naming_rule_names_the_follow_ups_of_a_plan(naming_rule):
	tag = unique_suffix()[-4:]
	frappe.get_doc(
		{
			"doctype": "Document Naming Rule",
			"document_type": FOLLOW_UP,
			"prefix": f"PF{tag}-",
			"prefix_digits": 3,
		}
	).insert()
	rep = make_user()
	with frozen_clock(DAY):
		customers = [customer_with("Intent Customer", DAY, account_manager=rep) for _ in range(2)]
		create_planned_follow_ups()
	assert sorted(row.name for row in planned(customers).values()) == [f"PF{tag}-001", f"PF{tag}-002"]
