"""Customer endpoints: reassign, transfer a leaving rep's book, claim from the public pool.

Each endpoint checks permission first; the work itself is set-based in cims_app.assignment.
(Further customer endpoints are appended below.)
"""

import frappe
from frappe import _

from cims_app import assignment
from cims_app.permissions import ADMIN, MANAGER, REP, get_scope, row_condition

CUSTOMER = "CIMS Customer"
ASSIGNABLE_ROLES = (REP, MANAGER)


def _require_manager() -> None:
	roles = set(frappe.get_roles())
	if frappe.session.user != "Administrator" and not roles & {ADMIN, MANAGER}:
		frappe.throw(_("Only sales managers and administrators reassign customers"), frappe.PermissionError)


def _check_assignable(user: str, field_label: str) -> None:
	"""`user` is an enabled user who sells and, for a Sales Manager, one of its teams (or itself)."""
	if not user or not frappe.db.get_value("User", {"name": user, "enabled": 1}):
		frappe.throw(_("{0}: {1} is not an enabled user").format(field_label, user))
	if not set(frappe.get_roles(user)) & set(ASSIGNABLE_ROLES):
		frappe.throw(_("{0}: {1} is neither a sales rep nor a sales manager").format(field_label, user))
	scope = get_scope()
	if not scope.is_admin and user != scope.user and user not in scope.team_users:
		frappe.throw(
			_("{0}: {1} is not in a team you manage").format(field_label, user), frappe.PermissionError
		)


def _names(customers: str | list) -> list[str]:
	if isinstance(customers, str):
		try:
			customers = frappe.parse_json(customers)
		except ValueError:
			pass
	return sorted({customers} if isinstance(customers, str) else set(customers or ()))


def _writable(names: list[str]) -> set[str]:
	"""The customers of `names` the session user may write (its row rule)."""
	query = "select name from `tabCIMS Customer` where name in %(names)s"
	if condition := row_condition(CUSTOMER, write=True):
		query += " and " + condition.replace("%", "%%")
	return set(frappe.db.sql(query, {"names": tuple(names)}, pluck=True))


@frappe.whitelist(methods=["POST"])
def reassign(customers: str | list, to_user: str) -> dict:
	"""Give customers (a name or a list of names) to another account manager: Sales Manager of their team,
	or an admin."""
	_require_manager()
	names = _names(customers)
	if not names:
		frappe.throw(_("Choose the customers to reassign"))
	_check_assignable(to_user, _("New account manager"))
	refused = sorted(set(names) - _writable(names))
	if refused:
		frappe.throw(_("You may not reassign {0}").format(", ".join(refused)), frappe.PermissionError)
	return {"reassigned": assignment.reassign_customers(names, to_user)}


@frappe.whitelist(methods=["POST"])
def transfer(from_user: str, to_user: str) -> dict:
	"""Move everything a leaving rep owns (customers, planned follow-ups, open opportunities) to another
	user in one call: Sales Manager of the rep's team, or an admin."""
	_require_manager()
	if from_user == to_user:
		frappe.throw(_("Choose a different user to transfer to"))
	scope = get_scope()
	if not scope.is_admin and from_user not in scope.team_users:
		frappe.throw(_("{0} is not in a team you manage").format(from_user), frappe.PermissionError)
	_check_assignable(to_user, _("Transfer to"))
	return assignment.transfer_book(from_user, to_user)


@frappe.whitelist(methods=["POST"])
def claim(customer: str) -> dict:
	"""Take a customer out of the public pool as its account manager (per-rep limit, duplicate check)."""
	frappe.has_permission(CUSTOMER, "read", doc=customer, throw=True)
	if not set(frappe.get_roles()) & set(ASSIGNABLE_ROLES):
		frappe.throw(_("Only sales reps and sales managers claim customers"), frappe.PermissionError)
	return assignment.claim_customer(customer, frappe.session.user)


@frappe.whitelist(methods=["POST"])
def merge(keep: str, remove: str, policy: str = "Fill Empty") -> dict:
	"""Merge customer `remove` into `keep` (contacts, follow-ups, opportunities, memberships, comments and
	attachments move; fields by conflict policy; `remove` is deleted, its snapshot kept in a comment):
	Sales Manager or admin, with write access to both customers."""
	_require_manager()
	for name in (keep, remove):
		frappe.has_permission(CUSTOMER, "write", doc=name, throw=True)
	from cims_app.importer.merge import merge_customers

	return merge_customers(keep, remove, policy)
