# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

from frappe.model.document import Document

from cims_app.records.typed_fields import TypedFields


class CIMSFollowUpPlanStep(TypedFields, Document):
	pass
