# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

from frappe.model.document import Document

from cims_app.records import approvals
from cims_app.records.typed_fields import TypedFields


class CIMSApprovalRequest(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		approved_by: DF.Link | None
		decided_on: DF.Datetime | None
		decision_note: DF.SmallText | None
		new_value: DF.Data | None
		reason: DF.SmallText
		reference_doctype: DF.Link
		reference_name: DF.DynamicLink
		request_type: DF.Literal["Delete", "Value Tier Change"]
		requested_by: DF.Link | None
		restored_on: DF.Datetime | None
		snapshot: DF.Code | None
		status: DF.Literal["Pending Approval", "Approved", "Rejected"]

	# end: auto-generated types
	def validate(self):
		approvals.validate_request(self)

	def on_update(self):
		approvals.on_request_update(self)
