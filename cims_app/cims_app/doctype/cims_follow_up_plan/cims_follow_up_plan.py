# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from cims_app.domain.plans import PlanStep, check_plan
from cims_app.records.typed_fields import TypedFields
from cims_app.records.validation import run_rule


class CIMSFollowUpPlan(TypedFields, Document):
	def validate(self):
		steps = [
			PlanStep(s.sequence, s.follow_up_type, s.template, int(s.offset_days or 0)) for s in self.steps
		]
		run_rule(check_plan, self.frequency_days, steps, doc=self)
		self.refuse_second_enabled_plan_for_stage()

	def refuse_second_enabled_plan_for_stage(self):
		if not self.enabled:
			return
		other = frappe.db.get_value(
			"CIMS Follow-Up Plan",
			{"lifecycle_stage": self.lifecycle_stage, "enabled": 1, "name": ("!=", self.name)},
			"name",
		)
		if other:
			frappe.throw(
				_("Plan {0} already follows customers in stage {1}: disable it first").format(
					frappe.bold(other), _(self.lifecycle_stage)
				),
				title=_("One Plan per Stage"),
			)
