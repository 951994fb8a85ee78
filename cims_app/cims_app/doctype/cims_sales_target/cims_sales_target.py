# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate

from cims_app.records.typed_fields import TypedFields


class CIMSSalesTarget(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		period_end: DF.Date
		period_start: DF.Date
		sales_team: DF.Link | None
		target_amount: DF.Currency
		target_for: DF.Literal["User", "Sales Team"]
		target_new_customers: DF.Int
		user: DF.Link | None

	# end: auto-generated types
	def validate(self):
		if getdate(self.period_end) < getdate(self.period_start):
			frappe.throw(_("The target period cannot end before it starts."), title=_("Invalid Dates"))
		if self.target_for == "User":
			self.sales_team = None
		else:
			self.user = None
