"""Who manages a customer: assignment rules for new customers, reassignment, a leaving rep's transfer, the
public pool (公海) and claiming from it.

Everything here is set-based (a bounded number of statements whatever the number of customers), and every
change of a customer's account manager gets a Version row listing the fields that changed, as the
framework's own saves would (cims_app.db.bulk_update.record_versions).
"""

import json

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Coalesce, Replace
from frappe.utils import now_datetime

from cims_app.customers.duplicates import same_customers_managed_by
from cims_app.db.bulk_update import record_versions
from cims_app.domain.assignment_rules import (
	ASSIGN_ROUND_ROBIN,
	POOL_STAGES,
	CustomerFacts,
	Rule,
	Span,
	assign,
	check_claim_limit,
	claim_cap,
	remaining_claims,
)
from cims_app.records.validation import get_setting, run_rule

CUSTOMER = "CIMS Customer"
FOLLOW_UP = "CIMS Follow-Up"
OPPORTUNITY = "CIMS Opportunity"
REP = "CIMS Sales Rep"
MANAGER = "CIMS Sales Manager"
CHUNK = 1000


# New customers ----------------------------------------------------------------------------------------------


def assign_new_customer(doc) -> None:
	"""Called from CIMSCustomer.validate: a new customer without an account manager goes to the user the
	first matching CIMS Assignment Rule names. A Sales Rep's own new customer stays the rep's."""
	if not doc.is_new() or doc.account_manager or doc.in_public_pool:
		return
	if _creates_own_leads(frappe.session.user):
		return
	rules = load_rules(lock=True)
	if not rules:
		return
	outcome = assign(rules, {"new": customer_facts(doc)})
	if "new" not in outcome.users:
		return
	rule_name, user = outcome.users["new"]
	doc.account_manager = user
	doc.sales_team = doc.sales_team or _rule_team(rules, rule_name) or team_of(user)
	_save_rotation(outcome.last_assigned)


def _creates_own_leads(user: str) -> bool:
	"""A Sales Rep (not also a manager or admin) keeps the customers it creates."""
	if user == "Administrator":
		return False
	roles = set(frappe.get_roles(user))
	return REP in roles and not roles & {MANAGER, "System Manager"}


def track_account_manager(doc) -> None:
	"""Called from CIMSCustomer.validate: stamp `account_manager_since` and fill the sales team from the
	account manager's team when the customer has none (or one the new manager is not in)."""
	changed = doc.is_new() or doc.has_value_changed("account_manager")
	if not changed or not doc.account_manager:
		return
	doc.account_manager_since = now_datetime()
	if not doc.sales_team or not _is_member(doc.account_manager, doc.sales_team):
		doc.sales_team = team_of(doc.account_manager) or doc.sales_team


def assign_customers(names: list[str]) -> int:
	"""Apply the assignment rules to many customers at once (imports, jobs): those of `names` without an
	account manager and not in the pool. Returns how many were assigned."""
	c = DocType(CUSTOMER)
	region = DocType("CIMS Region")
	industry = DocType("CIMS Industry")
	rows = []
	for chunk in _chunks(sorted(set(names))):
		rows += (
			frappe.qb.from_(c)
			.left_join(region)
			.on(region.name == c.region)
			.left_join(industry)
			.on(industry.name == c.industry)
			.select(
				c.name,
				c.customer_type,
				c.customer_source,
				c.sales_team,
				c.account_manager_since,
				region.lft.as_("region_lft"),
				region.rgt.as_("region_rgt"),
				industry.lft.as_("industry_lft"),
				industry.rgt.as_("industry_rgt"),
			)
			.where(c.name.isin(chunk) & (Coalesce(c.account_manager, "") == "") & (c.in_public_pool == 0))
			.orderby(c.name)
			.run(as_dict=True)
		)
	rules = load_rules(lock=True) if rows else []
	if not rules:
		return 0
	facts = {
		row.name: CustomerFacts(
			row.customer_type,
			_span(row.region_lft, row.region_rgt),
			_span(row.industry_lft, row.industry_rgt),
			row.customer_source,
		)
		for row in rows
	}
	outcome = assign(rules, facts)
	by_user = {}
	for name, (rule_name, user) in outcome.users.items():
		by_user.setdefault((user, _rule_team(rules, rule_name) or team_of(user)), []).append(name)
	now = now_datetime()
	stored = {row.name: row for row in rows}
	for (user, team), customers in by_user.items():
		for chunk in _chunks(customers):
			(
				frappe.qb.update(c)
				.set(c.account_manager, user)
				.set(c.account_manager_since, now)
				.set(c.sales_team, Coalesce(c.sales_team, team))
				.where(c.name.isin(chunk))
			).run()
		record_versions(
			CUSTOMER,
			{
				name: {
					"account_manager": (None, user),
					"account_manager_since": (stored[name].account_manager_since, now),
					"sales_team": (stored[name].sales_team, stored[name].sales_team or team),
				}
				for name in customers
			},
		)
	_save_rotation(outcome.last_assigned)
	return len(outcome.users)


def load_rules(lock: bool = False) -> list[Rule]:
	"""Enabled CIMS Assignment Rules with their region and industry subtrees and their teams' active
	members (in the team's order). `lock` serialises round robins between concurrent saves."""
	rule = DocType("CIMS Assignment Rule")
	region = DocType("CIMS Region")
	industry = DocType("CIMS Industry")
	query = (
		frappe.qb.from_(rule)
		.left_join(region)
		.on(region.name == rule.region)
		.left_join(industry)
		.on(industry.name == rule.industry)
		.select(
			rule.name,
			rule.priority,
			rule.customer_type,
			rule.region,
			rule.industry,
			rule.customer_source,
			rule.assign_to,
			rule.assignee,
			rule.sales_team,
			rule.last_assigned_user,
			region.lft.as_("region_lft"),
			region.rgt.as_("region_rgt"),
			industry.lft.as_("industry_lft"),
			industry.rgt.as_("industry_rgt"),
		)
		.where(rule.enabled == 1)
	)
	if lock:
		query = query.for_update()
	rows = query.run(as_dict=True)
	teams = sorted({row.sales_team for row in rows if row.assign_to == ASSIGN_ROUND_ROBIN and row.sales_team})
	members = _active_members(teams)
	return [
		Rule(
			name=row.name,
			priority=row.priority or 0,
			customer_type=row.customer_type or None,
			region=_span(row.region_lft, row.region_rgt),
			industry=_span(row.industry_lft, row.industry_rgt),
			customer_source=row.customer_source or None,
			assign_to=row.assign_to,
			assignee=row.assignee,
			sales_team=row.sales_team,
			members=tuple(members.get(row.sales_team, ())),
			last_assigned_user=row.last_assigned_user,
			has_region=bool(row.region),
			has_industry=bool(row.industry),
		)
		for row in rows
	]


def customer_facts(doc) -> CustomerFacts:
	return CustomerFacts(
		doc.customer_type,
		_tree_span("CIMS Region", doc.region),
		_tree_span("CIMS Industry", doc.industry),
		doc.customer_source,
	)


def team_of(user: str | None) -> str | None:
	"""The first sales team (by name) the user is an active member of."""
	if not user:
		return None
	teams = frappe.get_all(
		"CIMS Sales Team Member",
		filters={"parenttype": "CIMS Sales Team", "user": user, "is_active": 1},
		pluck="parent",
		order_by="parent asc",
		limit=1,
	)
	return teams[0] if teams else None


def _is_member(user: str, team: str) -> bool:
	return bool(
		frappe.db.exists(
			"CIMS Sales Team Member", {"parenttype": "CIMS Sales Team", "parent": team, "user": user}
		)
	)


def _active_members(teams: list[str]) -> dict[str, list[str]]:
	members = {}
	if not teams:
		return members
	rows = frappe.get_all(
		"CIMS Sales Team Member",
		filters={"parenttype": "CIMS Sales Team", "parent": ("in", teams), "is_active": 1},
		fields=["parent", "user"],
		order_by="parent asc, idx asc",
	)
	for row in rows:
		members.setdefault(row.parent, []).append(row.user)
	return members


def _rule_team(rules: list[Rule], rule_name: str) -> str | None:
	return next((rule.sales_team for rule in rules if rule.name == rule_name), None)


def _save_rotation(last_assigned: dict) -> None:
	rule = DocType("CIMS Assignment Rule")
	for rule_name, user in last_assigned.items():
		frappe.qb.update(rule).set(rule.last_assigned_user, user).where(rule.name == rule_name).run()


def _tree_span(doctype: str, name: str | None) -> Span | None:
	if not name:
		return None
	row = frappe.db.get_value(doctype, name, ["lft", "rgt"], as_dict=True)
	return _span(row.lft, row.rgt) if row else None


def _span(lft, rgt) -> Span | None:
	return Span(int(lft), int(rgt)) if lft is not None and rgt is not None else None


# Reassignment, transfer, pool, claim ----------------------------------------------------------------------


def reassign_customers(names: list[str], to_user: str) -> int:
	"""Give `names` to `to_user` (out of the pool if they were in it). Returns how many changed hands."""
	c = DocType(CUSTOMER)
	changed = 0
	now = now_datetime()
	team = team_of(to_user)
	for chunk in _chunks(sorted(set(names))):
		rows = (
			frappe.qb.from_(c)
			.select(c.name, c.account_manager, c.account_manager_since, c.in_public_pool, c.sales_team)
			.where(c.name.isin(chunk) & (Coalesce(c.account_manager, "") != to_user))
			.run(as_dict=True)
		)
		moving = [row.name for row in rows]
		if not moving:
			continue
		query = (
			frappe.qb.update(c)
			.set(c.account_manager, to_user)
			.set(c.account_manager_since, now)
			.set(c.in_public_pool, 0)
			.where(c.name.isin(moving))
		)
		if team:
			query = query.set(c.sales_team, team)
		query.run()
		record_versions(CUSTOMER, {row.name: _handover(row, to_user, now, team) for row in rows})
		changed += len(moving)
	return changed


def transfer_book(from_user: str, to_user: str) -> dict:
	"""Everything `from_user` owns goes to `to_user`: customers, planned follow-ups (with their ToDos and
	calendar events) and open opportunities. Returns the counts."""
	now = now_datetime()
	c = DocType(CUSTOMER)
	rows = frappe.get_all(
		CUSTOMER,
		filters={"account_manager": from_user},
		fields=["name", "account_manager", "account_manager_since", "in_public_pool", "sales_team"],
	)
	customers = [row.name for row in rows]
	team = team_of(to_user)
	for chunk in _chunks(customers):
		query = (
			frappe.qb.update(c)
			.set(c.account_manager, to_user)
			.set(c.account_manager_since, now)
			.where(c.name.isin(chunk))
		)
		if team:
			query = query.set(c.sales_team, team)
		query.run()
	record_versions(
		CUSTOMER, {row.name: _handover(row, to_user, now, team, leaves_pool=False) for row in rows}
	)

	follow_ups = frappe.get_all(
		FOLLOW_UP, filters={"assigned_to": from_user, "status": "Planned"}, pluck="name"
	)
	_move_field(FOLLOW_UP, follow_ups, "assigned_to", from_user, to_user)
	_move_reminders(follow_ups, from_user, to_user)

	opportunities = frappe.get_all(
		OPPORTUNITY, filters={"owner_user": from_user, "status": "In Progress"}, pluck="name"
	)
	_move_field(OPPORTUNITY, opportunities, "owner_user", from_user, to_user)
	return {"customers": len(customers), "follow_ups": len(follow_ups), "opportunities": len(opportunities)}


def _handover(row, to_user: str, now, team: str | None, leaves_pool: bool = True) -> dict:
	"""The fields a customer's change of hands changes: {field: (old, new)}."""
	changes = {
		"account_manager": (row.account_manager, to_user),
		"account_manager_since": (row.account_manager_since, now),
		"sales_team": (row.sales_team, team or row.sales_team),
	}
	if leaves_pool:
		changes["in_public_pool"] = (row.in_public_pool, 0)
	return changes


def _move_field(doctype: str, names: list[str], fieldname: str, old: str, new: str) -> None:
	table = DocType(doctype)
	for chunk in _chunks(names):
		frappe.qb.update(table).set(table[fieldname], new).set(table.modified, now_datetime()).where(
			table.name.isin(chunk)
		).run()
	record_versions(doctype, {name: {fieldname: (old, new)} for name in names})


def _move_reminders(follow_ups: list[str], from_user: str, to_user: str) -> None:
	"""The moved follow-ups' open ToDos, their `_assign` lists and their calendar events follow them."""
	todo = DocType("ToDo")
	follow_up = DocType(FOLLOW_UP)
	event = DocType("Event")
	participant = DocType("Event Participants")
	for chunk in _chunks(follow_ups):
		(
			frappe.qb.update(todo)
			.set(todo.allocated_to, to_user)
			.where(
				(todo.reference_type == FOLLOW_UP)
				& todo.reference_name.isin(chunk)
				& (todo.allocated_to == from_user)
				& (todo.status == "Open")
			)
		).run()
		(
			frappe.qb.update(follow_up)
			.set(follow_up._assign, Replace(follow_up._assign, json.dumps(from_user), json.dumps(to_user)))
			.where(follow_up.name.isin(chunk))
		).run()
		events = (
			frappe.qb.from_(participant)
			.select(participant.parent)
			.where(
				(participant.parenttype == "Event")
				& (participant.reference_doctype == FOLLOW_UP)
				& participant.reference_docname.isin(chunk)
			)
		)
		frappe.qb.update(event).set(event.owner, to_user).where(
			event.name.isin(events) & (event.owner == from_user)
		).run()


def release_to_pool(names: list[str], today, reference: dict | None = None) -> int:
	"""Customers of `names` lose their account manager and enter the public pool on `today` (`reference`:
	what released them, for their history)."""
	c = DocType(CUSTOMER)
	released = 0
	for chunk in _chunks(names):
		rows = (
			frappe.qb.from_(c)
			.select(c.name, c.account_manager, c.account_manager_since, c.pool_released_on)
			.where(c.name.isin(chunk) & (c.in_public_pool == 0))
			.run(as_dict=True)
		)
		if not rows:
			continue
		(
			frappe.qb.update(c)
			.set(c.account_manager, None)
			.set(c.account_manager_since, None)
			.set(c.in_public_pool, 1)
			.set(c.pool_released_on, today)
			.where(c.name.isin([row.name for row in rows]))
		).run()
		record_versions(
			CUSTOMER,
			{
				row.name: {
					"account_manager": (row.account_manager, None),
					"account_manager_since": (row.account_manager_since, None),
					"in_public_pool": (0, 1),
					"pool_released_on": (row.pool_released_on, today),
				}
				for row in rows
			},
			reference,
		)
		released += len(rows)
	return released


def claim_customer(name: str, user: str) -> dict:
	"""`user` takes `name` out of the public pool, within the per-rep limit and unless they already manage
	the same company or person (cims_app.customers.duplicates: same credit code, ID number or exact name; same mobile
	or e-mail only when no credit code or ID number tells the two apart)."""
	c = DocType(CUSTOMER)
	row = frappe.db.get_value(
		CUSTOMER,
		name,
		[
			"name",
			"customer_name",
			"account_manager",
			"account_manager_since",
			"sales_team",
			"in_public_pool",
			"name_exact_key",
			"unified_social_credit_code",
			"mobile_no",
		],
		as_dict=True,
		for_update=True,
	)
	if not row or not row.in_public_pool or row.account_manager:
		frappe.throw(_("{0} is not in the public pool").format(name), title=_("Cannot Claim"))
	run_rule(check_claim_limit, pool_claims_held(user), claim_limit())
	if same := same_customers_managed_by(name, user):
		frappe.throw(
			_(
				"You already manage {0}, the same company or person as {1}: merge them instead of claiming"
			).format(frappe.get_desk_link(CUSTOMER, same[0]), row.customer_name),
			frappe.DuplicateEntryError,
			title=_("Cannot Claim"),
		)
	now = now_datetime()
	query = (
		frappe.qb.update(c)
		.set(c.account_manager, user)
		.set(c.account_manager_since, now)
		.set(c.in_public_pool, 0)
		.where((c.name == name) & (c.in_public_pool == 1))
	)
	if team := team_of(user):
		query = query.set(c.sales_team, team)
	query.run()
	record_versions(CUSTOMER, {name: _handover(row, user, now, team)})
	return {"customer": name, "account_manager": user}


def pool_claims_held(user: str) -> int:
	"""Customers `user` took from the pool that are still prospects: what the claim limit counts."""
	return frappe.db.count(
		CUSTOMER,
		{
			"account_manager": user,
			"in_public_pool": 0,
			"pool_released_on": ("is", "set"),
			"lifecycle_stage": ("in", POOL_STAGES),
		},
	)


def claim_limit() -> int:
	return claim_cap(get_setting("public_pool_claim_limit", 50))


def claim_quota(user: str) -> dict:
	"""What the claim limit leaves `user`: held, limit (0 = none) and remaining (None = no limit)."""
	held, limit = pool_claims_held(user), claim_limit()
	return {"held": held, "limit": limit, "remaining": remaining_claims(held, limit)}


def _chunks(items: list, size: int = CHUNK):
	items = list(items)
	for start in range(0, len(items), size):
		yield items[start : start + size]
