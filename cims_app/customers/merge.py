"""Merging two customers (SPEC §6): keep one, move everything that hangs off the other to it in set-based
statements, resolve field conflicts by policy, record the merge, and delete the other, whose snapshot
stays in the merge comment (restorable, as approvals.execute_deletion makes it)."""

import json

import frappe
from frappe import _
from frappe.utils import escape_html, now_datetime

from cims_app.domain.memberships import merge_memberships
from cims_app.domain.merge_policy import POLICIES, append_source, conflicts, resolve
from cims_app.domain.vocabulary import canonical_option
from cims_app.follow_ups.saving import refresh_customer_follow_up_dates
from cims_app.records import approvals

CUSTOMER = "CIMS Customer"
# Customer fields a merge never copies: identity, derived values, figures the jobs compute, the data source.
NOT_MERGED = {
	"name",
	"naming_series",
	"customer_name",
	"customer_type",
	"owner",
	"creation",
	"modified",
	"modified_by",
	"docstatus",
	"idx",
	"name_exact_key",
	"name_match_key",
	"id_number_masked",
	"mobile_no_masked",
	"phone_masked",
	"email_id_masked",
	"classification_label",
	"value_tier",
	"value_tier_override",
	"annual_amount",
	"cumulative_amount",
	"amount_growth_6m",
	"last_follow_up_on",
	"next_follow_up_on",
	"churn_risk",
	"churn_risk_score",
	"churn_reasons",
	"low_value_lead",
	"lifecycle_stage",
	"lifecycle_stage_changed_on",
	"data_source",
	"mobile_no",
	"email_id",
	"primary_contact",
	"in_public_pool",
	"pool_released_on",
}
# Framework records that point at a customer by (doctype field, name field), moved as they are.
REFERENCES = (
	*approvals.ATTACHED,
	("Communication", "reference_doctype", "reference_name"),
	("Communication Link", "link_doctype", "link_name"),
	("Event Participants", "reference_doctype", "reference_docname"),
	("CIMS Stage Change", "reference_doctype", "reference_name"),
)


def merge_customers(keep: str, remove: str, policy: str = "Fill Empty") -> dict:
	"""Merge customer `remove` into `keep` in the caller's transaction and return what was done.

	Moves contact links (Dynamic Link rows), follow-ups, opportunities, campaign memberships, stage
	changes and every other Link to the customer, comments, attachments, ToDos, tags and calendar
	links; `policy` (Fill Empty / Overwrite / Keep Existing, or a word of the vocabulary for them) decides which of `remove`'s field values `keep`
	takes; `keep`'s data_source and a comment record the merge with a snapshot of `remove`.
	"""
	policy = canonical_option("conflict_policy", policy) or policy
	if policy not in POLICIES:
		frappe.throw(_("Conflict policy must be one of {0}").format(", ".join(_(p) for p in POLICIES)))
	if not keep or not remove or keep == remove:
		frappe.throw(_("Choose two different customers to merge"))
	for name in sorted((keep, remove)):
		if not frappe.db.get_value(CUSTOMER, name, "name", for_update=True):
			frappe.throw(_("Customer {0} does not exist").format(name), frappe.DoesNotExistError)

	keeper = frappe.get_doc(CUSTOMER, keep)
	removed = frappe.get_doc(CUSTOMER, remove)
	fields = [
		df.fieldname
		for df in keeper.meta.fields
		if df.fieldname not in NOT_MERGED
		and df.fieldtype not in frappe.model.no_value_fields
		and not df.get("is_virtual")
	]
	current = keeper.as_dict()
	incoming = removed.as_dict()
	changes = resolve(current, incoming, policy, fields)
	left_out = {
		field: pair for field, pair in conflicts(current, incoming, fields).items() if field not in changes
	}
	if not keeper.primary_contact and removed.primary_contact:
		changes["primary_contact"] = removed.primary_contact

	folded = fold_memberships(keep, remove, keeper.customer_name)
	moved = move_references(keep, remove, keeper.customer_name)
	if folded:
		moved["CIMS Campaign Member"] = moved.get("CIMS Campaign Member", 0) + folded
	snapshot = approvals.execute_deletion(CUSTOMER, remove)

	keeper.reload()
	keeper.update(changes)
	keeper.data_source = append_source(
		keeper.data_source,
		_("Merged customer {0} ({1}) into this one on {2}").format(
			remove, removed.customer_name, now_datetime().strftime("%Y-%m-%d %H:%M")
		),
	)
	keeper.flags.cims_system_stage_move = True
	keeper.flags.stage_change_source = "merge"
	keeper.save(ignore_version=False)
	refresh_customer_follow_up_dates([keep])
	refresh_campaigns_of_customers([keep])
	comment = add_merge_comment(keeper, removed, policy, changes, left_out, moved, snapshot)
	return {
		"keep": keep,
		"removed": remove,
		"policy": policy,
		"changed_fields": sorted(changes),
		"kept_values": sorted(left_out),
		"moved": moved,
		"comment": comment,
	}


MEMBER = "CIMS Campaign Member"


def fold_memberships(keep: str, remove: str, keep_title: str) -> int:
	"""Campaigns both customers are members of keep one membership (domain.memberships.merge_memberships:
	the furthest status, summed engagement, both feedbacks), moved to `keep`; the other is deleted. Set-based:
	one read, one bulk update, one delete. Returns how many memberships of `remove` were folded."""
	rows = frappe.db.sql(
		f"""SELECT m.* FROM `tab{MEMBER}` m
		WHERE m.customer IN %(customers)s AND m.campaign IN (
			SELECT a.campaign FROM `tab{MEMBER}` a JOIN `tab{MEMBER}` b ON b.campaign = a.campaign
			WHERE a.customer = %(keep)s AND b.customer = %(remove)s)
		ORDER BY m.campaign, m.creation, m.name FOR UPDATE""",
		{"customers": (keep, remove), "keep": keep, "remove": remove},
		as_dict=True,
	)
	by_campaign: dict[str, dict[str, dict]] = {}
	for row in rows:
		by_campaign.setdefault(row.campaign, {}).setdefault(row.customer, row)
	updates, deleted = {}, []
	for members in by_campaign.values():
		if keep not in members or remove not in members:
			continue
		stays, goes, values = merge_memberships(members[keep], members[remove])
		updates[stays] = {**values, "customer": keep, "customer_name": keep_title}
		deleted.append(goes)
	if not deleted:
		return 0
	# The one that goes first: the unique (campaign, customer) index must never see two rows of `keep`.
	frappe.db.delete(MEMBER, {"name": ("in", deleted)})
	frappe.db.bulk_update(MEMBER, updates, update_modified=True)
	return len(deleted)


def refresh_campaigns_of_customers(customers: list[str]) -> None:
	"""Conversions, participants, revenue and ROI of every campaign the customers are members of or have
	opportunities in (set-based: campaigns.sync_member_conversions and refresh_metrics)."""
	from cims_app.campaigns.members import refresh_metrics, sync_member_conversions

	campaigns = frappe.db.sql_list(
		f"""SELECT campaign FROM `tab{MEMBER}` WHERE customer IN %(customers)s
		UNION SELECT campaign FROM `tabCIMS Opportunity` WHERE customer IN %(customers)s AND campaign IS NOT NULL""",
		{"customers": tuple(customers)},
	)
	campaigns = sorted({campaign for campaign in campaigns if campaign})
	if campaigns:
		sync_member_conversions(campaigns)
		refresh_metrics(campaigns)


def customer_link_fields() -> list[tuple[str, str, bool]]:
	"""(DocType, fieldname, is a child table) of every Link field whose options are CIMS Customer."""
	rows = frappe.db.sql(
		"""SELECT df.parent, df.fieldname, dt.istable FROM `tabDocField` df
			JOIN `tabDocType` dt ON dt.name = df.parent
		WHERE df.fieldtype = 'Link' AND df.options = %(customer)s AND dt.issingle = 0
		UNION
		SELECT cf.dt, cf.fieldname, dt.istable FROM `tabCustom Field` cf
			JOIN `tabDocType` dt ON dt.name = cf.dt
		WHERE cf.fieldtype = 'Link' AND cf.options = %(customer)s AND dt.issingle = 0""",
		{"customer": CUSTOMER},
	)
	return sorted((parent, fieldname, bool(istable)) for parent, fieldname, istable in rows)


def _fetched_fields(doctype: str, link_field: str) -> list[tuple[str, str]]:
	"""(fieldname, customer fieldname) of fields filled from the link (fetch_from customer.customer_name)."""
	return [
		(df.fieldname, df.fetch_from.split(".", 1)[1])
		for df in frappe.get_meta(doctype).fields
		if df.fetch_from and df.fetch_from.startswith(f"{link_field}.")
	]


def _run(query: str, values: dict) -> int:
	frappe.db.sql(query, values)
	return int(frappe.db.sql("SELECT ROW_COUNT()")[0][0])


def move_references(keep: str, remove: str, keep_title: str) -> dict[str, int]:
	"""Point everything at `remove` to `keep`; returns rows moved per DocType."""
	moved: dict[str, int] = {}
	values = {"keep": keep, "remove": remove, "customer": CUSTOMER, "title": keep_title}

	# Contacts and addresses: a contact already linked to both keeps one link.
	_run(
		"""DELETE dl FROM `tabDynamic Link` dl JOIN `tabDynamic Link` other
			ON other.parent = dl.parent AND other.parenttype = dl.parenttype
			AND other.link_doctype = %(customer)s AND other.link_name = %(keep)s
		WHERE dl.link_doctype = %(customer)s AND dl.link_name = %(remove)s""",
		values,
	)
	moved["Dynamic Link"] = _run(
		"""UPDATE `tabDynamic Link` SET link_name = %(keep)s, link_title = %(title)s
		WHERE link_doctype = %(customer)s AND link_name = %(remove)s""",
		values,
	)

	keeper = frappe.db.get_value(CUSTOMER, keep, "*", as_dict=True)
	for doctype, fieldname, _istable in customer_link_fields():
		if not frappe.db.table_exists(doctype):
			continue
		assignments = [f"`{fieldname}` = %(keep)s"]
		fetched = {}
		for target, source in _fetched_fields(doctype, fieldname):
			if source in keeper:
				assignments.append(f"`{target}` = %(fetched_{target})s")
				fetched[f"fetched_{target}"] = keeper[source]
		count = _run(
			f"UPDATE `tab{doctype}` SET {', '.join(assignments)} WHERE `{fieldname}` = %(remove)s",
			{**values, **fetched},
		)
		if count:
			moved[doctype] = moved.get(doctype, 0) + count

	for doctype, doctype_field, name_field in REFERENCES:
		if not frappe.db.table_exists(doctype):
			continue
		if doctype == "Tag Link":
			_run(
				"""DELETE tl FROM `tabTag Link` tl JOIN `tabTag Link` other
					ON other.tag = tl.tag AND other.document_type = %(customer)s AND other.document_name = %(keep)s
				WHERE tl.document_type = %(customer)s AND tl.document_name = %(remove)s""",
				values,
			)
		count = _run(
			f"UPDATE `tab{doctype}` SET `{name_field}` = %(keep)s WHERE `{doctype_field}` = %(customer)s AND `{name_field}` = %(remove)s",
			values,
		)
		if count:
			moved[doctype] = moved.get(doctype, 0) + count

	_merge_user_tags(keep, remove)
	_run(
		"""UPDATE `tabCIMS Import Row` r JOIN `tabCIMS Import Batch` b ON b.name = r.batch
		SET r.record = %(keep)s WHERE b.import_doctype = %(customer)s AND r.record = %(remove)s""",
		values,
	)
	return moved


def _merge_user_tags(keep: str, remove: str) -> None:
	tags = frappe.db.get_values(
		CUSTOMER, {"name": ("in", (keep, remove))}, ["name", "_user_tags"], as_dict=True
	)
	found = {row.name: [tag for tag in (row._user_tags or "").split(",") if tag] for row in tags}
	merged = list(dict.fromkeys(found.get(keep, []) + found.get(remove, [])))
	if merged != found.get(keep, []):
		frappe.db.set_value(CUSTOMER, keep, "_user_tags", "," + ",".join(merged), update_modified=False)


def add_merge_comment(keeper, removed, policy, changes, left_out, moved, snapshot) -> str:
	"""A comment on the kept customer: what was merged, which values came over, which were kept, what
	moved, and the removed customer's snapshot."""
	e = escape_html
	lines = [
		"<p><b>"
		+ e(_("Merged customer {0} ({1}) into this one").format(removed.name, removed.customer_name))
		+ "</b> · "
		+ e(_("Conflict policy: {0}").format(_(policy)))
		+ "</p>"
	]
	if changes:
		items = "".join(
			f"<li>{e(_(removed.meta.get_label(field) or field))}: {e(str(value))}</li>"
			for field, value in changes.items()
		)
		lines.append(f"<p>{e(_('Values taken from the merged customer'))}</p><ul>{items}</ul>")
	if left_out:
		items = "".join(
			f"<li>{e(_(removed.meta.get_label(field) or field))}: {e(str(pair[0]))} ({e(_('merged customer had'))} {e(str(pair[1]))})</li>"
			for field, pair in left_out.items()
		)
		lines.append(f"<p>{e(_('Values kept'))}</p><ul>{items}</ul>")
	if moved:
		items = "".join(f"<li>{e(_(doctype))}: {count}</li>" for doctype, count in sorted(moved.items()))
		lines.append(f"<p>{e(_('Records moved to this customer'))}</p><ul>{items}</ul>")
	lines.append(
		"<details><summary>"
		+ e(_("Snapshot of the merged customer"))
		+ "</summary><pre>"
		+ e(json.dumps(snapshot, ensure_ascii=False, default=str))
		+ "</pre></details>"
	)
	comment = keeper.add_comment("Comment", "".join(lines))
	return comment.name
