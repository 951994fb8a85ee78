"""Every change to a customer is in its Version history, whoever made it (SPEC §1.4): the scheduled jobs'
set-based writes and the values mirrored from contacts and follow-ups leave one Version per changed
customer, listing exactly the fields that changed with their old and new values, and none for customers
they leave as they were."""

import datetime
import json

import frappe
import pytest
from frappe.model import no_value_fields

from cims_app.jobs.churn import churn_inactive_customers, score_churn_risk
from cims_app.jobs.leads import flag_low_value_leads
from cims_app.jobs.plans import create_planned_follow_ups
from cims_app.jobs.public_pool import release_idle_customers_to_pool
from cims_app.jobs.tiers import update_value_tiers
from cims_app.jobs.upkeep import remind_data_upkeep
from tests.integration.job_support import (
	commits,  # autouse fixture: job commits become savepoints
	completed_follow_up,
	customer_with,
	frozen_clock,
	make_user,
	set_values,
	won,
)
from tests.integration.support import valid_mobile

CUSTOMER = "CIMS Customer"
NOW = datetime.datetime(2026, 6, 15, 9, 0, 0, 250000)
TODAY = NOW.date()
DATA_KEYS = {"changed", "added", "removed", "row_changed", "data_import", "updater_reference"}


def _fields() -> list[str]:
	"""The stored fields a framework save compares (frappe.core.doctype.version.version.get_diff)."""
	return [
		df.fieldname
		for df in frappe.get_meta(CUSTOMER).fields
		if df.fieldtype not in no_value_fields and not df.is_virtual
	]


def _plain(value):
	"""A value as the Version's JSON holds it."""
	return json.loads(frappe.as_json({"v": value}))["v"]


def stored(names: list[str]) -> dict:
	fields = _fields()
	rows = frappe.get_all(CUSTOMER, filters={"name": ("in", names)}, fields=["name", *fields])
	return {row.name: {field: _plain(row[field]) for field in fields} for row in rows}


def version_names(names: list[str]) -> set[str]:
	return set(
		frappe.get_all("Version", filters={"ref_doctype": CUSTOMER, "docname": ("in", names)}, pluck="name")
	)


class History:
	"""What a piece of work changed on `names`, and the Version rows it wrote for them."""

	def __init__(self, names: list[str]):
		self.names = list(names)

	def __enter__(self):
		self.before = stored(self.names)
		self.known = version_names(self.names)
		return self

	def __exit__(self, *exc):
		self.after = stored(self.names)
		new = version_names(self.names) - self.known
		self.versions = frappe.get_all(
			"Version",
			filters={"name": ("in", list(new) or [""])},
			fields=["name", "docname", "owner", "data"],
		)

	def diff(self, name: str) -> dict:
		before, after = self.before[name], self.after[name]
		return {field: (before[field], after[field]) for field in before if before[field] != after[field]}

	def versions_of(self, name: str) -> list[dict]:
		return [json.loads(v.data) for v in self.versions if v.docname == name]

	def check(self, reference_doctype: str | None = None, owner: str = "Administrator") -> dict:
		"""One Version per changed customer listing exactly its changed fields (old and new values), none
		for the others; returns the changes by customer."""
		changes = {}
		for name in self.names:
			diff = self.diff(name)
			versions = self.versions_of(name)
			if not diff:
				assert versions == [], f"{name} did not change but got {versions}"
				continue
			assert len(versions) == 1, f"{name} changed {diff} and got {len(versions)} Version rows"
			data = versions[0]
			assert set(data) >= DATA_KEYS
			assert {field: (old, new) for field, old, new in data["changed"]} == diff
			assert len(data["changed"]) == len(diff)
			assert data["added"] == data["removed"] == data["row_changed"] == []
			if reference_doctype:
				assert data["updater_reference"]["doctype"] == reference_doctype
			changes[name] = diff
		assert {v.owner for v in self.versions} <= {owner}
		return changes


# Scheduled jobs


def test_value_tier_job_leaves_a_version_per_changed_customer_and_none_on_a_rerun():
	with frozen_clock(NOW):
		rising = customer_with("Active Customer").name
		steady = customer_with("Active Customer").name
		won(steady, 20000, TODAY - datetime.timedelta(days=30))
		update_value_tiers()
		won(rising, 600000, TODAY - datetime.timedelta(days=10))
		with History([rising, steady]) as history:
			assert update_value_tiers() >= 1
		changes = history.check("Scheduled Job Type")
		assert set(changes) == {rising}
		assert changes[rising]["value_tier"] == ("Regular Customer", "High Value Customer")
		assert changes[rising]["annual_amount"] == (0.0, 600000.0)
		with History([rising, steady]) as rerun:
			update_value_tiers()
		assert rerun.versions == []


def test_churn_score_job_leaves_a_version_with_level_score_and_reasons():
	with frozen_clock(NOW):
		at_risk = customer_with("Active Customer", NOW - datetime.timedelta(days=400))
		set_values(
			CUSTOMER,
			at_risk.name,
			value_tier="High Value Customer",
			creation=NOW - datetime.timedelta(days=400),
			last_follow_up_on=NOW - datetime.timedelta(days=61),
		)
		lead = customer_with("Potential Customer").name
		with History([at_risk.name, lead]) as history:
			score_churn_risk()
		changes = history.check("Scheduled Job Type")
		assert set(changes) == {at_risk.name}
		assert set(changes[at_risk.name]) == {"churn_risk", "churn_risk_score", "churn_reasons"}
		assert changes[at_risk.name]["churn_risk_score"] == (0, 35)
		with History([at_risk.name, lead]) as rerun:
			score_churn_risk()
		assert rerun.versions == []


def test_low_value_lead_flag_and_its_clearing_each_leave_a_version():
	with frozen_clock(NOW):
		lead = customer_with("Potential Customer", NOW - datetime.timedelta(days=400))
		set_values(CUSTOMER, lead.name, creation=NOW - datetime.timedelta(days=400))
		fresh = customer_with("Potential Customer").name
		with History([lead.name, fresh]) as flagged:
			flag_low_value_leads()
		assert flagged.check("Scheduled Job Type") == {lead.name: {"low_value_lead": (0, 1)}}
		with History([lead.name, fresh]) as rerun:
			flag_low_value_leads()
		assert rerun.versions == []
		set_values(CUSTOMER, lead.name, last_follow_up_on=NOW - datetime.timedelta(days=1))
		with History([lead.name, fresh]) as cleared:
			flag_low_value_leads()
		assert cleared.check("Scheduled Job Type") == {lead.name: {"low_value_lead": (1, 0)}}


def test_upkeep_due_date_change_leaves_a_version():
	with frozen_clock(NOW):
		checked = customer_with(value_tier="Regular Customer", last_maintained_on=TODAY).name
		other = customer_with(value_tier="Regular Customer", last_maintained_on=TODAY).name
		remind_data_upkeep()
		set_values(CUSTOMER, checked, last_maintained_on=TODAY + datetime.timedelta(days=31))
		with History([checked, other]) as history:
			remind_data_upkeep()
		assert history.check("Scheduled Job Type") == {
			checked: {"maintenance_due_on": ("2026-12-15", "2027-01-16")}
		}
		with History([checked, other]) as rerun:
			remind_data_upkeep()
		assert rerun.versions == []


def test_auto_churn_leaves_one_version_with_every_field_it_changed():
	with frozen_clock(NOW):
		paused = customer_with("Paused Customer", NOW - datetime.timedelta(days=120)).name
		active = customer_with("Active Customer").name
		with History([paused, active]) as history:
			churn_inactive_customers()
		changes = history.check()
		assert set(changes) == {paused}
		assert changes[paused]["lifecycle_stage"] == ("Paused Customer", "Churned Customer")
		with History([paused, active]) as rerun:
			churn_inactive_customers()
		assert rerun.versions == []


def test_public_pool_release_leaves_a_version_with_every_field_it_changed():
	rep = make_user()
	with frozen_clock(NOW):
		idle = customer_with(
			"Potential Customer",
			account_manager=rep,
			account_manager_since=NOW - datetime.timedelta(days=200),
			last_follow_up_on=NOW - datetime.timedelta(days=200),
		)
		set_values(CUSTOMER, idle.name, creation=NOW - datetime.timedelta(days=200))
		busy = customer_with("Potential Customer", account_manager=rep).name
		with History([idle.name, busy]) as history:
			assert release_idle_customers_to_pool() >= 1
		changes = history.check("Scheduled Job Type")
		assert set(changes) == {idle.name}
		assert changes[idle.name]["account_manager"] == (rep, None)
		assert changes[idle.name]["in_public_pool"] == (0, 1)
		assert "pool_released_on" in changes[idle.name]


def test_plans_job_moving_the_next_follow_up_leaves_a_version():
	frappe.db.sql("UPDATE `tabCIMS Follow-Up Plan` SET enabled = 0")  # rolled back with the test
	step_type = frappe.get_meta("CIMS Follow-Up Plan Step").get_field("follow_up_type").options.split("\n")[0]
	frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up Plan",
			"plan_name": f"计划{frappe.generate_hash(length=6)}",
			"lifecycle_stage": "Intent Customer",
			"enabled": 1,
			"frequency_days": 7,
			"steps": [{"sequence": 1, "follow_up_type": step_type, "offset_days": 0}],
		}
	).insert()
	rep = make_user()
	with frozen_clock(NOW):
		planned = customer_with("Intent Customer", account_manager=rep).name
		other = customer_with("Active Customer", account_manager=rep).name
		with History([planned, other]) as history:
			assert create_planned_follow_ups()["created"] == 1
		changes = history.check("Scheduled Job Type")
		assert set(changes) == {planned}
		assert set(changes[planned]) == {"next_follow_up_on"}


# Values mirrored from other records


def primary_contact_of(customer: str, mobile: str) -> str:
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": '小红 "R&D"',
			"last_name": "李",
			"phone_nos": [{"phone": mobile, "is_primary_mobile_no": 1}],
			"email_ids": [{"email_id": f"li{frappe.generate_hash(length=6)}@example.com", "is_primary": 1}],
			"links": [{"link_doctype": CUSTOMER, "link_name": customer}],
		}
	).insert()
	set_values(CUSTOMER, customer, primary_contact=contact.name)
	contact.save()  # the mirror now holds the contact's values
	return contact.name


def test_contact_change_mirrored_onto_the_customer_leaves_a_version_through_the_contact():
	customer = customer_with("Intent Customer").name
	bystander = customer_with("Intent Customer").name
	contact = frappe.get_doc("Contact", primary_contact_of(customer, valid_mobile()))
	new_mobile, new_email = valid_mobile(), f"new{frappe.generate_hash(length=6)}@example.com"
	contact.phone_nos[0].phone = new_mobile
	contact.email_ids[0].email_id = new_email
	with History([customer, bystander]) as history:
		contact.save()
	changes = history.check("Contact")
	assert set(changes) == {customer}
	assert changes[customer]["mobile_no"][1] == new_mobile
	assert changes[customer]["email_id"][1] == new_email
	reference = json.loads(history.versions[0].data)["updater_reference"]
	assert reference["docname"] == contact.name
	# The timeline puts the label into a link unescaped: a contact's name must not become markup there.
	assert '"' not in reference["label"] and "&quot;R&amp;D&quot;" in reference["label"]
	with History([customer, bystander]) as unchanged:
		contact.save()
	assert unchanged.versions == []


def test_completed_follow_up_moving_the_customers_dates_leaves_a_version_by_its_user():
	rep = make_user()
	customer = customer_with("Intent Customer", account_manager=rep).name
	with History([customer]) as history:
		frappe.set_user(rep)
		completed_follow_up(customer, completed_on=frappe.utils.now_datetime())
		frappe.set_user("Administrator")
	changes = history.check("CIMS Follow-Up", owner=rep)
	assert set(changes[customer]) == {"last_follow_up_on"}


@pytest.mark.parametrize("count", [30])
def test_job_writes_its_versions_in_a_bounded_number_of_queries(count):
	"""Set-based: the statements a job sends do not grow with the number of customers it changes."""
	with frozen_clock(NOW):
		customers = [customer_with("Active Customer").name for _ in range(count)]
		update_value_tiers()
		for name in customers:
			won(name, 600000, TODAY - datetime.timedelta(days=10))
		statements = []
		original = frappe.db.sql

		def counting(query, *args, **kwargs):
			statements.append(query)
			return original(query, *args, **kwargs)

		frappe.db.sql = counting
		try:
			with History(customers) as history:
				update_value_tiers()
		finally:
			frappe.db.sql = original
		assert set(history.check("Scheduled Job Type")) == set(customers)
		assert len(statements) < 15, statements


def test_desk_timeline_reads_a_job_version_as_a_change_of_the_customer():
	"""The form's timeline (frappe.desk.form.load) hands these rows to the version timeline builder,
	which reads `changed` and `updater_reference`."""
	from frappe.desk.form.load import get_versions

	with frozen_clock(NOW):
		customer = customer_with("Potential Customer", NOW - datetime.timedelta(days=400))
		set_values(CUSTOMER, customer.name, creation=NOW - datetime.timedelta(days=400))
		flag_low_value_leads()
	versions = get_versions(frappe.get_doc(CUSTOMER, customer.name))
	data = json.loads(versions[0].data)
	assert data["changed"] == [["low_value_lead", 0, 1]]
	assert data["updater_reference"]["doctype"] == "Scheduled Job Type"
	assert data["updater_reference"]["docname"] == "leads.flag_low_value_leads"
	assert data["updater_reference"]["label"]
