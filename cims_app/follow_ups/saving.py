"""What saving a follow-up sets in motion: status rules, the next follow-up with its Event and ToDo, the
customer's stage, and the customer's follow-up dates (set-based, with a Version row per customer whose
dates moved)."""

import datetime

import frappe
from frappe import _
from frappe.desk.form.assign_to import add as add_assignment
from frappe.desk.form.assign_to import close_all_assignments
from frappe.utils import get_datetime, strip_html

from cims_app.db.bulk_update import record_reference, write_changes
from cims_app.db.indexes import put_index
from cims_app.domain.follow_up_flow import COMPLETED, PLANNED, check_status_move, is_closing
from cims_app.domain.follow_up_rules import check_completion
from cims_app.records.validation import get_setting, run_rule
from cims_app.reminders.reader_texts import reader_languages

FOLLOW_UP = "CIMS Follow-Up"
EVENT_MINUTES = 30
# Follow-up type → the framework Event's category.
EVENT_CATEGORY = {
	"Phone Call": "Call",
	"Meeting": "Meeting",
	"Customer Visit": "Meeting",
	"E-mail": "Sent/Received Email",
}
# One customer's follow-ups in status and date order, covering what the customer's follow-up dates and the
# daily churn facts read: both group by customer along it without a temporary table or a row lookup. With
# the rep, result and rating it also covers a rep's Follow-Up Activity and Sales Performance, which read
# their customers' completed follow-ups of a period (at 1,000,000 customers 1.3 s with a row lookup each,
# 1.0 s without).
CUSTOMER_HISTORY_INDEX = "customer_history_index"
CUSTOMER_HISTORY_COLUMNS = [
	"customer",
	"status",
	"completed_on",
	"scheduled_on",
	"follow_up_type",
	"customer_feedback",
	"assigned_to",
	"result",
	"satisfaction_score",
]


def add_customer_history_index() -> None:
	"""Called from the DocType's on_doctype_update (install, migrate): made, or made again where an earlier
	version made it with fewer columns."""
	put_index(FOLLOW_UP, CUSTOMER_HISTORY_INDEX, CUSTOMER_HISTORY_COLUMNS)
	_history_index_on.pop(frappe.local.site, None)


def customer_history_hint() -> str:
	"""FORCE INDEX for GROUP BY customer over many follow-ups (MariaDB otherwise prefers the status index
	and sorts in a temporary table), when the index exists."""
	site = frappe.local.site
	if site not in _history_index_on:
		_history_index_on[site] = bool(frappe.db.has_index(f"tab{FOLLOW_UP}", CUSTOMER_HISTORY_INDEX))
	return f"FORCE INDEX (`{CUSTOMER_HISTORY_INDEX}`)" if _history_index_on[site] else ""


_history_index_on: dict[str, bool] = {}  # per site, for the life of the process


def refresh_customer_follow_up_dates(
	customers=None, exclude: str | None = None, reference: dict | None = None
) -> int:
	"""Set last_follow_up_on (latest completed) and next_follow_up_on (earliest planned) of `customers`
	(None: every customer): one SELECT of the stored and the current dates, one bulk UPDATE of those that
	moved with a Version row each (`reference`: what moved them). `exclude` leaves out a follow-up being
	deleted. Returns how many customers changed."""
	values = {"exclude": exclude or ""}
	follow_up_where = "fu.name != %(exclude)s"
	customer_where = "1 = 1"
	if customers is not None:
		values["customers"] = tuple(sorted({c for c in customers if c}))
		if not values["customers"]:
			return 0
		follow_up_where += " AND fu.customer IN %(customers)s"
		customer_where = "c.name IN %(customers)s"
	hint = customer_history_hint()
	rows = frappe.db.sql(
		f"""
		SELECT c.name, c.last_follow_up_on, c.next_follow_up_on, f.last_on, f.next_on
		FROM `tabCIMS Customer` c
		LEFT JOIN (
			SELECT fu.customer,
				MAX(CASE WHEN fu.status = 'Completed' THEN fu.completed_on END) AS last_on,
				MIN(CASE WHEN fu.status = 'Planned' THEN fu.scheduled_on END) AS next_on
			FROM `tabCIMS Follow-Up` fu {hint}
			WHERE {follow_up_where}
			GROUP BY fu.customer
		) f ON f.customer = c.name
		WHERE {customer_where}
		""",
		values,
	)
	return write_changes(
		"CIMS Customer",
		["last_follow_up_on", "next_follow_up_on"],
		{name: (last_on, next_on) for name, last_on, next_on, _last, _next in rows},
		{name: (last_on, next_on) for name, _last, _next, last_on, next_on in rows},
		reference,
	)


def follow_up_reference(name: str) -> dict:
	"""The `updater_reference` of customer changes a follow-up brings about (its dates on the customer)."""
	return record_reference(FOLLOW_UP, name, _("via follow-up {0}").format(name))


# Save path of CIMS Follow-Up (called by its controller)


def validate_follow_up(doc) -> None:
	before = doc.get_doc_before_save()
	run_rule(check_status_move, before.status if before else None, doc.status, doc=doc)
	if doc.status == PLANNED and not doc.scheduled_on:
		doc.scheduled_on = frappe.utils.now_datetime()
	if doc.status == COMPLETED:
		run_rule(
			check_completion,
			doc.status,
			strip_html(doc.content or ""),
			doc.next_action,
			min_content_length=int(get_setting("follow_up_min_content_length", 10)),
			doc=doc,
		)
		doc.completed_on = doc.completed_on or frappe.utils.now_datetime()
	if doc.next_follow_up_on and get_datetime(doc.next_follow_up_on) <= get_datetime(
		doc.completed_on or doc.scheduled_on or frappe.utils.now_datetime()
	):
		frappe.throw(
			_("Next follow-up on must be later than this follow-up"),
			title=_("Invalid Value"),
			exc=frappe.ValidationError,
		)


def on_follow_up_update(doc) -> None:
	before = doc.get_doc_before_save()
	old_status = before.status if before else None
	refresh_customer_follow_up_dates(
		[doc.customer, before.customer if before else None], reference=follow_up_reference(doc.name)
	)
	if doc.assigned_to and (not before or before.assigned_to != doc.assigned_to):
		share_with_assignee(doc)
	if is_closing(old_status, doc.status):
		close_follow_up_reminders(doc)
	elif (
		doc.status == PLANNED
		and before
		and get_datetime(before.scheduled_on) != get_datetime(doc.scheduled_on)
	):
		move_follow_up_reminders(doc)
	if doc.status == COMPLETED:
		schedule_next_follow_up(doc)
		if doc.stage_after and (old_status != COMPLETED or before.stage_after != doc.stage_after):
			apply_stage_after(doc)


def share_with_assignee(doc) -> None:
	"""Someone assigned a follow-up on a customer they do not manage gets it shared (read and write): the
	framework's own way, as assigning a ToDo does, which every path (form, list, count, link search,
	reports) honours through cims_app.access.permissions."""
	if doc.assigned_to == "Administrator" or frappe.has_permission(
		doc.doctype, "write", doc=doc, user=doc.assigned_to
	):
		return
	frappe.share.add_docshare(
		doc.doctype,
		doc.name,
		doc.assigned_to,
		read=1,
		write=1,
		flags={"ignore_share_permission": True},
		notify=0,
	)


def on_follow_up_trash(doc) -> None:
	refresh_customer_follow_up_dates(
		[doc.customer], exclude=doc.name, reference=follow_up_reference(doc.name)
	)
	# The follow-up's own calendar entries go with it; a next follow-up only loses its back link.
	for event in _linked_events(doc.name):
		frappe.delete_doc("Event", event, ignore_permissions=True, force=True)
	fu = frappe.qb.DocType(FOLLOW_UP)
	frappe.qb.update(fu).set(fu.previous_follow_up, None).where(fu.previous_follow_up == doc.name).run()


def schedule_next_follow_up(doc) -> str | None:
	"""Create the Planned follow-up that `next_follow_up_on` asks for (once), with an Event and a ToDo for
	its owner; when it exists and is still planned, move it to the new date instead."""
	if not doc.next_follow_up_on:
		return None
	existing = frappe.db.get_value(
		FOLLOW_UP, {"previous_follow_up": doc.name}, ["name", "status", "scheduled_on"], as_dict=True
	)
	if existing:
		if existing.status == PLANNED and get_datetime(existing.scheduled_on) != get_datetime(
			doc.next_follow_up_on
		):
			follow_up = frappe.get_doc(FOLLOW_UP, existing.name)
			follow_up.scheduled_on = doc.next_follow_up_on
			follow_up.save(ignore_permissions=True)
		return existing.name

	owner = doc.assigned_to or frappe.session.user
	follow_up = frappe.get_doc(
		{
			"doctype": FOLLOW_UP,
			"customer": doc.customer,
			"contact": doc.contact,
			"opportunity": doc.opportunity,
			"campaign": doc.campaign,
			"follow_up_type": doc.follow_up_type,
			"status": PLANNED,
			"scheduled_on": doc.next_follow_up_on,
			"assigned_to": owner,
			"previous_follow_up": doc.name,
		}
	).insert(ignore_permissions=True)
	_create_event(follow_up, doc.next_action)
	add_assignment(
		{
			"assign_to": [owner],
			"doctype": FOLLOW_UP,
			"name": follow_up.name,
			# The ToDo is the owner's: written in their language, not the language of whoever completed this.
			"description": doc.next_action
			or _("Follow up with {0}", lang=reader_languages([owner])[owner]).format(
				follow_up.customer_name or follow_up.customer
			),
			"date": get_datetime(follow_up.scheduled_on).date(),
		},
		ignore_permissions=True,
	)
	return follow_up.name


def _create_event(follow_up, agenda: str | None) -> str:
	starts_on = get_datetime(follow_up.scheduled_on)
	event = frappe.get_doc(
		{
			"doctype": "Event",
			"subject": _("Follow-up: {0}").format(follow_up.customer_name or follow_up.customer),
			"event_category": EVENT_CATEGORY.get(follow_up.follow_up_type, "Event"),
			"event_type": "Private",
			"starts_on": starts_on,
			"ends_on": starts_on + datetime.timedelta(minutes=EVENT_MINUTES),
			"description": agenda,
			"event_participants": [
				{"reference_doctype": FOLLOW_UP, "reference_docname": follow_up.name},
				{"reference_doctype": "CIMS Customer", "reference_docname": follow_up.customer},
			],
		}
	).insert(ignore_permissions=True)
	# A private Event shows in its owner's calendar: make it the follow-up owner's.
	frappe.db.set_value("Event", event.name, "owner", follow_up.assigned_to, update_modified=False)
	return event.name


def _linked_events(follow_up: str) -> list[str]:
	return frappe.get_all(
		"Event Participants",
		filters={"reference_doctype": FOLLOW_UP, "reference_docname": follow_up, "parenttype": "Event"},
		pluck="parent",
	)


def close_follow_up_reminders(doc) -> None:
	"""A completed or cancelled follow-up closes its ToDos and its calendar Events."""
	close_all_assignments(FOLLOW_UP, doc.name, ignore_permissions=True)
	events = _linked_events(doc.name)
	if events:
		event = frappe.qb.DocType("Event")
		status = "Completed" if doc.status == COMPLETED else "Cancelled"
		frappe.qb.update(event).set(event.status, status).where(event.name.isin(events)).run()


def move_follow_up_reminders(doc) -> None:
	"""A rescheduled planned follow-up moves its Events and its open ToDos."""
	starts_on = get_datetime(doc.scheduled_on)
	events = _linked_events(doc.name)
	if events:
		event = frappe.qb.DocType("Event")
		(
			frappe.qb.update(event)
			.set(event.starts_on, starts_on)
			.set(event.ends_on, starts_on + datetime.timedelta(minutes=EVENT_MINUTES))
			.where(event.name.isin(events))
		).run()
	todo = frappe.qb.DocType("ToDo")
	(
		frappe.qb.update(todo)
		.set(todo.date, starts_on.date())
		.where(
			(todo.reference_type == FOLLOW_UP) & (todo.reference_name == doc.name) & (todo.status == "Open")
		)
	).run()


def apply_stage_after(doc) -> None:
	"""Move the customer to the follow-up's `stage_after` through the lifecycle workflow (as the user saving)."""
	from cims_app.customers.lifecycle import move_customer_stage

	move_customer_stage(doc.customer, doc.stage_after, source="follow_up")


def template_content(template: str) -> dict:
	"""Content and next action of a follow-up template."""
	return (
		frappe.db.get_value(
			"CIMS Follow-Up Template", template, ["content", "next_action", "follow_up_type"], as_dict=True
		)
		or frappe._dict()
	)
