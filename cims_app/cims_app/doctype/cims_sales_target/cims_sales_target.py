# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate


class CIMSSalesTarget(Document):
	def validate(self):
		if getdate(self.period_end) < getdate(self.period_start):
			frappe.throw(_("The target period cannot end before it starts."), title=_("Invalid Dates"))
		if self.target_for == "User":
			self.sales_team = None
		else:
			self.user = None
