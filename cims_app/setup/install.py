"""Seed default records after install and after every migrate, without duplicating anything."""

import frappe
from frappe.permissions import add_permission, update_permission_property

from cims_app.access.permissions import refresh_contact_customer_flags
from cims_app.customers import name_sketch
from cims_app.db.indexes import add_all_indexes, add_unique_indexes
from cims_app.follow_ups import tally as follow_up_tally
from cims_app.setup import defaults
from cims_app.setup.desk import setup_desk_views
from cims_app.setup.global_search import enable_global_search

# Rights the app's roles get on the framework's Contact (row-level rules narrow them further).
CONTACT_RIGHTS = {
	"CIMS Sales Rep": ("read", "write", "create", "report", "email", "print"),
	"CIMS Sales Manager": ("read", "write", "create", "report", "email", "print", "export", "share"),
	"CIMS Department Head": ("read", "report", "export", "print"),
	"CIMS Customer Service": ("read", "write", "create", "report", "email", "print"),
	"CIMS Marketing": ("read", "report", "email"),
	"CIMS Data Analyst": ("read", "report"),
}
CONTACT_PERM_TYPES = (
	"read",
	"write",
	"create",
	"delete",
	"report",
	"export",
	"import",
	"email",
	"print",
	"share",
)


def after_install() -> None:
	seed_defaults()


def after_migrate() -> None:
	seed_defaults()


def after_sync() -> None:
	"""On install the fixtures (Contact's custom fields) are synced after `after_install`: flag contacts now."""
	refresh_contact_customer_flags()


def seed_defaults() -> None:
	seed_tree(
		"CIMS Industry", "industry_name", "parent_cims_industry", defaults.ALL_INDUSTRIES, defaults.INDUSTRIES
	)
	seed_tree("CIMS Region", "region_name", "parent_cims_region", defaults.ALL_REGIONS, defaults.REGIONS)
	seed_customer_sources()
	seed_sales_stages()
	seed_follow_up_templates()
	seed_tags()
	grant_contact_permissions()
	add_all_indexes()  # composite indexes, also those added since a DocType last synced (cims_app.db.indexes)
	add_unique_indexes()  # exact keys and memberships unique under concurrent saves (cims_app.db.indexes)
	follow_up_tally.install()  # completed follow-ups by day, kept by triggers (cims_app.follow_ups.tally)
	name_sketch.install()  # the log of new match keys that imports' sketch reads (cims_app.customers.name_sketch)
	setup_desk_views()  # Kanban board of customers by lifecycle stage (cims_app.setup.desk)
	enable_global_search()  # the app's DocTypes in Global Search Settings (cims_app.setup.global_search)
	if frappe.db.has_column("Contact", "cims_no_customer"):  # on install, after_sync does it
		refresh_contact_customer_flags()  # contacts' cims_no_customer from their links (cims_app.access.permissions)


def seed_tree(doctype: str, name_field: str, parent_field: str, root: str, groups: dict) -> None:
	_insert_if_missing(doctype, {name_field: root, "is_group": 1})
	for group, children in groups.items():
		_insert_if_missing(doctype, {name_field: group, "is_group": 1, parent_field: root})
		for child in children:
			_insert_if_missing(doctype, {name_field: child, "is_group": 0, parent_field: group})


def seed_customer_sources() -> None:
	for name, group in defaults.CUSTOMER_SOURCES:
		_insert_if_missing("CIMS Customer Source", {"source_name": name, "source_group": group})


def seed_sales_stages() -> None:
	for name, sequence, probability, is_won, is_lost, stale in defaults.SALES_STAGES:
		_insert_if_missing(
			"CIMS Sales Stage",
			{
				"stage_name": name,
				"sequence": sequence,
				"probability": probability,
				"is_won": is_won,
				"is_lost": is_lost,
				"stale_after_days": stale,
			},
		)


def seed_follow_up_templates() -> None:
	for name, follow_up_type, content, next_action in defaults.FOLLOW_UP_TEMPLATES:
		_insert_if_missing(
			"CIMS Follow-Up Template",
			{
				"template_name": name,
				"follow_up_type": follow_up_type,
				"content": content,
				"next_action": next_action,
			},
		)


def seed_tags() -> None:
	for tag in defaults.PRESET_TAGS:
		if not frappe.db.exists("Tag", tag):
			frappe.get_doc({"doctype": "Tag", "name": tag, "description": tag}).insert(
				ignore_permissions=True
			)


def grant_contact_permissions() -> None:
	"""Give the app's roles access to Contact through Custom DocPerm, the framework's own mechanism."""
	for role, rights in CONTACT_RIGHTS.items():
		if not frappe.db.exists("Role", role):
			continue
		if not frappe.db.exists("Custom DocPerm", {"parent": "Contact", "role": role, "permlevel": 0}):
			add_permission("Contact", role, 0)
		for right in CONTACT_PERM_TYPES:
			update_permission_property("Contact", role, 0, right, int(right in rights), validate=False)
	frappe.clear_cache(doctype="Contact")


def _insert_if_missing(doctype: str, values: dict) -> None:
	name_field = frappe.get_meta(doctype).autoname.split(":", 1)[1]
	if frappe.db.exists(doctype, values[name_field]):
		return
	frappe.get_doc({"doctype": doctype, **values}).insert(ignore_permissions=True)
