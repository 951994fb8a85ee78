"""Customer endpoints: reassign, transfer a leaving rep's book, the public pool and claiming from it.

Each endpoint checks permission first; the work itself is set-based in cims_app.customers.assignment.
(Further customer endpoints are appended below.)
"""

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce
from frappe.utils import cint

from cims_app.access.permissions import ADMIN, MANAGER, REP, get_scope, row_condition
from cims_app.customers import assignment

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
	moving = _moving(names, to_user)
	return {
		"reassigned": assignment.reassign_customers(names, to_user),
		"customers": moving,
		"to_user": to_user,
		"to_user_name": frappe.utils.get_fullname(to_user),
	}


def _moving(names: list[str], to_user: str) -> list[dict]:
	"""The customers of `names` that change hands (not already `to_user`'s), as the manager sees them."""
	c = frappe.qb.DocType(CUSTOMER)
	user = frappe.qb.DocType("User")
	return (
		frappe.qb.from_(c)
		.left_join(user)
		.on(user.name == c.account_manager)
		.select(
			c.name, c.customer_name, c.account_manager.as_("from_user"), user.full_name.as_("from_user_name")
		)
		.where(c.name.isin(names) & (Coalesce(c.account_manager, "") != to_user))
		.orderby(c.customer_name)
		.run(as_dict=True)
	)


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


@frappe.whitelist()
def get_public_pool(txt: str | None = None, start: int = 0, page_length: int = 20) -> dict:
	"""The public pool page (公海客户): pool customers the user may read, latest released first, searched by
	name, short name or number; with the user's claim quota (the limit `claim` enforces) for sellers."""
	frappe.has_permission(CUSTOMER, "read", throw=True)
	filters = {"in_public_pool": 1}
	or_filters = None
	if txt := (txt or "").strip():
		or_filters = {field: ("like", f"%{txt}%") for field in ("customer_name", "short_name", "name")}
	page_length = max(1, min(cint(page_length) or 20, 100))
	rows = frappe.get_list(
		CUSTOMER,
		filters=filters,
		or_filters=or_filters,
		fields=POOL_FIELDS,
		order_by="pool_released_on desc, name desc",
		start=max(cint(start), 0),
		page_length=page_length + 1,
	)
	total = frappe.get_list(
		CUSTOMER, filters=filters, or_filters=or_filters, fields=["count(*) as total"], order_by=""
	)
	may_claim = bool(set(frappe.get_roles()) & set(ASSIGNABLE_ROLES))
	return {
		"customers": rows[:page_length],
		"has_more": len(rows) > page_length,
		"total": total[0].total if total else 0,
		"quota": assignment.claim_quota(frappe.session.user) if may_claim else None,
	}


POOL_FIELDS = [
	"name",
	"customer_name",
	"customer_type",
	"lifecycle_stage",
	"intent_level",
	"region",
	"industry",
	"pool_released_on",
	"last_follow_up_on",
]


@frappe.whitelist()
def get_handover_users() -> dict:
	"""The people of a manager's reassign and transfer dialogs: `to`, who may receive customers (enabled
	reps and managers of the manager's teams and the manager; every one for an admin), and `from`, whose
	book may be handed over (the teams' users, disabled ones included; every seller for an admin)."""
	_require_manager()
	scope = get_scope()
	sellers = set(
		frappe.get_all(
			"Has Role", filters={"parenttype": "User", "role": ("in", ASSIGNABLE_ROLES)}, pluck="parent"
		)
	)
	reach = sellers if scope.is_admin else {*scope.team_users, scope.user}
	rows = frappe.get_all(
		"User",
		filters={"name": ("in", sorted(reach) or [""])},
		fields=["name", "full_name", "enabled"],
		order_by="full_name asc",
	)

	def option(row) -> dict:
		return {"value": row.name, "label": row.full_name or row.name, "description": row.name}

	return {
		"to": [option(row) for row in rows if row.enabled and row.name in sellers],
		"from": [option(row) for row in rows if row.name != scope.user or scope.is_admin],
	}


@frappe.whitelist(methods=["POST"])
def merge(keep: str, remove: str, policy: str = "Fill Empty") -> dict:
	"""Merge customer `remove` into `keep` (contacts, follow-ups, opportunities, memberships, comments and
	attachments move; fields by conflict policy; `remove` is deleted, its snapshot kept in a comment):
	Sales Manager or admin, with write access to both customers."""
	_require_manager()
	for name in (keep, remove):
		frappe.has_permission(CUSTOMER, "write", doc=name, throw=True)
	from cims_app.customers.merge import merge_customers

	return merge_customers(keep, remove, policy)
