# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

from frappe.model.document import Document

from cims_app.records.typed_fields import TypedFields


class CIMSSalesStage(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		is_lost: DF.Check
		is_won: DF.Check
		probability: DF.Percent
		sequence: DF.Int
		stage_name: DF.Data
		stale_after_days: DF.Int
	# end: auto-generated types
	pass
