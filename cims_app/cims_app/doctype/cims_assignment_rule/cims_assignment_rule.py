# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

from frappe.model.document import Document

from cims_app.domain.assignment_rules import check_rule_target
from cims_app.records.typed_fields import TypedFields
from cims_app.records.validation import run_rule


class CIMSAssignmentRule(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		assign_to: DF.Literal["User", "Round Robin in Team"]
		assignee: DF.Link | None
		customer_source: DF.Link | None
		customer_type: DF.Literal["", "Enterprise", "Individual", "Institution"]
		enabled: DF.Check
		industry: DF.Link | None
		last_assigned_user: DF.Link | None
		priority: DF.Int
		region: DF.Link | None
		rule_name: DF.Data
		sales_team: DF.Link | None

	# end: auto-generated types
	def validate(self):
		run_rule(check_rule_target, self.assign_to, self.assignee, self.sales_team, doc=self)
