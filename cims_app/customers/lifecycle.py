"""The customer lifecycle and the opportunity's sales stage: one entry point for stage moves, and the rules
every save keeps whatever path it comes from (form, workflow action, REST, import, job)."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.workflow import WorkflowTransitionError, get_transitions, get_workflow_name
from frappe.utils import getdate, nowdate

from cims_app.domain.lifecycle_rules import (
	INITIAL_STAGE,
	TRANSITIONS,
	SalesStage,
	check_active_requirement,
	check_stage,
	is_system_source,
	reconcile_opportunity_status,
	stage_move_effects,
)
from cims_app.records.validation import run_rule

CUSTOMER = "CIMS Customer"


def move_customer_stage(customer: str | Document, to_stage: str, source: str = "form") -> Document:
	"""Move a customer to the lifecycle stage `to_stage`; every path that moves a stage calls this.

	The customer lifecycle is a framework Workflow on `lifecycle_stage`, and the framework refuses a
	direct change of that field unless the session user holds a transition for it. Follow-ups
	(`stage_after`), jobs, imports and merges move stages too, so they all come through here:

	- `customer` is a CIMS Customer name, or a loaded document (saved with whatever else was changed on it).
	- `source` says where the move comes from and is recorded on the CIMS Stage Change.
	  * User sources ("form", "api", "workflow", "follow_up", anything not listed below) apply the
	    workflow: the session user needs read access to the customer and a transition from the current
	    stage to `to_stage` with one of their roles (and its condition, if any). The transition's role is
	    the authority for the stage, so no write permission on the customer is needed (Customer Service
	    wins back churned customers it does not manage).
	  * System sources ("job", "import", "merge", "approval", "system") are the app's own rules: any stage
	    may be set, with no workflow roles, as the user running them.
	- Whatever the source, `validate_customer_stage` holds: a customer becomes Active only with a won
	  opportunity or a contract amount; churning sets `churned_on`, the first deal `first_deal_date`.

	Returns the customer; when it is already in `to_stage` nothing is saved. Raises
	frappe.ValidationError (WorkflowTransitionError for a move the user may not make).
	"""
	doc = customer if isinstance(customer, Document) else frappe.get_doc(CUSTOMER, customer)
	run_rule(check_stage, to_stage, doc=doc)
	if doc.lifecycle_stage == to_stage:
		return doc
	if is_system_source(source):
		mark_system_move(doc, source)
	else:
		doc.check_permission("read")
		if to_stage not in allowed_next_stages(doc):
			frappe.throw(
				_("You may not move {0} from {1} to {2}").format(
					frappe.bold(doc.customer_name), _(doc.lifecycle_stage), _(to_stage)
				),
				WorkflowTransitionError,
				title=_("Stage Change Not Allowed"),
			)
		doc.flags.stage_change_source = source
	doc.lifecycle_stage = to_stage
	doc.save(ignore_permissions=True)
	return doc


def allowed_next_stages(doc: Document) -> set[str]:
	"""The stages the session user may move `doc` to: the active workflow's transitions for their roles,
	or the app's own transitions when an admin has switched the workflow off."""
	if get_workflow_name(CUSTOMER):
		return {transition.next_state for transition in get_transitions(doc)}
	return {to for (frm, to) in TRANSITIONS if frm == doc.lifecycle_stage}


def mark_system_move(doc: Document, source: str = "system") -> None:
	"""Let the app itself set `doc.lifecycle_stage` (a job, an import creating a customer in a later
	stage, a merge) without the workflow's roles; the lifecycle rules still hold."""
	doc.flags.cims_system_stage_move = True
	doc.flags.stage_change_source = source


def skip_workflow_validation(doc: Document) -> bool:
	"""CIMSCustomer.validate_workflow: system moves are not limited to the session user's transitions."""
	return bool(doc.flags.cims_system_stage_move or frappe.flags.in_import)


def validate_customer_stage(doc: Document) -> None:
	"""Called from CIMSCustomer.validate on every save: a new stage must be a lifecycle stage, Active needs a
	won opportunity or a contract amount, and the move sets its dates."""
	before = doc.get_doc_before_save()
	from_stage = before.lifecycle_stage if before else None
	if from_stage == doc.lifecycle_stage or (not before and doc.lifecycle_stage == INITIAL_STAGE):
		return
	run_rule(check_stage, doc.lifecycle_stage, doc=doc)
	run_rule(
		check_active_requirement, doc.lifecycle_stage, has_won_opportunity(doc), doc.contract_amount, doc=doc
	)
	effects = stage_move_effects(
		from_stage, doc.lifecycle_stage, getdate(nowdate()), doc.churned_on, doc.first_deal_date
	)
	for fieldname, value in effects.items():
		doc.set(fieldname, value)


def has_won_opportunity(doc: Document) -> bool:
	if doc.is_new():
		return False
	return bool(frappe.db.exists("CIMS Opportunity", {"customer": doc.name, "status": "Won"}))


def reconcile_opportunity_stage(doc: Document) -> None:
	"""Called from CIMSOpportunity.validate: a won stage means Won, a lost stage Lost, Won moves the stage on
	to the won stage, moving a Won opportunity back reopens it."""
	stages = _sales_stages()
	before = doc.get_doc_before_save()
	previous_stage = before.sales_stage if before else None
	previous_status = before.status if before else "In Progress"
	outcome = run_rule(
		reconcile_opportunity_status,
		doc.status,
		stages.get(doc.sales_stage),
		_first_won_stage(stages),
		stage_changed=previous_stage != doc.sales_stage,
		status_changed=previous_status != doc.status,
		doc=doc,
	)
	doc.status = outcome.status
	if outcome.stage:
		doc.sales_stage = outcome.stage


def _sales_stages() -> dict[str, SalesStage]:
	rows = frappe.get_all("CIMS Sales Stage", fields=["name", "sequence", "is_won", "is_lost"])
	return {
		row.name: SalesStage(row.name, int(row.sequence or 0), bool(row.is_won), bool(row.is_lost))
		for row in rows
	}


def _first_won_stage(stages: dict[str, SalesStage]) -> SalesStage | None:
	won = sorted((stage for stage in stages.values() if stage.is_won), key=lambda stage: stage.sequence)
	return won[0] if won else None
