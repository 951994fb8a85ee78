"""CIMS Stage Change rows: one per lifecycle or sales-stage move, whatever path made it."""

import frappe
from frappe.utils import now_datetime, time_diff_in_seconds

SECONDS_PER_DAY = 86400


def record_stage_change(doc, stage_field: str, customer: str | None = None) -> None:
	"""Write a CIMS Stage Change when `stage_field` differs from the saved version."""
	before = doc.get_doc_before_save()
	from_stage = before.get(stage_field) if before else None
	to_stage = doc.get(stage_field)
	if not before or from_stage == to_stage:
		return

	changed_on = now_datetime()
	entered_on = _entered_current_stage_on(doc)
	frappe.get_doc(
		{
			"doctype": "CIMS Stage Change",
			"reference_doctype": doc.doctype,
			"reference_name": doc.name,
			"customer": customer,
			"from_stage": from_stage,
			"to_stage": to_stage,
			"changed_by": frappe.session.user,
			"changed_on": changed_on,
			"days_in_previous_stage": round(
				time_diff_in_seconds(changed_on, entered_on) / SECONDS_PER_DAY, 2
			),
			"source": change_source(doc),
		}
	).insert(ignore_permissions=True)


# Whitelisted methods by the kind of move they make (anything else called over /api/method is "api").
WORKFLOW_METHODS = ("frappe.model.workflow.apply_workflow", "frappe.model.workflow.bulk_workflow_approval")
DESK_FORM_METHODS = (
	"frappe.desk.form.save.savedocs",
	"frappe.desk.doctype.kanban_board.kanban_board.update_order_for_single_card",
)


def change_source(doc) -> str:
	"""form, workflow, api, import or job; callers that know better set doc.flags.stage_change_source."""
	if doc.flags.stage_change_source:
		return doc.flags.stage_change_source
	if frappe.flags.in_import:
		return "import"
	request = getattr(frappe.local, "request", None)
	if request is None:
		return "job"
	path = request.path or ""
	if path.startswith(("/api/resource", "/api/v2/document")):
		return "api"
	method = path.rsplit("/", 1)[-1] if path.startswith(("/api/method/", "/api/v2/method/")) else ""
	method = method or frappe.form_dict.get("cmd") or ""
	if method in WORKFLOW_METHODS:
		return "workflow"
	if method in DESK_FORM_METHODS or not method:
		return "form"
	return "api"


def _entered_current_stage_on(doc):
	last = frappe.get_all(
		"CIMS Stage Change",
		filters={"reference_doctype": doc.doctype, "reference_name": doc.name},
		fields=["changed_on"],
		order_by="changed_on desc",
		limit=1,
	)
	return last[0].changed_on if last else doc.creation
