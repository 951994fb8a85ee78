"""Helpers of the follow-up and scheduled-job tests: a frozen clock, commits turned into savepoints, and
record factories that set the dates a rule looks at."""

import datetime
from contextlib import contextmanager

import frappe
import pytest
import pytz
from frappe.utils import get_datetime, get_system_timezone

from tests.integration.support import make_customer, unique_suffix

GOOD_CONTENT = "客户确认了报价方案，下周安排技术交流会议"


@contextmanager
def frozen_clock(moment):
	"""Freeze Python's clock at `moment`, read in the site's time zone (what frappe.tests.utils does)."""
	from freezegun import freeze_time

	zone = pytz.timezone(get_system_timezone())
	with freeze_time(zone.localize(get_datetime(moment)).astimezone(pytz.utc)):
		yield


@pytest.fixture(autouse=True)
def commits(monkeypatch, site):
	"""Jobs commit per batch; here each commit becomes a savepoint, so the test's rollback still undoes
	everything and a test can lose the uncommitted part like a killed job would. Yields the commit count."""
	count = []

	def commit(self):
		count.append(1)
		self.savepoint("cims_job_commit")

	monkeypatch.setattr(type(frappe.local.db), "commit", commit)
	frappe.local.outgoing_email_account = {}
	frappe.db.savepoint("cims_job_commit")
	yield count
	# Per-request caches would outlive the rollback of what the test wrote.
	frappe.db.value_cache.pop("CIMS Settings", None)
	frappe.db.value_cache.pop("SMS Settings", None)
	frappe.local.outgoing_email_account = {}


def lose_uncommitted_work() -> None:
	"""What a job killed now leaves behind: everything since its last commit is gone."""
	frappe.db.rollback(save_point="cims_job_commit")


def make_email_account() -> str:
	"""A default outgoing Email Account (not validated against a server in tests)."""
	account = frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": f"CIMS Test {unique_suffix()}",
			"email_id": f"cims-{unique_suffix()}@example.com",
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "localhost",
			"no_smtp_authentication": 1,
		}
	).insert(ignore_permissions=True)
	frappe.local.outgoing_email_account = {}
	return account.name


def queued_emails(recipient: str) -> list:
	queue = frappe.qb.DocType("Email Queue")
	to = frappe.qb.DocType("Email Queue Recipient")
	return (
		frappe.qb.from_(queue)
		.join(to)
		.on(to.parent == queue.name)
		.select(queue.name, queue.message, queue.reference_doctype, queue.reference_name)
		.where(to.recipient == recipient)
	).run(as_dict=True)


def make_user(role: str = "CIMS Sales Rep", **values) -> str:
	"""An enabled system user with one role, written without the User hooks (quick; rolled back with the test)."""
	email = f"cims-job-{unique_suffix()}@example.com"
	user = frappe.get_doc(
		{
			"doctype": "User",
			"name": email,
			"email": email,
			"first_name": role,
			"enabled": 1,
			"user_type": "System User",
			"roles": [{"role": role}],
			**values,
		}
	)
	user.set_new_name(set_name=email)
	user.db_insert()
	for row in user.roles:
		row.db_insert()
	return email


def set_values(doctype: str, name: str, **values) -> None:
	"""Write fields directly (dates a rule reads, stages set outside the workflow) without side effects."""
	frappe.db.set_value(doctype, name, values, update_modified=False)


def customer_with(stage: str = "Active Customer", stage_since=None, **values):
	"""A customer in `stage` since `stage_since` (a datetime; default now), with the other fields set directly."""
	doc = make_customer()
	set_values(
		"CIMS Customer",
		doc.name,
		lifecycle_stage=stage,
		lifecycle_stage_changed_on=stage_since or frappe.utils.now_datetime(),
		**values,
	)
	return frappe.get_doc("CIMS Customer", doc.name)


def make_follow_up(customer: str, **values):
	doc = frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up",
			"customer": customer,
			"follow_up_type": "Phone Call",
			"status": "Planned",
			**values,
		}
	)
	return doc.insert()


def completed_follow_up(customer: str, completed_on, **values):
	return make_follow_up(
		customer,
		status="Completed",
		content=GOOD_CONTENT,
		next_action="发送技术方案",
		completed_on=completed_on,
		**values,
	)


def make_opportunity(customer: str, **values):
	doc = frappe.get_doc(
		{
			"doctype": "CIMS Opportunity",
			"opportunity_title": f"机会{unique_suffix()}",
			"customer": customer,
			"status": "In Progress",
			**values,
		}
	)
	return doc.insert()


def won(customer: str, amount, closed_on):
	return make_opportunity(customer, status="Won", won_amount=amount, closed_on=closed_on)


def reminder_logs(rule: str, reference_name: str | None = None) -> list:
	filters = {"rule": rule}
	if reference_name:
		filters["reference_name"] = reference_name
	return frappe.get_all(
		"CIMS Reminder Log", filters=filters, fields=["reference_name", "recipient", "due_date", "dedupe_key"]
	)


def bells(user: str, document_name: str | None = None) -> list:
	filters = {"for_user": user}
	if document_name:
		filters["document_name"] = document_name
	return frappe.get_all(
		"Notification Log", filters=filters, fields=["subject", "document_type", "document_name"]
	)


def open_todos(reference_name: str) -> list:
	return frappe.get_all(
		"ToDo",
		filters={"reference_name": reference_name, "status": "Open"},
		fields=["allocated_to", "reference_type", "date", "description"],
	)


def days_ago(moment: datetime.datetime, days: int) -> datetime.datetime:
	return moment - datetime.timedelta(days=days)
