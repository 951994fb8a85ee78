# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

from frappe.utils.nestedset import NestedSet

from cims_app.records.typed_fields import TypedFields


class CIMSIndustry(TypedFields, NestedSet):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		industry_name: DF.Data
		is_group: DF.Check
		lft: DF.Int
		old_parent: DF.Link | None
		parent_cims_industry: DF.Link | None
		rgt: DF.Int
	# end: auto-generated types
	nsm_parent_field = "parent_cims_industry"
