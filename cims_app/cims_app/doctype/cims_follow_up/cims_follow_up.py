# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document
from frappe.utils import strip_html

from cims_app.follow_ups.saving import (
	add_customer_history_index,
	on_follow_up_trash,
	on_follow_up_update,
	template_content,
	validate_follow_up,
)
from cims_app.records.typed_fields import TypedFields


class CIMSFollowUp(TypedFields, Document):
	def validate(self):
		self.apply_template()
		self.assigned_to = self.assigned_to or frappe.session.user
		validate_follow_up(self)
		if self.follow_up_type not in ("Service", "Complaint"):
			self.satisfaction_score = 0

	def on_update(self):
		on_follow_up_update(self)

	def on_trash(self):
		on_follow_up_trash(self)

	def apply_template(self):
		if not self.template or (self.content and strip_html(self.content).strip()):
			return
		template = template_content(self.template)
		if template:
			self.content = template.content
			self.next_action = self.next_action or template.next_action


def on_doctype_update():
	"""Composite indexes for reports and row rules (cims_app/db/indexes.py)."""
	from cims_app.db.indexes import add_follow_up_indexes

	add_follow_up_indexes()
	add_customer_history_index()
