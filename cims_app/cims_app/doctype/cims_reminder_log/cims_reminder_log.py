# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document

from cims_app.records.typed_fields import TypedFields


class CIMSReminderLog(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		dedupe_key: DF.Data | None
		due_date: DF.Date
		recipient: DF.Link | None
		reference_doctype: DF.Link
		reference_name: DF.DynamicLink
		rule: DF.Data
		sent_on: DF.Datetime | None
	# end: auto-generated types
	pass


def on_doctype_update():
	"""The jobs look up what a rule already sent about a record (e.g. win-back per customer)."""
	frappe.db.add_index("CIMS Reminder Log", ["rule", "reference_doctype", "reference_name"])
