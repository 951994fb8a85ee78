"""The error workbook of a batch: its failed rows with their original columns, a reason column and the
bad cells filled red. Imported again into the same batch, each row replaces its failed original (the
Import Row ID column says which)."""

import datetime
import json
import re
from io import BytesIO

import frappe
from frappe import _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from cims_app.imports.schema import REASON_LABEL, ROW_REF_LABEL

LEDGER = "CIMS Import Row"
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
REASON_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?$")


def build_error_workbook(batch: str) -> bytes:
	entries = frappe.db.sql(
		f"""SELECT name, sheet_row, message, cells, bad_columns FROM `tab{LEDGER}`
		WHERE batch = %s AND status = 'Failed' ORDER BY sheet_row, name""",
		(batch,),
		as_dict=True,
	)
	headers: dict[str, None] = {}
	parsed = []
	for entry in entries:
		cells = json.loads(entry.cells or "{}")
		bad = set(json.loads(entry.bad_columns or "[]"))
		headers.update(dict.fromkeys(cells))
		parsed.append((entry, cells, bad))
	columns = list(headers)

	workbook = Workbook()
	sheet = workbook.active
	sheet.title = _("Failed Rows")[:31]
	heading = [*columns, _(REASON_LABEL), _(ROW_REF_LABEL)]
	for index, text in enumerate(heading, start=1):
		cell = sheet.cell(row=1, column=index, value=text)
		cell.font = Font(bold=True)
		cell.fill = HEADER_FILL
		sheet.column_dimensions[cell.column_letter].width = max(12, min(40, len(str(text)) * 2 + 2))
	sheet.column_dimensions[sheet.cell(row=1, column=len(columns) + 1).column_letter].width = 60
	for line, (entry, cells, bad) in enumerate(parsed, start=2):
		for index, header in enumerate(columns, start=1):
			cell = sheet.cell(row=line, column=index)
			write_value(cell, cells.get(header))
			if header in bad:
				cell.fill = BAD_FILL
		reason = sheet.cell(row=line, column=len(columns) + 1, value=entry.message or "")
		reason.data_type = "s"
		reason.fill = REASON_FILL
		sheet.cell(row=line, column=len(columns) + 2, value=entry.name).data_type = "s"
	sheet.freeze_panes = "A2"
	output = BytesIO()
	workbook.save(output)
	return output.getvalue()


def write_value(cell, value) -> None:
	"""Put a cell back as the user wrote it: dates as dates, text as text (never as a formula)."""
	if isinstance(value, str) and _ISO_MOMENT.match(value):
		moment = datetime.datetime.fromisoformat(value)
		cell.value = moment
		cell.number_format = "yyyy-mm-dd" if moment.time() == datetime.time() else "yyyy-mm-dd hh:mm:ss"
		return
	cell.value = value
	if isinstance(value, str):
		cell.data_type = "s"


def attach_error_workbook(batch) -> str:
	"""Save the error workbook as the batch's private Error Workbook attachment (replacing the last one)."""
	for old in frappe.get_all(
		"File",
		filters={
			"attached_to_doctype": batch.doctype,
			"attached_to_name": batch.name,
			"attached_to_field": "error_file",
		},
		pluck="name",
	):
		frappe.delete_doc("File", old, ignore_permissions=True, force=True)
	file_doc = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{batch.name}-{_('failed-rows')}.xlsx",
			"attached_to_doctype": batch.doctype,
			"attached_to_name": batch.name,
			"attached_to_field": "error_file",
			"is_private": 1,
			"content": build_error_workbook(batch.name),
		}
	)
	file_doc.save(ignore_permissions=True)
	return file_doc.file_url
