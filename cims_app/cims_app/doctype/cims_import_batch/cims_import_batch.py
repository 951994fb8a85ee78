# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import json

import frappe
from frappe import _
from frappe.model.document import Document

from cims_app.typed_fields import TypedFields


class CIMSImportBatch(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amounts_in_wan: DF.Check
		column_mapping: DF.Code | None
		conflict_policy: DF.Literal["Fill Empty", "Overwrite", "Keep Existing"]
		error_file: DF.Attach | None
		failed: DF.Int
		import_doctype: DF.Literal["CIMS Customer", "Contact", "CIMS Follow-Up", "CIMS Opportunity"]
		import_file: DF.Attach
		import_type: DF.Literal["Insert", "Update", "Merge"]
		inserted: DF.Int
		log: DF.Code | None
		merged: DF.Int
		rows_read: DF.Int
		skipped: DF.Int
		source_label: DF.Data | None
		status: DF.Literal[
			"Draft", "Previewed", "Queued", "Running", "Completed", "Partially Completed", "Failed"
		]
		updated: DF.Int

	# end: auto-generated types
	def validate(self):
		if self.column_mapping:
			try:
				mapping = json.loads(self.column_mapping)
			except ValueError:
				frappe.throw(_("Column Mapping is not valid JSON"))
			if not isinstance(mapping, dict):
				frappe.throw(_("Column Mapping must map each column header to a fieldname"))
		if self.has_value_changed("import_file") and not self.is_new():
			self.column_mapping = None
			self.preview_html = None
		if self.import_file and (self.is_new() or self.has_value_changed("import_file")):
			from cims_app.importer.engine import readable_import_file

			readable_import_file(self.import_file)  # an import reads only a file its user may read

	def on_trash(self):
		frappe.db.delete("CIMS Import Row", {"batch": self.name})

	@frappe.whitelist()
	def preview(self) -> dict:
		"""Check the file and show the mapping and first rows before anything is written."""
		from cims_app.importer.preview import preview_batch

		self.check_permission("write")
		return preview_batch(self)

	@frappe.whitelist()
	def start_import(self) -> dict:
		"""Run the import as a background job on the long queue."""
		from cims_app.importer.engine import enqueue_batch

		self.check_permission("write")
		return enqueue_batch(self)

	@frappe.whitelist()
	def possible_duplicates(self) -> list[dict]:
		"""Customers this batch created that may be the same as others, for a person to confirm and merge."""
		self.check_permission("read")
		return frappe.get_all(
			"CIMS Import Row",
			filters={"batch": self.name, "possible_duplicates": ("is", "set")},
			fields=["sheet_row", "record", "possible_duplicates"],
			order_by="sheet_row asc",
			limit_page_length=500,
		)
