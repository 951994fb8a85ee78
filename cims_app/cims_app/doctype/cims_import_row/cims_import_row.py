# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document

from cims_app.records.typed_fields import TypedFields


class CIMSImportRow(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		bad_columns: DF.SmallText | None
		batch: DF.Link
		cells: DF.LongText | None
		message: DF.SmallText | None
		possible_duplicates: DF.SmallText | None
		record: DF.Data | None
		row_hash: DF.Data | None
		sheet_row: DF.Int
		status: DF.Literal["Inserted", "Updated", "Merged", "Skipped", "Failed"]
	# end: auto-generated types
	pass


def on_doctype_update():
	"""One ledger row per distinct source row of a batch: the database refuses a second."""
	frappe.db.add_unique("CIMS Import Row", ["batch", "row_hash"], constraint_name="unique_batch_row_hash")
