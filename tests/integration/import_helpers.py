"""Helpers of the import and merge tests: workbooks built in memory, batches run in-process (the code the
background job runs), and a clean-up of everything a run committed."""

import io
import json

import frappe
import openpyxl
from frappe.utils.file_manager import save_file

from cims_app.imports.engine import ImportRun

BATCH = "CIMS Import Batch"
LEDGER = "CIMS Import Row"


def workbook_bytes(header: list, rows: list, sheet_title: str = "客户", setup=None) -> bytes:
	"""An .xlsx with one sheet: `header` then `rows`; `setup(workbook)` may change it before saving."""
	workbook = openpyxl.Workbook()
	sheet = workbook.active
	sheet.title = sheet_title
	sheet.append(header)
	for row in rows:
		sheet.append(row)
	if setup:
		setup(workbook)
	output = io.BytesIO()
	workbook.save(output)
	return output.getvalue()


class Imports:
	"""Creates batches and remembers them, so `cleanup` removes every record they created."""

	def __init__(self):
		self.batches: list[str] = []
		self.customers: set[str] = set()

	def batch(self, content: bytes, filename: str = "customers.xlsx", **options) -> str:
		doc = frappe.get_doc(
			{
				"doctype": BATCH,
				"import_doctype": options.pop("import_doctype", "CIMS Customer"),
				"import_type": options.pop("import_type", "Insert"),
				"conflict_policy": options.pop("conflict_policy", "Fill Empty"),
				**options,
			}
		)
		doc.flags.ignore_mandatory = True
		doc.insert()
		self.batches.append(doc.name)
		attach(doc.name, content, filename)
		frappe.db.commit()
		return doc.name

	def run(self, batch: str) -> dict:
		result = ImportRun(batch).run()
		self.customers.update(created_customers(batch))
		return result

	def cleanup(self) -> None:
		frappe.db.rollback()
		frappe.set_user("Administrator")
		for batch in self.batches:
			self.customers.update(created_customers(batch))
		remove_customers(sorted(self.customers))
		for batch in self.batches:
			doctype = frappe.db.get_value(BATCH, batch, "import_doctype")
			records = frappe.get_all(
				LEDGER, filters={"batch": batch, "record": ("is", "set")}, pluck="record"
			)
			if doctype == "Contact":
				remove_contacts(records)
			elif doctype in ("CIMS Follow-Up", "CIMS Opportunity"):
				frappe.db.delete("Version", {"ref_doctype": doctype, "docname": ("in", records or [""])})
				frappe.db.delete(doctype, {"name": ("in", records or [""])})
			frappe.db.delete(LEDGER, {"batch": batch})
			for file_name in frappe.get_all(
				"File", filters={"attached_to_doctype": BATCH, "attached_to_name": batch}, pluck="name"
			):
				frappe.delete_doc("File", file_name, ignore_permissions=True, force=True)
			frappe.db.delete(BATCH, {"name": batch})
		frappe.db.commit()


def attach(batch: str, content: bytes, filename: str) -> None:
	"""Attach a new file to the batch as its Import File (what the Desk upload does)."""
	file_doc = save_file(filename, content, BATCH, batch, is_private=1)
	frappe.db.set_value(BATCH, batch, {"import_file": file_doc.file_url, "column_mapping": None})


def created_customers(batch: str) -> set[str]:
	names = set(
		frappe.db.sql_list("SELECT name FROM `tabCIMS Customer` WHERE data_source LIKE %s", (f"%{batch}%",))
	)
	if frappe.db.get_value(BATCH, batch, "import_doctype") == "CIMS Customer":
		names.update(frappe.get_all(LEDGER, filters={"batch": batch, "status": "Inserted"}, pluck="record"))
	return {name for name in names if name}


def contacts_of(customers) -> list[str]:
	customers = list(customers)
	if not customers:
		return []
	return frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "link_doctype": "CIMS Customer", "link_name": ("in", customers)},
		pluck="parent",
	)


def remove_contacts(names) -> None:
	names = sorted(set(filter(None, names)))
	if not names:
		return
	for doctype in ("Contact Phone", "Contact Email", "Dynamic Link"):
		frappe.db.delete(doctype, {"parenttype": "Contact", "parent": ("in", names)})
	frappe.db.delete("Contact", {"name": ("in", names)})


def remove_customers(names) -> None:
	"""Everything that hangs off the customers, then the customers (the app refuses ordinary deletes)."""
	names = sorted(set(filter(None, names)))
	if not names:
		return
	remove_contacts(contacts_of(names))
	follow_ups = frappe.get_all("CIMS Follow-Up", filters={"customer": ("in", names)}, pluck="name")
	opportunities = frappe.get_all("CIMS Opportunity", filters={"customer": ("in", names)}, pluck="name")
	for doctype, records in (
		("CIMS Follow-Up", follow_ups),
		("CIMS Opportunity", opportunities),
		("CIMS Customer", names),
	):
		if records:
			frappe.db.delete("Version", {"ref_doctype": doctype, "docname": ("in", records)})
			frappe.db.delete("ToDo", {"reference_type": doctype, "reference_name": ("in", records)})
			frappe.db.delete("Comment", {"reference_doctype": doctype, "reference_name": ("in", records)})
			frappe.db.delete(doctype, {"name": ("in", records)})
	frappe.db.delete("CIMS Stage Change", {"customer": ("in", names)})
	frappe.db.delete("CIMS Campaign Member", {"customer": ("in", names)})


def ledger(batch: str) -> list[dict]:
	return frappe.get_all(
		LEDGER,
		filters={"batch": batch},
		fields=[
			"name",
			"sheet_row",
			"status",
			"record",
			"message",
			"bad_columns",
			"possible_duplicates",
			"cells",
		],
		order_by="sheet_row asc",
	)


def counts(batch: str) -> dict:
	return frappe.db.get_value(
		BATCH,
		batch,
		["status", "rows_read", "inserted", "updated", "merged", "skipped", "failed", "error_file", "log"],
		as_dict=True,
	)


def file_bytes(file_url: str) -> bytes:
	return frappe.get_doc("File", {"file_url": file_url}).get_content()


def bad_columns(entry: dict) -> set:
	return set(json.loads(entry["bad_columns"] or "[]"))
