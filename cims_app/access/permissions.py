"""Row-level and field-level rules of cims_app (SPEC §4), in one module.

Who reads which rows (users with several roles get the union; writing needs the DocPerm too):

| role | customers | follow-ups, opportunities, members, stage changes | contacts of CIMS customers |
|---|---|---|---|
| System Manager, Administrator | all | all | all |
| CIMS Department Head | all | all | all |
| CIMS Customer Service | all; writes those it manages and churned ones (win-back) | all | all |
| CIMS Sales Manager | its teams' (sales_team managed by the user or account_manager a member of those teams), its own, the public pool | of those customers, plus follow-ups assigned to and opportunities owned by the user | linked only to those customers |
| CIMS Sales Rep | its own (account_manager = user) and the public pool (read only, so it can claim) | of its own and pool customers, plus assigned / owned ones | linked only to its customers |
| CIMS Marketing | all (personal data masked) | campaign members all; follow-ups and opportunities of campaigns | none (personal data) |
| CIMS Data Analyst | all (personal data masked) | all | none (personal data) |

The pool is for browsing and claiming (the 公海 page): figures of a rep or manager (script reports, number
cards) count their book only, the rule without the pool (`own_book_condition`).

Approval requests: requesters see their own, managers those of their teams' users and customers, the
Department Head and admins all. Sales targets: one's own and one's teams'. Import batches: their owner.
Files attached to any of these records follow the record. Contacts linked to no CIMS customer keep the
framework's behaviour. Masters and campaigns have no row rule.

The same rules hold on every path: lists, report view, export, get_value, dashboards and script reports
go through `get_permission_query_conditions` (DatabaseQuery), forms, REST, print and attachments through
`has_permission`; three framework endpoints that would skip them are wrapped here (`get_count`,
`search_link` / `search_widget`, `global_search`, see hooks `override_whitelisted_methods`).

Personal data (mobile, phone, email, ID number) sits at permlevel 2 on CIMS Customer; users without it
(Data Analyst, Marketing) read the masked mirrors that `set_masked_personal_data` keeps.
"""

import re
from dataclasses import dataclass, replace

import frappe
from frappe.query_builder import Case, Criterion, DocType
from frappe.query_builder.functions import Coalesce, Count
from pypika.terms import LiteralValue

from cims_app.domain.contact_rules import mask_email, mask_mobile
from cims_app.domain.personal_data import mask_personal_text

REP = "CIMS Sales Rep"
MANAGER = "CIMS Sales Manager"
HEAD = "CIMS Department Head"
SERVICE = "CIMS Customer Service"
MARKETING = "CIMS Marketing"
ANALYST = "CIMS Data Analyst"
ADMIN = "System Manager"
SELLERS = (REP, MANAGER)

CUSTOMER = "CIMS Customer"
CHURNED = "Churned Customer"
PERSONAL_DATA_PERMLEVEL = 2
# Field with personal data -> its masked mirror on CIMS Customer.
MASKED_MIRRORS = {
	"mobile_no": ("mobile_no_masked", mask_mobile),
	"phone": ("phone_masked", mask_mobile),
	"email_id": ("email_id_masked", mask_email),
}
# Permission types that only look at a record; every other one changes it.
READ_PTYPES = frozenset(("read", "select", "print", "email", "report", "export"))


class SqlCondition(Criterion):
	"""A fixed SQL condition (no user values inside)."""

	def __init__(self, sql: str):
		super().__init__()
		self.sql = sql

	def get_sql(self, **kwargs) -> str:
		return self.sql


class Wrapped(Criterion):
	"""A condition, or a subquery (`SUBQUERY`), written inside a fixed SQL template (`TEMPLATE`)."""

	TEMPLATE = "{}"
	SUBQUERY = False

	def __init__(self, inner):
		super().__init__()
		self.inner = inner

	def get_sql(self, **kwargs) -> str:
		inner = self.inner.get_sql(quote_char="`") if self.SUBQUERY else self.inner.get_sql(**kwargs)
		return self.TEMPLATE.format(inner)


class Exists(Wrapped):
	"""[NOT] EXISTS (subquery): pypika's own leaves out the brackets when nested."""

	SUBQUERY = True

	def __init__(self, query, negate: bool = False):
		super().__init__(query)
		self.TEMPLATE = ("NOT " if negate else "") + "EXISTS ({})"


class ScalarIsZero(Wrapped):
	"""(scalar subquery) = 0."""

	TEMPLATE = "({}) = 0"
	SUBQUERY = True


class IsNotTrue(Wrapped):
	"""NOT IFNULL(condition, 0): false or unknown (a NULL account manager is nobody's)."""

	TEMPLATE = "NOT IFNULL(({}), 0)"


class FoundBy(Wrapped):
	"""(correlated scalar subquery) IS NOT NULL: true when the subquery finds its one row. The same rows as
	`field IN (subquery)` over a primary key, but the optimizer cannot turn it into a join, so it checks each
	row by primary key as it reads them: a newest-first page reads the sort index backwards and stops at
	the page's end, instead of joining and sorting every row the user reaches."""

	TEMPLATE = "({}) IS NOT NULL"
	SUBQUERY = True


class IsTrue(Wrapped):
	"""(condition) IS TRUE: the same rows as the condition, but the range optimizer leaves it alone, so a
	newest-first page reads the sort index backwards instead of merging the indexes of an OR and sorting
	every row the user reaches."""

	TEMPLATE = "({}) IS TRUE"


NOTHING = SqlCondition("1=0")
# A page of a list (the Desk's list and report views) reads rows newest first, checking each row (IsTrue)
# or its customer by primary key (FoundBy), when the user reaches at least this share of the customers: it
# then finds a page within a few thousand rows. A user who reaches fewer gets the indexes of the rule, which
# sort only their rows.
PAGE_BY_LOOKUP_SHARE = 0.005
PAGE_SORTS = ("creation", "modified")
REACH_CACHE_SECONDS = 3600


def _value(value) -> LiteralValue:
	"""A literal escaped by the database driver (user names and team names are user input)."""
	return LiteralValue(frappe.db.escape(value, percent=False))


def _values(values) -> list[LiteralValue]:
	return [_value(value) for value in values]


def _any(parts: list) -> Criterion:
	return Criterion.any(parts) if parts else NOTHING


def _sql(criterion: Criterion) -> str:
	return criterion.get_sql(quote_char="`", with_namespace=True)


def _sql_with_params(sql: str) -> str:
	"""SQL built here, placed in a statement that also takes parameters: a literal % must be doubled."""
	return sql.replace("%", "%%")


@dataclass(frozen=True)
class Scope:
	"""A user's roles and the sales teams the rules look at."""

	user: str
	roles: frozenset
	managed_teams: tuple = ()
	team_users: tuple = ()
	member_teams: tuple = ()
	# False for figures (reports, number cards): a seller's numbers are their book, not the public pool.
	with_pool: bool = True

	def has(self, *roles: str) -> bool:
		return not self.roles.isdisjoint(roles)

	@property
	def is_admin(self) -> bool:
		return self.user == "Administrator" or ADMIN in self.roles


def get_scope(user: str | None = None) -> Scope:
	"""The user's roles, the teams they manage with those teams' members, and the teams they belong to."""
	user = user or frappe.session.user
	roles = frozenset(frappe.get_roles(user))
	managed, members, member_teams = (), (), ()
	if MANAGER in roles:
		managed = tuple(frappe.get_all("CIMS Sales Team", filters={"manager": user}, pluck="name"))
	if managed:
		members = tuple(
			sorted(
				set(
					frappe.get_all(
						"CIMS Sales Team Member",
						filters={"parenttype": "CIMS Sales Team", "parent": ("in", managed)},
						pluck="user",
					)
				)
			)
		)
	if not roles.isdisjoint(SELLERS):
		member_teams = tuple(
			frappe.get_all(
				"CIMS Sales Team Member",
				filters={"parenttype": "CIMS Sales Team", "user": user},
				pluck="parent",
			)
		)
	return Scope(user, roles, managed, members, member_teams)


# Customers ------------------------------------------------------------------------------------------


def _seller_customer_parts(scope: Scope, c, write: bool) -> list:
	"""What reps and managers reach: their own customers, their teams' (managers), the pool."""
	parts = []
	if scope.has(*SELLERS):
		parts.append(c.account_manager == _value(scope.user))
		if scope.with_pool and (not write or scope.has(MANAGER)):
			parts.append(c.in_public_pool == 1)
	if scope.has(MANAGER):
		if scope.managed_teams:
			parts.append(c.sales_team.isin(_values(scope.managed_teams)))
		if scope.team_users:
			parts.append(c.account_manager.isin(_values(scope.team_users)))
	return parts


def customer_rows(scope: Scope, c, write: bool = False) -> Criterion | None:
	"""CIMS Customer rows the user may read (or write); None means all of them."""
	if scope.is_admin:
		return None
	if not write and scope.has(HEAD, SERVICE, MARKETING, ANALYST):
		return None
	parts = _seller_customer_parts(scope, c, write)
	if write and scope.has(SERVICE):
		parts += [c.account_manager == _value(scope.user), c.lifecycle_stage == CHURNED]
	criterion = _any(parts)
	if parts and not write and frappe.flags.cims_list_page:
		if _reaches_much(scope, _seller_customers(scope, write), write):
			return IsTrue(criterion)
	return criterion


def _seller_customers(scope: Scope, write: bool):
	"""Subquery of the customer names a rep or manager reaches, or None when the user is neither."""
	c = DocType(CUSTOMER).as_("cims_perm_c")
	parts = _seller_customer_parts(scope, c, write)
	return frappe.qb.from_(c).select(c.name).where(_any(parts)) if parts else None


def _customers_managed_by(user: str):
	c = DocType(CUSTOMER).as_("cims_perm_m")
	return frappe.qb.from_(c).select(c.name).where(c.account_manager == _value(user))


def _in_seller_customers(scope: Scope, field, write: bool) -> list:
	subquery = _seller_customers(scope, write)
	if subquery is None:
		return []
	if frappe.flags.cims_list_page and _reaches_much(scope, subquery, write):
		c = DocType(CUSTOMER).as_("cims_perm_c")
		return [FoundBy(subquery.where(c.name == field).limit(1))]
	return [field.isin(subquery)]


def _reaches_much(scope: Scope, subquery, write: bool) -> bool:
	"""Whether the user reaches at least PAGE_BY_LOOKUP_SHARE of the customers: estimated once an hour
	per user (a share, not a count, so customers coming and going barely move it)."""
	key = f"cims_reach_share:{scope.user}:{int(write)}:{int(scope.with_pool)}"
	share = frappe.cache.get_value(key, expires=True)  # not kept in frappe.local: it expires
	if share is None:
		total = frappe.db.sql(f"SELECT COUNT(*) FROM `tab{CUSTOMER}`")[0][0]
		reached = frappe.db.sql(f"SELECT COUNT(*) FROM ({subquery.get_sql(quote_char='`')}) reach")[0][0]
		share = reached / total if total else 0
		frappe.cache.set_value(key, share, expires_in_sec=REACH_CACHE_SECONDS)
	return share >= PAGE_BY_LOOKUP_SHARE


@frappe.whitelist()
@frappe.read_only()
def list_page():
	"""hooks `override_whitelisted_methods` for frappe.desk.reportview.get, the Desk's list and report views:
	the same call, with the row rules in their page form (FoundBy)."""
	from frappe.desk.reportview import get

	frappe.flags.cims_list_page = _sorted_by_time(frappe.local.form_dict.get("order_by"))
	try:
		return get()
	finally:
		frappe.flags.cims_list_page = False


def _sorted_by_time(order_by: str | None) -> bool:
	"""Whether a page is sorted newest or oldest first (creation, the CIMS lists' sort field, or modified):
	the orders whose index a page form reads. Sorted by anything else, a page keeps the rule's indexes."""
	first = (order_by or "creation").split(",")[0].strip()
	column = re.sub(r"\s+(asc|desc)$", "", first, flags=re.IGNORECASE).split(".")[-1].strip("` ")
	return column in PAGE_SORTS


# Records hanging off a customer ------------------------------------------------------------------------


def follow_up_rows(scope: Scope, t, write: bool = False) -> Criterion | None:
	if scope.is_admin or (not write and scope.has(HEAD, SERVICE, ANALYST)):
		return None
	user = _value(scope.user)
	# Only the customer decides for reps and managers: one semi-join, fast over a million follow-ups. A
	# follow-up assigned to someone outside the customer's reach is shared with them (row_condition).
	parts = _in_seller_customers(scope, t.customer, write)
	if scope.has(SERVICE):
		parts += [t.owner == user, t.assigned_to == user, t.customer.isin(_customers_managed_by(scope.user))]
	if scope.has(MARKETING):
		parts.append(t.owner == user)
		if not write:
			parts.append(Coalesce(t.campaign, "") != "")
	return _any(parts)


def opportunity_rows(scope: Scope, t, write: bool = False) -> Criterion | None:
	if scope.is_admin or (not write and scope.has(HEAD, SERVICE, ANALYST)):
		return None
	parts = _in_seller_customers(scope, t.customer, write)
	if scope.has(MARKETING) and not write:
		parts.append(Coalesce(t.campaign, "") != "")
	return _any(parts)


def campaign_member_rows(scope: Scope, t, write: bool = False) -> Criterion | None:
	if scope.is_admin or scope.has(MARKETING):
		return None
	if write:
		return NOTHING
	if scope.has(HEAD, SERVICE, ANALYST):
		return None
	return _any(_in_seller_customers(scope, t.customer, False))


def stage_change_rows(scope: Scope, t, write: bool = False) -> Criterion | None:
	if scope.is_admin:
		return None
	if write:
		return NOTHING
	if scope.has(HEAD, SERVICE, ANALYST):
		return None
	return _any(_in_seller_customers(scope, t.customer, False))


def approval_request_rows(scope: Scope, t, write: bool = False) -> Criterion | None:
	if scope.is_admin or scope.has(HEAD):
		return None
	user = _value(scope.user)
	parts = [] if write else [t.requested_by == user, t.owner == user]
	if scope.has(MANAGER):
		if scope.team_users:
			parts.append(t.requested_by.isin(_values(scope.team_users)))
		subquery = _seller_customers(scope, True)
		if subquery is not None:
			parts.append((t.reference_doctype == CUSTOMER) & t.reference_name.isin(subquery))
	return _any(parts)


def sales_target_rows(scope: Scope, t, write: bool = False) -> Criterion | None:
	if scope.is_admin or scope.has(HEAD) or (not write and scope.has(ANALYST)):
		return None
	parts = [] if write else [t.user == _value(scope.user)]
	if scope.member_teams and not write:
		parts.append(t.sales_team.isin(_values(scope.member_teams)))
	if scope.managed_teams:
		parts.append(t.sales_team.isin(_values(scope.managed_teams)))
	if scope.team_users and scope.has(MANAGER):
		parts.append(t.user.isin(_values(scope.team_users)))
	return _any(parts)


def import_batch_rows(scope: Scope, t, write: bool = False) -> Criterion | None:
	return None if scope.is_admin else t.owner == _value(scope.user)


def import_row_rows(scope: Scope, t, write: bool = False) -> Criterion | None:
	"""Import rows (with the file's cells, personal data included) follow their batch."""
	if scope.is_admin:
		return None
	batch = DocType("CIMS Import Batch").as_("cims_perm_b")
	return t.batch.isin(frappe.qb.from_(batch).select(batch.name).where(batch.owner == _value(scope.user)))


def reminder_log_rows(scope: Scope, t, write: bool = False) -> Criterion | None:
	if scope.is_admin:
		return None
	parts = [t.recipient == _value(scope.user)]
	if scope.has(MANAGER) and scope.team_users:
		parts.append(t.recipient.isin(_values(scope.team_users)))
	return _any(parts)


def contact_rows(scope: Scope, t, write: bool = False) -> Criterion | None:
	"""Contacts linked to CIMS customers are visible only when every such link is to a reachable customer;
	contacts linked to none (`cims_no_customer`, kept by `flag_contact_without_customer`) keep the
	framework's rules.

	Checked per contact the query reads (a scalar subquery by `parent` stays dependent): a list of 20
	reads a few dozen contacts whatever the size of the site. Set-wise forms (IN, NOT EXISTS) make the
	optimizer materialise the links of every reachable customer, which is slow for a manager."""
	if scope.is_admin or scope.has(SERVICE) or (not write and scope.has(HEAD)):
		return None
	unlinked = t.cims_no_customer == 1
	customer = DocType(CUSTOMER).as_("cims_perm_oc")
	parts = _seller_customer_parts(scope, customer, write)
	if not parts:
		return unlinked
	link = DocType("Dynamic Link").as_("cims_perm_ol")
	outside = (
		frappe.qb.from_(link)
		.join(customer)
		.on(customer.name == link.link_name)
		.select(Count("*"))
		.where(
			(link.parenttype == "Contact")
			& (link.parent == t.name)
			& (link.link_doctype == CUSTOMER)
			& IsNotTrue(_any(parts))
		)
	)
	return unlinked | ScalarIsZero(outside)


def flag_contact_without_customer(doc) -> None:
	"""Called from the Contact validate hook: remember whether the contact has any CIMS Customer link."""
	doc.cims_no_customer = int(not any(row.link_doctype == CUSTOMER for row in doc.get("links") or []))


def refresh_contact_customer_flags() -> None:
	"""Set `cims_no_customer` of every contact from its links in one statement (after install and every
	migrate; also repairs contacts whose links were written without the document)."""
	contact = DocType("Contact")
	link = DocType("Dynamic Link")
	linked = (
		frappe.qb.from_(link)
		.select(link.parent)
		.where((link.parenttype == "Contact") & (link.link_doctype == CUSTOMER))
	)
	frappe.qb.update(contact).set(
		contact.cims_no_customer, Case().when(contact.name.isin(linked), 0).else_(1)
	).run()


def file_rows(scope: Scope, t, write: bool = False) -> Criterion | None:
	"""Attachments of rule-bound records follow the record."""
	if scope.is_admin:
		return None
	parts = []
	for doctype, rows in ROW_RULES.items():
		if doctype == "File":
			continue
		record = DocType(doctype).as_("cims_perm_f")
		criterion = rows(scope, record, write)
		if criterion is None:
			continue
		other_doctype = Coalesce(t.attached_to_doctype, "") != doctype
		if criterion is NOTHING:
			parts.append(other_doctype)
		else:
			parts.append(
				other_doctype
				| t.attached_to_name.isin(frappe.qb.from_(record).select(record.name).where(criterion))
			)
	return Criterion.all(parts) if parts else None


ROW_RULES = {
	CUSTOMER: customer_rows,
	"CIMS Follow-Up": follow_up_rows,
	"CIMS Opportunity": opportunity_rows,
	"CIMS Campaign Member": campaign_member_rows,
	"CIMS Stage Change": stage_change_rows,
	"CIMS Approval Request": approval_request_rows,
	"CIMS Sales Target": sales_target_rows,
	"CIMS Import Batch": import_batch_rows,
	"CIMS Import Row": import_row_rows,
	"CIMS Reminder Log": reminder_log_rows,
	"Contact": contact_rows,
	"File": file_rows,
}

# New records and moved records: which customers a user may hang a record of this DocType on.
PARENT_LINKS = {
	"CIMS Follow-Up": "customer",
	"CIMS Opportunity": "customer",
	"CIMS Campaign Member": "customer",
}
ATTACH_ANYWHERE_ROLES = {
	"CIMS Follow-Up": (SERVICE, MARKETING),
	"CIMS Opportunity": (),
	"CIMS Campaign Member": (MARKETING,),
}


def row_condition(
	doctype: str, user: str | None = None, write: bool = False, table=None, with_pool: bool = True
) -> str:
	"""The rule for `doctype` as SQL over `tab<doctype>` (or `table`): "" when the user reaches every row.

	Script reports and set-based code that reads on a user's behalf add this to their queries. Without
	the pool (`with_pool=False`), reps and managers reach what they and their teams manage, not the public
	pool every seller may browse and claim.
	"""
	rows = ROW_RULES.get(doctype)
	if not rows:
		return ""
	table = table or DocType(doctype)
	scope = replace(get_scope(user), with_pool=with_pool)
	criterion = rows(scope, table, write)
	if criterion is None:
		return ""
	# Records shared with the user (Share in the sidebar, an assignment) are theirs too, as the framework's
	# has_permission says; a short list of names, and no list at all in the usual case.
	if shared := frappe.share.get_shared(doctype, scope.user, rights=["write" if write else "read"]):
		criterion = criterion | table.name.isin(_values(sorted(shared)))
	return f"({_sql(criterion)})"


def own_book_condition(doctype: str, user: str | None = None) -> str:
	"""For figures (script reports, number cards): the rule of `doctype` without the public pool when the
	user is a rep or manager, "" for everyone else (admins and the roles that read every customer count the
	whole company, pool included). Added to the usual rule, it leaves a seller their own book: a rep the
	customers they manage (and what hangs off them), a manager those of their teams."""
	user = user or frappe.session.user
	if user == "Administrator" or doctype not in ROW_RULES:
		return ""
	if not set(frappe.get_roles(user)) & set(SELLERS):
		return ""
	return row_condition(doctype, user, with_pool=False)


# Framework hooks ----------------------------------------------------------------------------------------


def get_permission_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""hooks `permission_query_conditions`: the read rule of `doctype` for list queries."""
	if not doctype or (user or frappe.session.user) == "Administrator":
		return ""
	return row_condition(doctype, user)


def has_permission(
	doc, ptype: str | None = None, user: str | None = None, debug: bool = False
) -> bool | None:
	"""hooks `has_permission`: False when the row rule refuses `doc`, None to leave the decision to the
	framework (role permissions, sharing). A stored record is judged by its row in the database, never by
	values the request put into it; a new or re-parented record by the customer it is being put under."""
	user = user or frappe.session.user
	rows = ROW_RULES.get(doc.doctype)
	if user == "Administrator" or not rows:
		return None
	scope = get_scope(user)
	if scope.is_admin:
		return None
	write = (ptype or "read") not in READ_PTYPES
	stored = _stored_row(doc, rows(scope, DocType(doc.doctype), write))
	if stored is not None and not stored.allowed:
		debug and frappe.permissions._debug_log(f"cims_app row rule refuses {doc.doctype} {doc.name}")
		return False
	if write and not _may_attach(doc, scope, stored):
		return False
	return None


def _stored_row(doc, criterion):
	"""The record's row (with `allowed` = the rule holds), or None when it is not in the database yet."""
	if not doc.name or doc.get("__islocal"):
		return None
	table = DocType(doc.doctype)
	fields = [table.name]
	if parent := PARENT_LINKS.get(doc.doctype):
		fields.append(table[parent])
	allowed = "1" if criterion is None else _sql_with_params(_sql(criterion))
	rows = (
		frappe.qb.from_(table)
		.select(*fields, LiteralValue(f"({allowed})").as_("allowed"))
		.where(table.name == doc.name)
		.run(as_dict=True)
	)
	return rows[0] if rows else None


def _may_attach(doc, scope: Scope, stored) -> bool:
	"""A record put under a customer (new, or moved to another one) needs that customer in reach."""
	if doc.doctype == "Contact":
		return _contact_links_reachable(doc, scope)
	if doc.doctype == "File":
		return _attachment_target_writable(doc, scope)
	parent = PARENT_LINKS.get(doc.doctype)
	customer = doc.get(parent) if parent else None
	if not customer or (stored is not None and stored.get(parent) == customer):
		return True
	if scope.has(*ATTACH_ANYWHERE_ROLES.get(doc.doctype, ())):
		return True
	subquery = _seller_customers(scope, True)
	if subquery is None:
		return False
	reachable = _sql_with_params(subquery.get_sql(quote_char="`"))
	return bool(frappe.db.sql(f"select 1 from ({reachable}) c where c.name = %s", customer))


def _contact_links_reachable(doc, scope: Scope) -> bool:
	customers = {row.link_name for row in doc.get("links") or [] if row.link_doctype == CUSTOMER}
	if not customers:
		return True
	criterion = contact_rows(scope, DocType("Contact"), True)
	if criterion is None:
		return True
	subquery = _seller_customers(scope, True)
	if subquery is None:
		return False
	reachable = _sql_with_params(subquery.get_sql(quote_char="`"))
	found = frappe.db.sql(f"select c.name from ({reachable}) c where c.name in %s", (tuple(customers),))
	return len(found) == len(customers)


def _attachment_target_writable(doc, scope: Scope) -> bool:
	if not doc.is_new() or doc.attached_to_doctype not in ROW_RULES or not doc.attached_to_name:
		return True
	return frappe.has_permission(doc.attached_to_doctype, "write", doc=doc.attached_to_name, user=scope.user)


# Personal data -----------------------------------------------------------------------------------------------


def can_read_personal_data(user: str | None = None) -> bool:
	"""True when the user reads CIMS Customer's permlevel of mobile, email and ID number."""
	user = user or frappe.session.user
	if user == "Administrator":
		return True
	return PERSONAL_DATA_PERMLEVEL in frappe.get_meta(CUSTOMER).get_permlevel_access("read", user=user)


def set_masked_personal_data(doc) -> None:
	"""Keep the masked mirrors of a customer's mobile, phone and email (shown to users without permlevel 2)."""
	for fieldname, (mirror, mask) in MASKED_MIRRORS.items():
		value = doc.get(fieldname)
		doc.set(mirror, mask(value) if value else None)


def masked_contact_values(mobile_no: str | None, email_id: str | None) -> dict:
	"""Mirror values for set-based updates that copy a contact's mobile and email onto customers."""
	return {
		"mobile_no_masked": mask_mobile(mobile_no) if mobile_no else None,
		"email_id_masked": mask_email(email_id) if email_id else None,
	}


def make_attachment_private(doc, method=None) -> None:
	"""doc_events File after_insert: attachments of CIMS records and contacts are private files, so the
	framework's public-file shortcut never bypasses the row rules."""
	if doc.is_private or doc.is_folder or doc.attached_to_doctype not in ROW_RULES:
		return
	doc.is_private = 1
	doc.save(ignore_permissions=True)


# Framework endpoints that skip row rules --------------------------------------------------------------------


@frappe.whitelist()
def get_count(doctype: str, filters=None, debug=False, cache=False) -> int:
	"""frappe.client.get_count counts without any permission check; for rule-bound DocTypes count what the
	user may read."""
	from frappe.client import get_count as framework_get_count
	from frappe.utils import get_safe_filters

	if doctype not in ROW_RULES:
		return framework_get_count(doctype, filters=filters, debug=debug, cache=cache)
	rows = frappe.get_list(
		doctype,
		filters=get_safe_filters(filters),
		fields=[f"count(`tab{doctype}`.`name`) as total"],
		order_by="",
	)
	return rows[0].total if rows else 0


@frappe.whitelist()
def search_link(
	doctype: str,
	txt: str,
	query: str | None = None,
	filters=None,
	page_length: int = 10,
	searchfield: str | None = None,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
):
	"""Link search; `ignore_user_permissions` would turn every permission check off, so rule-bound
	DocTypes never get it."""
	from frappe.desk.search import search_link as framework_search_link

	return framework_search_link(
		doctype,
		txt,
		query=query,
		filters=filters,
		page_length=page_length,
		searchfield=searchfield,
		reference_doctype=reference_doctype,
		ignore_user_permissions=False if doctype in ROW_RULES else ignore_user_permissions,
	)


@frappe.whitelist()
def search_widget(
	doctype: str,
	txt: str,
	query: str | None = None,
	searchfield: str | None = None,
	start: int = 0,
	page_length: int = 10,
	filters=None,
	filter_fields=None,
	as_dict: bool = False,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
):
	"""The search box's search, with the same guard as `search_link`."""
	from frappe.desk.search import search_widget as framework_search_widget

	return framework_search_widget(
		doctype,
		txt,
		query=query,
		searchfield=searchfield,
		start=start,
		page_length=page_length,
		filters=filters,
		filter_fields=filter_fields,
		as_dict=as_dict,
		reference_doctype=reference_doctype,
		ignore_user_permissions=False if doctype in ROW_RULES else ignore_user_permissions,
	)


@frappe.whitelist()
def global_search(text: str, start: int = 0, limit: int = 20, doctype: str = "") -> list:
	"""frappe.utils.global_search.search with the row rules inside its query: a page holds `limit` entries
	the user may read (filtering a page after it is cut loses the user's own records behind better
	matches they may not read). Personal data in customer snippets is masked for users without
	permlevel 2. Otherwise as the framework: one query per `&`-separated word, best matches first,
	grouped by the priority of Global Search Settings; only entries that match count (the framework ranks
	every entry and drops those that do not match after cutting the page), which lets the full-text index
	find them."""
	from frappe.desk.doctype.global_search_settings.global_search_settings import (
		get_doctypes_for_global_search,
	)
	from frappe.utils import cint

	can_read = set(frappe.get_user().get_can_read())
	allowed = [name for name in get_doctypes_for_global_search() if name in can_read]
	if not allowed or (doctype and doctype not in allowed):
		return []
	doctypes = [doctype] if doctype else allowed
	readable = _readable_search_entries(doctypes)
	results = []
	for word in {word.strip() for word in text.split("&")}:
		if not word:
			continue
		results += frappe.db.sql(
			f"""SELECT gs.doctype, gs.name, gs.content, MATCH(gs.content) AGAINST (%(word)s) AS `rank`
			FROM `__global_search` gs
			WHERE MATCH(gs.content) AGAINST (%(word)s) AND gs.doctype IN %(doctypes)s {readable}
			ORDER BY `rank` DESC
			LIMIT %(limit)s OFFSET %(start)s""",
			{"word": word, "doctypes": doctypes, "limit": cint(limit), "start": max(cint(start), 0)},
			as_dict=True,
		)
	masked = not can_read_personal_data()
	ordered = []
	for name in doctypes:
		for result in results:
			if result.doctype != name or not result.rank > 0:
				continue
			if image_field := frappe.get_meta(name).image_field:
				result.image = frappe.db.get_value(name, result.name, image_field)
			if masked and name == CUSTOMER:
				result.content = mask_personal_text(result.content)
			ordered.append(result)
	return ordered


def _readable_search_entries(doctypes: list[str]) -> str:
	"""SQL conditions on global-search entries `gs`: of each DocType the user reads only some records of
	(row rules, user permissions, shares: the conditions of the user's list, frappe's DatabaseQuery), only
	entries of those records. "" when the user reads every record of every one."""
	from frappe.model.db_query import DatabaseQuery

	parts = []
	for name in doctypes:
		query = DatabaseQuery(name)
		match = query.build_match_conditions()  # may add a condition of its own (records shared only)
		conditions = [condition for condition in [*query.conditions, match] if condition]
		if conditions:
			table, where = f"`tab{name}`", " AND ".join(conditions)
			records = f"SELECT {table}.name FROM {table} WHERE {where}"
			parts.append(f"(gs.doctype != {frappe.db.escape(name, percent=False)} OR gs.name IN ({records}))")
	return _sql_with_params("".join(f" AND {part}" for part in parts))
