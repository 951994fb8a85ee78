"""Global search covers the app's records (the row rules of cims_app.access.permissions filter what it returns)."""

import frappe

# The DocTypes whose fields are marked in_global_search, in the order the search shows them.
SEARCHED_DOCTYPES = ("CIMS Customer", "CIMS Opportunity", "CIMS Follow-Up", "CIMS Campaign")


def enable_global_search() -> None:
	"""Add the app's DocTypes to Global Search Settings once; an admin's own order and removals stay."""
	settings = frappe.get_single("Global Search Settings")
	listed = {row.document_type for row in settings.allowed_in_global_search}
	missing = [
		doctype
		for doctype in SEARCHED_DOCTYPES
		if doctype not in listed and frappe.db.exists("DocType", doctype)
	]
	if frappe.db.get_default("cims_global_search_enabled") or not missing:
		return
	for doctype in missing:
		settings.append("allowed_in_global_search", {"document_type": doctype})
	settings.save(ignore_permissions=True)
	frappe.db.set_default("cims_global_search_enabled", "1")
