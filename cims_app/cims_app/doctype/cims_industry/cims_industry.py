# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

from frappe.utils.nestedset import NestedSet


class CIMSIndustry(NestedSet):
	nsm_parent_field = "parent_cims_industry"
