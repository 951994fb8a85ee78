# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import json

import frappe
from frappe import _
from frappe.model.document import Document

from cims_app.records.typed_fields import TypedFields

RUN_FIELDS = ["heartbeat", "rows_done", "run_by", "interrupted_on"]


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
		heartbeat: DF.Datetime | None
		import_doctype: DF.Literal["CIMS Customer", "Contact", "CIMS Follow-Up", "CIMS Opportunity"]
		import_file: DF.Attach
		import_type: DF.Literal["Insert", "Update", "Merge"]
		inserted: DF.Int
		interrupted_on: DF.Datetime | None
		log: DF.Code | None
		merged: DF.Int
		rows_done: DF.Int
		rows_read: DF.Int
		run_by: DF.Data | None
		skipped: DF.Int
		source_label: DF.Data | None
		status: DF.Literal[
			"Draft",
			"Previewed",
			"Queued",
			"Running",
			"Interrupted",
			"Completed",
			"Partially Completed",
			"Failed",
		]
		updated: DF.Int

	# end: auto-generated types
	def validate(self):
		if not self.is_new():
			self._keep_run_state()
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
			from cims_app.imports.engine import readable_import_file

			readable_import_file(self.import_file)  # an import reads only a file its user may read

	def _keep_run_state(self):
		"""A form saved with stale values does not overwrite what a run maintains (its state and heartbeat)."""
		current = frappe.db.get_value(self.doctype, self.name, ["status", *RUN_FIELDS], as_dict=True)
		if not current:
			return
		self.update({field: current[field] for field in RUN_FIELDS})
		if current.status in ("Queued", "Running", "Interrupted"):
			self.status = current.status

	def on_trash(self):
		frappe.db.delete("CIMS Import Row", {"batch": self.name})

	@frappe.whitelist()
	def preview(self) -> dict:
		"""Check the file and show the mapping and first rows before anything is written."""
		from cims_app.imports.preview import preview_batch

		self.check_permission("write")
		return preview_batch(self)

	@frappe.whitelist()
	def start_import(self) -> dict:
		"""Run the import as a background job on the long queue."""
		from cims_app.imports.engine import enqueue_batch

		self.check_permission("write")
		return enqueue_batch(self)

	@frappe.whitelist()
	def resume_import(self) -> dict:
		"""Continue an Interrupted batch where its ledger says (a second Resume while one runs is refused)."""
		from cims_app.imports.engine import enqueue_batch
		from cims_app.imports.interruptions import claim_batch

		self.check_permission("write")
		claim_batch(self.name)  # first: a run that is alive is refused with its progress
		if frappe.db.get_value(self.doctype, self.name, "status") != "Interrupted":
			frappe.throw(
				_("Only an interrupted import can be resumed: this batch is {0}").format(_(self.status)),
				title=_("Nothing to Resume"),
			)
		return enqueue_batch(self)

	def onload(self):
		"""A Running batch whose process died shows Interrupted as soon as its form is opened."""
		if self.status in ("Queued", "Running"):
			from cims_app.imports.interruptions import check_batch

			if check_batch(self.name):
				self.reload()

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
