"""The campaign workbook: a summary sheet with the metrics and a sheet with every member the user may read."""

import io

import frappe
from frappe import _
from openpyxl import Workbook

from cims_app.domain.spreadsheet_cells import neutralise_formula

SUMMARY_FIELDS = (
	"campaign_name",
	"campaign_type",
	"format",
	"status",
	"start_datetime",
	"end_datetime",
	"location",
	"platform",
	"owner_user",
	"total_budget",
	"participants",
	"conversions",
	"conversion_rate",
	"revenue",
	"roi",
	"cost_per_participant",
)
MEMBER_FIELDS = (
	"customer",
	"customer_name",
	"contact",
	"status",
	"invited_on",
	"checked_in_at",
	"interactions",
	"watch_minutes",
	"feedback",
	"high_intent",
	"converted",
	"conversion_amount",
)
_TRANSLATED_OPTIONS = {"campaign_type", "format", "status"}


def _label(meta, fieldname: str) -> str:
	return _(meta.get_label(fieldname))


def campaign_workbook(campaign: str) -> bytes:
	"""The .xlsx bytes; text cells that a spreadsheet would run as formulas are neutralised."""
	doc = frappe.get_doc("CIMS Campaign", campaign)
	campaign_meta = frappe.get_meta("CIMS Campaign")
	member_meta = frappe.get_meta("CIMS Campaign Member")
	book = Workbook(write_only=True)

	summary = book.create_sheet(_("Campaign Summary"))
	for fieldname in SUMMARY_FIELDS:
		value = doc.get(fieldname)
		if fieldname in _TRANSLATED_OPTIONS and value:
			value = _(value)
		summary.append([_label(campaign_meta, fieldname), _cell(value)])

	members = book.create_sheet(_("Campaign Members"))
	members.append([_label(member_meta, fieldname) for fieldname in MEMBER_FIELDS])
	rows = frappe.get_list(
		"CIMS Campaign Member",
		filters={"campaign": campaign},
		fields=list(MEMBER_FIELDS),
		order_by="customer_name asc",
		limit_page_length=0,
		as_list=True,
	)
	status_index = MEMBER_FIELDS.index("status")
	for row in rows:
		row = list(row)
		row[status_index] = _(row[status_index]) if row[status_index] else row[status_index]
		members.append([_cell(value) for value in row])

	buffer = io.BytesIO()
	book.save(buffer)
	return buffer.getvalue()


def _cell(value):
	if value is None:
		return None
	if isinstance(value, int | float | str) or hasattr(value, "year"):
		return neutralise_formula(value)
	return float(value) if hasattr(value, "is_finite") else neutralise_formula(str(value))
