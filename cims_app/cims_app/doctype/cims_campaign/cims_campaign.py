# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt, get_datetime


class CIMSCampaign(Document):
	def validate(self):
		self.total_budget = sum(flt(item.amount) for item in self.budget_items)
		if self.start_datetime and self.end_datetime and get_datetime(self.end_datetime) < get_datetime(self.start_datetime):
			frappe.throw(_("The campaign cannot end before it starts."), title=_("Invalid Dates"))
		self.owner_user = self.owner_user or frappe.session.user
