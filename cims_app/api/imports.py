"""Excel import endpoints: the template download, the preview and the start of an import batch."""

import frappe
from frappe import _

from cims_app.imports.schema import IMPORT_DOCTYPES

BATCH = "CIMS Import Batch"


@frappe.whitelist()
def download_template(doctype: str = "CIMS Customer") -> None:
	"""Send the .xlsx template of an import into `doctype` (customers, contacts, follow-ups, opportunities)."""
	if doctype not in IMPORT_DOCTYPES:
		frappe.throw(_("Importing {0} is not supported").format(doctype))
	frappe.has_permission(BATCH, "create", throw=True)
	frappe.has_permission(doctype, "create", throw=True)
	from cims_app.imports.template import build_template

	content = build_template(doctype)
	frappe.response["type"] = "binary"
	frappe.response["filename"] = _("{0} Import Template").format(_(doctype)) + ".xlsx"
	frappe.response["filecontent"] = content


@frappe.whitelist()
def preview(batch: str) -> dict:
	"""Check the batch's file and show the mapping and the first rows with their problems; writes no record."""
	doc = frappe.get_doc(BATCH, batch)
	doc.check_permission("write")
	return doc.preview()


@frappe.whitelist()
def start_import(batch: str) -> dict:
	"""Queue the batch's import as a background job (the Desk follows its progress)."""
	doc = frappe.get_doc(BATCH, batch)
	doc.check_permission("write")
	return doc.start_import()


@frappe.whitelist()
def error_workbook(batch: str) -> None:
	"""Send the workbook of the batch's failed rows (original columns, a reason column, bad cells marked)."""
	doc = frappe.get_doc(BATCH, batch)
	doc.check_permission("read")
	from cims_app.imports.error_workbook import build_error_workbook

	frappe.response["type"] = "binary"
	frappe.response["filename"] = _("{0} Failed Rows").format(doc.name) + ".xlsx"
	frappe.response["filecontent"] = build_error_workbook(doc.name)
