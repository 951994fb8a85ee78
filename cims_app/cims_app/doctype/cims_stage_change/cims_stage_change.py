# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

from frappe.model.document import Document

from cims_app.records.typed_fields import TypedFields


class CIMSStageChange(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		changed_by: DF.Link | None
		changed_on: DF.Datetime | None
		customer: DF.Link | None
		days_in_previous_stage: DF.Float
		from_stage: DF.Data | None
		reference_doctype: DF.Link
		reference_name: DF.DynamicLink
		source: DF.Data | None
		to_stage: DF.Data | None
	# end: auto-generated types
	pass


def on_doctype_update():
	"""Composite indexes for reports and row rules (cims_app/db/indexes.py)."""
	from cims_app.db.indexes import add_stage_change_indexes

	add_stage_change_indexes()
