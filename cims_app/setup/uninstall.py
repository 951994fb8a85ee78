"""Leave the site as it was before the app: no roles, permissions, custom fields or workflows of ours."""

import frappe

from cims_app.hooks import CIMS_ROLES
from cims_app.setup.desk import remove_desk_views


def before_uninstall() -> None:
	remove_role_traces()
	restore_standard_contact_permissions()
	remove_custom_fields()
	remove_workflows()
	remove_desk_views()  # Kanban boards over CIMS DocTypes (cims_app.setup.desk)


def remove_role_traces() -> None:
	for doctype in ("Custom DocPerm", "Has Role"):
		frappe.db.delete(doctype, {"role": ("in", CIMS_ROLES)})
	for role in CIMS_ROLES:
		frappe.db.delete("Role", {"name": role})


def restore_standard_contact_permissions() -> None:
	"""Drop Contact's Custom DocPerms when what is left is just the copy of the standard ones we made."""
	custom = _perm_rows("Custom DocPerm", "Contact")
	if custom and custom == _perm_rows("DocPerm", "Contact"):
		frappe.db.delete("Custom DocPerm", {"parent": "Contact"})
	frappe.clear_cache(doctype="Contact")


def remove_custom_fields() -> None:
	"""Delete our custom fields and drop their columns (the framework keeps the columns otherwise)."""
	fields = frappe.get_all(
		"Custom Field", filters={"module": "CIMS App"}, fields=["name", "dt", "fieldname"]
	)
	for field in fields:
		frappe.delete_doc("Custom Field", field.name, ignore_permissions=True, force=True)
		if frappe.db.has_column(field.dt, field.fieldname):
			frappe.db.sql_ddl(f"alter table `tab{field.dt}` drop column `{field.fieldname}`")
		frappe.clear_cache(doctype=field.dt)


def remove_workflows() -> None:
	for name in frappe.get_all("Workflow", filters={"document_type": ("like", "CIMS %")}, pluck="name"):
		frappe.delete_doc("Workflow", name, ignore_permissions=True, force=True)


def _perm_rows(doctype: str, parent: str) -> list[tuple]:
	rights = ("role", "permlevel", "if_owner", "read", "write", "create", "delete", "report", "export")
	rows = frappe.get_all(doctype, filters={"parent": parent}, fields=list(rights))
	return sorted(tuple(row[key] for key in rights) for row in rows)
