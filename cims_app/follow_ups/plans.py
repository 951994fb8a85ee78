"""Follow-up plans follow the customer's lifecycle stage: the plan of the stage a customer is in keeps one
Planned follow-up open for it (see cims_app.domain.plans); a plan whose stage the customer has left
stops, and its open Planned follow-ups are cancelled. Set-based: a few statements per plan, whatever
the number of customers, and the same code for the daily job and for one customer changing stage."""

import datetime

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime, nowdate

from cims_app.db.automations import SiteAutomations
from cims_app.db.bulk_insert import SeriesNames, default_series, insert_rows
from cims_app.db.bulk_update import record_versions
from cims_app.domain.follow_up_flow import CANCELLED, PLANNED
from cims_app.domain.plans import PlanStep, next_occurrence
from cims_app.follow_ups.saving import refresh_customer_follow_up_dates

FOLLOW_UP = "CIMS Follow-Up"
PLAN_HOUR = datetime.time(9, 0)
# The fields of a planned follow-up that a plan sets.
PLANNED_FIELDS = (
	"customer",
	"customer_name",
	"follow_up_type",
	"scheduled_on",
	"assigned_to",
	"template",
	"content",
	"next_action",
	"follow_up_plan",
)
_SAVEPOINT = "cims_planned_follow_up"
CANCEL_CHUNK = 5000


def sync_plans(
	customers: list[str] | None = None,
	today: datetime.date | None = None,
	reference: dict | None = None,
	new: bool = False,
) -> dict:
	"""Stop the plans customers left and create the follow-ups their current plans call for.

	`customers` None means every customer; `new` says they were created just now (an import's chunk), so that
	they have no follow-up to stop; `reference` is what the customers' moved follow-up dates are recorded as
	coming through in their history. Returns {"cancelled": n, "created": n}.
	"""
	today = today or getdate(nowdate())
	if customers is not None:
		customers = sorted({c for c in customers if c})
		if not customers:
			return {"cancelled": 0, "created": 0}
	cancelled_for = [] if new else stop_left_plans(customers, reference)
	created_for = start_current_plans(customers, today)
	refresh_customer_follow_up_dates(sorted(set(cancelled_for) | set(created_for)), reference=reference)
	return {"cancelled": len(cancelled_for), "created": len(created_for)}


def stop_left_plans(customers: list[str] | None, reference: dict | None = None) -> list[str]:
	"""Cancel open plan follow-ups whose plan is not the plan of the customer's stage, each with a Version row
	(status Planned -> Called Off, `reference`: what it came through) as a save would leave; return their
	customers."""
	values = {"called_off": CANCELLED}
	restrict = ""
	if customers is not None:
		values["customers"] = tuple(customers)
		restrict = "AND fu.customer IN %(customers)s"
	candidates = frappe.db.sql(
		f"""
		SELECT fu.name, fu.customer
		FROM `tabCIMS Follow-Up` fu
		JOIN `tabCIMS Customer` c ON c.name = fu.customer
		JOIN `tabCIMS Follow-Up Plan` p ON p.name = fu.follow_up_plan
		WHERE fu.status = 'Planned' AND p.lifecycle_stage != c.lifecycle_stage {restrict}
		""",
		values,
	)
	customer_of = dict(candidates)
	left = []
	names = sorted(customer_of)
	for start in range(0, len(names), CANCEL_CHUNK):
		# still Planned now, locked by their keys alone (a follow-up completed meanwhile is left as it is)
		chunk = frappe.db.sql_list(
			"""SELECT name FROM `tabCIMS Follow-Up` WHERE name IN %(names)s AND status = 'Planned'
			FOR UPDATE""",
			{"names": tuple(names[start : start + CANCEL_CHUNK])},
		)
		if chunk:
			frappe.db.sql(
				"UPDATE `tabCIMS Follow-Up` SET status = %(called_off)s, modified = %(now)s WHERE name IN %(names)s",
				{**values, "now": now_datetime(), "names": tuple(chunk)},
			)
			left.extend(chunk)
	record_versions(FOLLOW_UP, {name: {"status": (PLANNED, CANCELLED)} for name in left}, reference)
	return sorted({customer_of[name] for name in left})


def enabled_plans() -> list[frappe._dict]:
	plans = frappe.get_all(
		"CIMS Follow-Up Plan",
		filters={"enabled": 1},
		fields=["name", "lifecycle_stage", "frequency_days"],
		order_by="name",
	)
	steps = frappe.get_all(
		"CIMS Follow-Up Plan Step",
		filters={"parenttype": "CIMS Follow-Up Plan", "parent": ("in", [p.name for p in plans] or [""])},
		fields=["parent", "sequence", "follow_up_type", "template", "offset_days"],
		order_by="idx",
	)
	for plan in plans:
		plan.steps = [
			PlanStep(s.sequence, s.follow_up_type, s.template, int(s.offset_days or 0))
			for s in steps
			if s.parent == plan.name
		]
	return plans


def start_current_plans(customers: list[str] | None, today: datetime.date) -> list[str]:
	"""Create the next follow-up of each enabled plan for the customers of its stage that have none open."""
	templates = _template_texts()
	rows = []
	for plan in enabled_plans():
		for customer in _customers_needing_follow_up(plan, customers):
			anchor = getdate(customer.entered_on)
			not_before = today
			if customer.last_planned_on:
				not_before = max(today, getdate(customer.last_planned_on) + datetime.timedelta(days=1))
			due, step = next_occurrence(anchor, plan.frequency_days, plan.steps, not_before)
			template = templates.get(step.template) or frappe._dict()
			rows.append(
				{
					"customer": customer.name,
					"customer_name": customer.customer_name,
					"follow_up_type": step.follow_up_type,
					"scheduled_on": datetime.datetime.combine(due, PLAN_HOUR),
					"assigned_to": customer.account_manager,
					"template": step.template,
					"content": template.get("content"),
					"next_action": template.get("next_action"),
					"follow_up_plan": plan.name,
				}
			)
	return [row["customer"] for row in insert_planned_follow_ups(rows)]


def _customers_needing_follow_up(plan, customers: list[str] | None) -> list[frappe._dict]:
	"""Customers in the plan's stage, with an owner, having no open follow-up of the plan; with the date
	they entered the stage and the latest follow-up of the plan created since then."""
	values = {"plan": plan.name, "stage": plan.lifecycle_stage}
	restrict = ""
	if customers is not None:
		values["customers"] = tuple(customers)
		restrict = "AND c.name IN %(customers)s"
	return frappe.db.sql(
		f"""
		SELECT c.name, c.customer_name, c.account_manager,
			COALESCE(c.lifecycle_stage_changed_on, c.creation) AS entered_on,
			f.last_planned_on
		FROM `tabCIMS Customer` c
		LEFT JOIN (
			SELECT fu.customer,
				MAX(CASE WHEN fu.creation >= COALESCE(c2.lifecycle_stage_changed_on, c2.creation)
					THEN fu.scheduled_on END) AS last_planned_on,
				SUM(fu.status = 'Planned') AS open_count
			FROM `tabCIMS Follow-Up` fu
			JOIN `tabCIMS Customer` c2 ON c2.name = fu.customer
			WHERE fu.follow_up_plan = %(plan)s
			GROUP BY fu.customer
		) f ON f.customer = c.name
		WHERE c.lifecycle_stage = %(stage)s
			AND IFNULL(c.account_manager, '') != ''
			AND IFNULL(c.in_public_pool, 0) = 0
			AND IFNULL(f.open_count, 0) = 0
			{restrict}
		""",
		values,
		as_dict=True,
	)


def _template_texts() -> dict:
	return {
		t.name: t
		for t in frappe.get_all("CIMS Follow-Up Template", fields=["name", "content", "next_action"])
	}


def insert_planned_follow_ups(rows: list[dict]) -> list[dict]:
	"""Insert Planned follow-ups as the form would: in bulk, named from the DocType's naming series, and the
	site's after-write automations for follow-ups (an After Insert Server Script, a Notification…) run on
	each; one by one through Document.insert when one acts before the write or names the record (a Document
	Naming Rule), a refused row logged and left out. Returns the rows written, each with its name."""
	if not rows:
		return []
	automations = SiteAutomations(FOLLOW_UP)
	if automations.before_write:
		return [row for row in rows if _insert_one(row)]
	now = now_datetime()
	names = SeriesNames(default_series(FOLLOW_UP)).take(len(rows))
	insert_rows(
		FOLLOW_UP,
		["name", "creation", "modified", "owner", "modified_by", "docstatus", "status", *PLANNED_FIELDS],
		[
			(
				name,
				now,
				now,
				"Administrator",
				"Administrator",
				0,
				PLANNED,
				*(row.get(f) for f in PLANNED_FIELDS),
			)
			for name, row in zip(names, rows, strict=True)
		],
	)
	for row, name in zip(rows, names, strict=True):
		row["name"] = name
	automations.run_after_write(names)
	return rows


def _insert_one(row: dict) -> bool:
	"""A planned follow-up through Document.insert, in a savepoint: False (and the error logged) where the
	site's automations refuse it."""
	frappe.db.savepoint(_SAVEPOINT)
	try:
		doc = frappe.get_doc(
			{"doctype": FOLLOW_UP, "status": PLANNED, **{f: row.get(f) for f in PLANNED_FIELDS}}
		)
		doc.insert(ignore_permissions=True)
	except Exception:
		frappe.db.rollback(save_point=_SAVEPOINT)
		frappe.log_error(title=_("CIMS: a planned follow-up was refused"), reference_doctype=FOLLOW_UP)
		return False
	frappe.db.release_savepoint(_SAVEPOINT)
	row["name"] = doc.name
	return True


def follow_stage_plans(customer_doc) -> None:
	"""Called when a customer is saved: a new customer or a changed stage stops the old plan and starts the
	new one."""
	if customer_doc.has_value_changed("lifecycle_stage"):
		sync_plans([customer_doc.name])
