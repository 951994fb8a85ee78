# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document
from frappe.utils import now_datetime, strip_html

from cims_app.domain.follow_up_rules import check_completion
from cims_app.follow_ups import refresh_customer_follow_up_dates
from cims_app.validation import get_setting, run_rule


class CIMSFollowUp(Document):
	def validate(self):
		self.apply_template()
		self.assigned_to = self.assigned_to or frappe.session.user
		if self.status == "Planned" and not self.scheduled_on:
			self.scheduled_on = now_datetime()
		if self.status == "Completed":
			run_rule(
				check_completion,
				self.status,
				strip_html(self.content or ""),
				self.next_action,
				min_content_length=int(get_setting("follow_up_min_content_length", 10)),
				doc=self,
			)
			self.completed_on = self.completed_on or now_datetime()
		if self.follow_up_type not in ("Service", "Complaint"):
			self.satisfaction_score = 0

	def on_update(self):
		refresh_customer_follow_up_dates(
			[self.customer, self.get_doc_before_save() and self.get_doc_before_save().customer]
		)

	def on_trash(self):
		refresh_customer_follow_up_dates([self.customer], exclude=self.name)

	def apply_template(self):
		if not self.template or (self.content and strip_html(self.content).strip()):
			return
		template = frappe.db.get_value(
			"CIMS Follow-Up Template", self.template, ["content", "next_action"], as_dict=True
		)
		if template:
			self.content = template.content
			self.next_action = self.next_action or template.next_action
