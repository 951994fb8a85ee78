"""Approval-gated changes (SPEC §4): deleting customers, follow-ups, opportunities and campaigns, and
value-tier overrides, only through an approved CIMS Approval Request.

- Any other delete is refused for every role, Administrator included (`refuse_unapproved_delete`, hooks
  doc_events on_trash); only `execute_deletion` removes these records.
- Approving a Delete request removes the record and everything hanging off it in the request's
  transaction and keeps a JSON snapshot of every row on the request; `restore` puts the rows back
  with the same names.
- Approving a Value Tier Change sets the customer's `value_tier_override`, which no other path changes.

Who decides: System Manager every request; Sales Manager deletes of records of the teams it manages;
Department Head value-tier changes. Nobody decides on their own request.
"""

import json
from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import now_datetime

from cims_app.db.bulk_update import record_versions
from cims_app.domain.vocabulary import canonical_option
from cims_app.follow_ups.saving import refresh_customer_follow_up_dates

CUSTOMER = "CIMS Customer"
FOLLOW_UP = "CIMS Follow-Up"
OPPORTUNITY = "CIMS Opportunity"
CAMPAIGN = "CIMS Campaign"
DELETABLE = (CUSTOMER, FOLLOW_UP, OPPORTUNITY, CAMPAIGN)

DELETE = "Delete"
TIER_CHANGE = "Value Tier Change"
PENDING, APPROVED, REJECTED = "Pending Approval", "Approved", "Rejected"
TIERS = ("High Value Customer", "High Potential Customer", "Regular Customer")
REQUEST_FIELDS = ("request_type", "reference_doctype", "reference_name", "new_value", "requested_by")
SYSTEM_FIELDS = ("snapshot", "restored_on", "approved_by", "decided_on")

ADMIN = "System Manager"
MANAGER = "CIMS Sales Manager"
HEAD = "CIMS Department Head"
RESTORER_ROLES = (ADMIN, MANAGER, HEAD)

# Records that hang off each deletable record: (DocType, field pointing at the deleted record).
DEPENDANTS = {
	CUSTOMER: (
		(FOLLOW_UP, "customer"),
		(OPPORTUNITY, "customer"),
		("CIMS Campaign Member", "customer"),
		("CIMS Stage Change", "customer"),
	),
	OPPORTUNITY: (("CIMS Stage Change", "reference_name"),),
	CAMPAIGN: (("CIMS Campaign Member", "campaign"),),
	FOLLOW_UP: (),
}
# Framework records attached to any deleted record: (DocType, reference DocType field, reference name field).
ATTACHED = (
	("Comment", "reference_doctype", "reference_name"),
	("File", "attached_to_doctype", "attached_to_name"),
	("ToDo", "reference_type", "reference_name"),
	("Tag Link", "document_type", "document_name"),
)
SNAPSHOT_VERSION = 1
CHUNK = 1000


class DeletionNeedsApproval(frappe.PermissionError):
	pass


# Guards -----------------------------------------------------------------------------------------------


def refuse_unapproved_delete(doc, method=None) -> None:
	"""hooks doc_events on_trash: CIMS Customer, Follow-Up, Opportunity and Campaign are deleted only by an
	approved request (frappe.delete_doc with flags={"cims_approved_delete": True} passes, for the app's own
	code); everyone else, Administrator included, is refused."""
	if doc.flags.cims_approved_delete:
		return
	frappe.throw(
		_(
			"{0} {1} can be deleted only through an approved CIMS Approval Request: create a Delete request for it"
		).format(_(doc.doctype), doc.name),
		DeletionNeedsApproval,
		title=_("Deletion Needs Approval"),
	)


def keep_value_tier_override(doc) -> None:
	"""Called from CIMSCustomer.validate: `value_tier_override` changes only by an approved Value Tier Change
	request; any other change is ignored."""
	if doc.flags.cims_value_tier_approved:
		return
	before = doc.get_doc_before_save()
	doc.value_tier_override = before.value_tier_override if before else None


# The request's own rules -----------------------------------------------------------------------------------


def validate_request(request) -> None:
	"""Called from CIMSApprovalRequest.validate."""
	before = request.get_doc_before_save()
	if before is None:
		_validate_new_request(request)
		return
	for fieldname in REQUEST_FIELDS + SYSTEM_FIELDS:
		if not request.flags.cims_system_update:
			request.set(fieldname, before.get(fieldname))
	if before.status != request.status:
		_validate_decision(request, before.status)


def _validate_new_request(request) -> None:
	request.requested_by = frappe.session.user
	request.status = PENDING
	for fieldname in SYSTEM_FIELDS:
		request.set(fieldname, None)
	if request.request_type == DELETE and request.reference_doctype not in DELETABLE:
		frappe.throw(
			_("Deletion requests are for {0} only").format(", ".join(_(doctype) for doctype in DELETABLE))
		)
	if request.request_type == TIER_CHANGE:
		if request.reference_doctype != CUSTOMER:
			frappe.throw(_("Value tier changes are requested for a CIMS Customer"))
		if request.new_value:
			tier = canonical_option("value_tier", request.new_value)
			if tier not in TIERS:
				frappe.throw(_("{0} is not a value tier").format(frappe.bold(request.new_value)))
			request.new_value = tier
	if not frappe.db.exists(request.reference_doctype, request.reference_name):
		frappe.throw(_("{0} {1} does not exist").format(_(request.reference_doctype), request.reference_name))
	if not frappe.has_permission(request.reference_doctype, "read", doc=request.reference_name):
		frappe.throw(
			_("You cannot request changes to {0} {1}").format(
				_(request.reference_doctype), request.reference_name
			),
			frappe.PermissionError,
		)
	pending = frappe.db.exists(
		"CIMS Approval Request",
		{
			"request_type": request.request_type,
			"reference_doctype": request.reference_doctype,
			"reference_name": request.reference_name,
			"status": PENDING,
			"name": ("!=", request.name),
		},
	)
	if pending:
		frappe.throw(
			_("{0} is already waiting for a decision on this record").format(
				frappe.get_desk_link("CIMS Approval Request", pending)
			)
		)


def _validate_decision(request, previous_status: str) -> None:
	user = frappe.session.user
	if previous_status != PENDING or request.status not in (APPROVED, REJECTED):
		frappe.throw(_("This request was already decided"))
	if request.requested_by == user:
		frappe.throw(_("You cannot decide on your own request"), frappe.PermissionError)
	if not can_decide(request, user):
		frappe.throw(
			_("You may not decide on this {0} request").format(_(request.request_type)),
			frappe.PermissionError,
		)
	request.approved_by = user
	request.decided_on = now_datetime()


def can_decide(request, user: str | None = None) -> bool:
	"""System Manager decides every request, a Sales Manager deletions of records it may write (its teams'),
	the Department Head value-tier changes."""
	user = user or frappe.session.user
	roles = set(frappe.get_roles(user))
	if user == "Administrator" or ADMIN in roles:
		return True
	if request.request_type == TIER_CHANGE:
		return HEAD in roles
	return MANAGER in roles and bool(
		frappe.db.exists(request.reference_doctype, request.reference_name)
		and frappe.has_permission(request.reference_doctype, "write", doc=request.reference_name, user=user)
	)


def on_request_update(request) -> None:
	"""Called from CIMSApprovalRequest.on_update: carry out a request the moment it is approved."""
	before = request.get_doc_before_save()
	if not before or before.status == request.status or request.status != APPROVED:
		return
	if request.request_type == DELETE:
		snapshot = execute_deletion(request.reference_doctype, request.reference_name)
		request.db_set("snapshot", json.dumps(snapshot, default=str, ensure_ascii=False, indent=1))
	else:
		apply_value_tier_change(request)
	request.add_comment("Info", _("Carried out on approval by {0}").format(frappe.session.user))


def apply_value_tier_change(request) -> None:
	customer = frappe.get_doc(CUSTOMER, request.reference_name)
	customer.flags.cims_value_tier_approved = True
	customer.value_tier_override = request.new_value or None
	# Without an override the tier is computed again from the amounts.
	customer.value_tier = request.new_value or None
	customer.save(ignore_permissions=True)


# Deletion and its snapshot --------------------------------------------------------------------------------


def execute_deletion(doctype: str, name: str) -> dict:
	"""Delete `name` and its dependants in set-based statements (the caller's transaction) and return the
	snapshot `restore` needs: every removed row of every table, and the links cleared in records kept."""
	if doctype not in DELETABLE:
		frappe.throw(_("Deletion requests are for {0} only").format(", ".join(_(dt) for dt in DELETABLE)))
	if not frappe.db.get_value(doctype, name, "name", for_update=True):
		frappe.throw(_("{0} {1} does not exist").format(_(doctype), name))

	records = _records_to_delete(doctype, name)
	kept_contact_links = _contact_links_of_kept_contacts(records)
	snapshot = {"version": SNAPSHOT_VERSION, "doctype": doctype, "name": name, "tables": {}, "unlinked": []}
	tables = snapshot["tables"]

	for record_doctype, names in records.items():
		_take(tables, record_doctype, {"name": ("in", sorted(names))})
		for child in frappe.get_meta(record_doctype).get_table_fields():
			_take(tables, child.options, {"parenttype": record_doctype, "parent": ("in", sorted(names))})
	if kept_contact_links:
		_take(tables, "Dynamic Link", {"name": ("in", kept_contact_links)})
	snapshot["unlinked"] = _clear_links_to(records)
	snapshot["global_search"] = _global_search_rows(records)

	for table_doctype, rows in tables.items():
		for chunk in _chunks([row["name"] for row in rows]):
			frappe.db.delete(table_doctype, {"name": ("in", chunk)})
	for record_doctype, names in records.items():
		for record in names:
			frappe.clear_document_cache(record_doctype, record)
	_refresh_customers_of(snapshot)
	_refresh_campaigns_of(snapshot)
	# The search index is not transactional (MyISAM): touch it only once everything else went through.
	_delete_global_search(records)
	return snapshot


def _records_to_delete(doctype: str, name: str) -> dict[str, set]:
	"""The record, its dependants, contacts linked only to a deleted customer, and what is attached to
	any of them (comments, files, ToDos, tags, calendar events)."""
	records = defaultdict(set)
	records[doctype].add(name)
	for dependant, fieldname in DEPENDANTS[doctype]:
		filters = {fieldname: name}
		if dependant == "CIMS Stage Change" and doctype != CUSTOMER:
			filters["reference_doctype"] = doctype
		records[dependant].update(frappe.get_all(dependant, filters=filters, pluck="name"))
	if doctype == CUSTOMER:
		records["Contact"].update(_contacts_linked_only_to(name))
	events = set()
	for record_doctype, names in list(records.items()):
		if not names:
			continue
		for attached, doctype_field, name_field in ATTACHED:
			records[attached].update(
				frappe.get_all(
					attached,
					filters={doctype_field: record_doctype, name_field: ("in", sorted(names))},
					pluck="name",
				)
			)
		events.update(
			frappe.get_all(
				"Event Participants",
				filters={
					"parenttype": "Event",
					"reference_doctype": record_doctype,
					"reference_docname": ("in", sorted(names)),
				},
				pluck="parent",
			)
		)
	records["Event"].update(events)
	return {record_doctype: names for record_doctype, names in records.items() if names}


def _contacts_linked_only_to(customer: str) -> list[str]:
	link = frappe.qb.DocType("Dynamic Link")
	other = frappe.qb.DocType("Dynamic Link").as_("other")
	linked = (
		frappe.qb.from_(link)
		.select(link.parent)
		.where(
			(link.parenttype == "Contact") & (link.link_doctype == CUSTOMER) & (link.link_name == customer)
		)
	)
	elsewhere = (
		frappe.qb.from_(other)
		.select(other.parent)
		.where(
			(other.parenttype == "Contact")
			& other.parent.isin(linked)
			& ((other.link_doctype != CUSTOMER) | (other.link_name != customer))
		)
	)
	return sorted(set(linked.run(pluck=True)) - set(elsewhere.run(pluck=True)))


def _contact_links_of_kept_contacts(records: dict) -> list[str]:
	"""Rows of `tabDynamic Link` that tie contacts staying on to a deleted customer."""
	customers = sorted(records.get(CUSTOMER, ()))
	if not customers:
		return []
	deleted_contacts = records.get("Contact", set())
	rows = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "link_doctype": CUSTOMER, "link_name": ("in", customers)},
		fields=["name", "parent"],
	)
	return sorted(row.name for row in rows if row.parent not in deleted_contacts)


def _clear_links_to(records: dict) -> list[dict]:
	"""Empty the Link fields of records kept that point at deleted ones; return what was cleared."""
	cleared = []
	for target, names in records.items():
		for holder, fieldname in _link_fields_to(target):
			if not frappe.db.table_exists(holder):
				continue
			deleted_holders = records.get(holder, set())
			rows = frappe.get_all(
				holder, filters={fieldname: ("in", sorted(names))}, fields=["name", fieldname], limit=0
			)
			rows = [row for row in rows if row.name not in deleted_holders]
			for row in rows:
				cleared.append(
					{"doctype": holder, "name": row.name, "field": fieldname, "value": row[fieldname]}
				)
			for chunk in _chunks([row.name for row in rows]):
				frappe.db.set_value(holder, {"name": ("in", chunk)}, fieldname, None, update_modified=False)
			record_versions(holder, {row.name: {fieldname: (row[fieldname], None)} for row in rows})
	return cleared


def _link_fields_to(target: str) -> list[tuple[str, str]]:
	"""(DocType, fieldname) of the app's non-table DocTypes' Link fields whose options are `target`."""
	doctypes = frappe.get_all(
		"DocType", filters={"module": "CIMS App", "istable": 0, "issingle": 0}, pluck="name"
	)
	fields = frappe.get_all(
		"DocField",
		filters={"parent": ("in", doctypes), "fieldtype": "Link", "options": target},
		fields=["parent", "fieldname"],
	)
	fields += frappe.get_all(
		"Custom Field",
		filters={"dt": ("in", doctypes), "fieldtype": "Link", "options": target},
		fields=["dt as parent", "fieldname"],
	)
	return sorted({(row.parent, row.fieldname) for row in fields})


def _take(tables: dict, doctype: str, filters: dict) -> None:
	rows = frappe.get_all(doctype, filters=filters, fields=["*"], order_by="name asc", limit=0)
	if rows:
		tables.setdefault(doctype, []).extend(_plain(rows))


def _global_search_rows(records: dict) -> list[dict]:
	search = frappe.qb.Table("__global_search")
	rows = []
	for doctype, names in records.items():
		found = (
			frappe.qb.from_(search)
			.select("*")
			.where((search.doctype == doctype) & search.name.isin(sorted(names)))
			.run(as_dict=True)
		)
		rows.extend(_plain(found))
	return rows


def _delete_global_search(records: dict) -> None:
	search = frappe.qb.Table("__global_search")
	for doctype, names in records.items():
		frappe.qb.from_(search).delete().where(
			(search.doctype == doctype) & search.name.isin(sorted(names))
		).run()


def _plain(rows: list) -> list[dict]:
	"""Rows as JSON-ready dicts (dates and datetimes as text, decimals as numbers)."""
	return json.loads(frappe.as_json([dict(row) for row in rows]))


def _chunks(items: list, size: int = CHUNK):
	for start in range(0, len(items), size):
		yield items[start : start + size]


def _refresh_customers_of(snapshot: dict) -> None:
	"""Customers that keep living get their follow-up dates recomputed after follow-ups come or go."""
	customers = {row.get("customer") for row in snapshot["tables"].get(FOLLOW_UP, [])}
	customers -= {row["name"] for row in snapshot["tables"].get(CUSTOMER, [])}
	refresh_customer_follow_up_dates([c for c in customers if c and frappe.db.exists(CUSTOMER, c)])


def _refuse_taken_keys(customers: list[dict]) -> None:
	"""A customer comes back only while no other holds its credit code, ID number or exact name (unique on
	the site since it was deleted): the message says which, instead of the database's refusal."""
	from cims_app.customers.duplicates import UNIQUE_COLUMNS, owner_of_unique_key, same_reason

	for row in customers:
		for reason, column in UNIQUE_COLUMNS.items():
			if existing := owner_of_unique_key(reason, row.get(column), row["name"]):
				frappe.throw(
					_("Cannot restore {0}: customer {1} has the {2} now; merge or change it first").format(
						row["name"], existing, same_reason(reason)
					),
					frappe.DuplicateEntryError,
				)


def _refresh_campaigns_of(snapshot: dict, restored: bool = False) -> None:
	"""Campaigns that lost (or, on restore, got back) members or won opportunities get their members'
	conversions and their participants, conversions, revenue and ROI recomputed (set-based); a deleted
	campaign has none left to refresh, a restored one is refreshed too."""
	from cims_app.campaigns.members import refresh_metrics, sync_member_conversions

	tables = snapshot["tables"]
	campaigns = {row.get("campaign") for row in tables.get("CIMS Campaign Member", [])}
	campaigns |= {row.get("campaign") for row in tables.get(OPPORTUNITY, [])}
	deleted = {row["name"] for row in tables.get(CAMPAIGN, [])}
	campaigns = (campaigns | deleted) if restored else (campaigns - deleted)
	campaigns = [name for name in sorted(filter(None, campaigns)) if frappe.db.exists(CAMPAIGN, name)]
	if campaigns:
		sync_member_conversions(campaigns)
		refresh_metrics(campaigns)


# Restore ------------------------------------------------------------------------------------------------


@frappe.whitelist()
def restore(request: str) -> dict:
	"""Bring back every row an approved deletion removed, with the same names, and re-link what it had
	unlinked. Managers (Sales Manager, Department Head) and admins who may write the request."""
	doc = frappe.get_doc("CIMS Approval Request", request)
	doc.check_permission("write")
	if not set(frappe.get_roles()) & set(RESTORER_ROLES) and frappe.session.user != "Administrator":
		frappe.throw(_("Only managers and administrators restore deleted records"), frappe.PermissionError)
	if doc.request_type != DELETE or doc.status != APPROVED or not doc.snapshot:
		frappe.throw(_("Only an approved deletion can be restored"))
	if doc.restored_on:
		frappe.throw(_("This deletion was already restored on {0}").format(doc.restored_on))

	snapshot = json.loads(doc.snapshot)
	counts = restore_snapshot(snapshot)
	doc.flags.cims_system_update = True
	doc.db_set("restored_on", now_datetime())
	doc.add_comment(
		"Info", _("Restored by {0}: {1} records").format(frappe.session.user, sum(counts.values()))
	)
	return counts


def restore_snapshot(snapshot: dict) -> dict:
	"""Insert the snapshot's rows back into their tables (refusing when any name is taken again)."""
	tables = snapshot.get("tables", {})
	for doctype, rows in tables.items():
		names = [row["name"] for row in rows]
		for chunk in _chunks(names):
			taken = frappe.get_all(doctype, filters={"name": ("in", chunk)}, pluck="name", limit=1)
			if taken:
				frappe.throw(
					_("Cannot restore: {0} {1} exists again").format(_(doctype), taken[0]),
					frappe.DuplicateEntryError,
				)
	_refuse_taken_keys(tables.get(CUSTOMER, []))
	counts = {}
	for doctype, rows in tables.items():
		columns = set(frappe.db.get_table_columns(doctype))
		fields = sorted({key for row in rows for key in row} & columns)
		frappe.db.bulk_insert(doctype, fields, [tuple(row.get(field) for field in fields) for row in rows])
		counts[doctype] = len(rows)
	relinked = {}
	for row in snapshot.get("unlinked", []):
		frappe.db.set_value(row["doctype"], row["name"], row["field"], row["value"], update_modified=False)
		changes = relinked.setdefault(row["doctype"], {}).setdefault(row["name"], {})
		changes[row["field"]] = (None, row["value"])
	for doctype, changes in relinked.items():
		record_versions(doctype, changes)
	_refresh_customers_of(snapshot)
	_refresh_campaigns_of(snapshot, restored=True)
	# Not transactional (MyISAM): last.
	if rows := snapshot.get("global_search"):
		search = frappe.qb.Table("__global_search")
		fields = sorted(rows[0])
		frappe.qb.into(search).columns(*fields).insert(*[tuple(row[f] for f in fields) for row in rows]).run()
	return counts
