"""Campaign membership, engagement and metrics, set-based (SPEC §7); check-in is `cims_app.campaigns.check_in`.

Locking: every path that writes members or opportunities of a campaign first locks the campaign row
(`lock_campaigns`), so writers of one campaign queue up there instead of deadlocking on member rows.
The guest check-in touches only its member row, commits, and then refreshes the metrics.
"""

import secrets

import frappe
from frappe import _
from frappe.utils import cint, flt, now_datetime

from cims_app.db.bulk_insert import STANDARD_COLUMNS, hash_name, insert_rows
from cims_app.db.bulk_update import record_reference, record_versions
from cims_app.domain.campaign_metrics import campaign_metrics
from cims_app.domain.campaign_rules import (
	ATTENDED,
	like_pattern_for_tag,
	parse_engagement_row,
)
from cims_app.domain.errors import RuleViolation
from cims_app.records.validation import violation_message

HIGH_INTENT_TAG = "高意向"
# Fields of an opportunity whose change can change a campaign's conversions or revenue.
_OPPORTUNITY_METRIC_FIELDS = ("campaign", "customer", "status", "won_amount")

# Columns of a new member (its counters and amounts start at the table's default, 0).
MEMBER_COLUMNS = (
	*STANDARD_COLUMNS,
	"campaign",
	"customer",
	"customer_name",
	"contact",
	"status",
	"check_in_token",
)


def new_check_in_token() -> str:
	"""An unguessable token: holding it is what admits a guest to check in."""
	return secrets.token_urlsafe(24)


def _names(values) -> list[str]:
	return sorted({value for value in values if value})


def lock_campaigns(campaigns) -> None:
	"""Take the row lock of each campaign (in name order) before touching its members or opportunities."""
	if names := _names(campaigns):
		frappe.db.sql(
			"SELECT name FROM `tabCIMS Campaign` WHERE name IN %(names)s FOR UPDATE", {"names": names}
		)


# Membership -------------------------------------------------------------------------------------


def target_conditions(campaign) -> tuple[list[str], dict]:
	"""SQL conditions on customers `c` for the campaign's target filters, and their parameters."""
	conditions, params = [], {}
	tags = _names(row.tag for row in campaign.target_tags)
	if tags:
		params["tags"] = tags
		by_user_tags = []
		for index, tag in enumerate(tags):
			params[f"tag_{index}"] = like_pattern_for_tag(tag)
			by_user_tags.append(f"CONCAT(IFNULL(c._user_tags, ''), ',') LIKE %(tag_{index})s")
		conditions.append(
			"""(EXISTS (SELECT 1 FROM `tabTag Link` tl WHERE tl.document_type = 'CIMS Customer'
				AND tl.document_name = c.name AND tl.tag IN %(tags)s) OR """
			+ " OR ".join(by_user_tags)
			+ ")"
		)
	for field, tree in (("region", "CIMS Region"), ("industry", "CIMS Industry")):
		if value := campaign.get(f"target_{field}"):
			params[field] = value
			conditions.append(
				f"""c.{field} IN (SELECT node.name FROM `tab{tree}` node
				JOIN `tab{tree}` root ON root.name = %({field})s
				WHERE node.lft >= root.lft AND node.rgt <= root.rgt)"""
			)
	for field in ("intent_level", "lifecycle_stage"):
		if value := campaign.get(f"target_{field}"):
			params[field] = value
			conditions.append(f"c.{field} = %({field})s")
	return conditions, params


def _insert_members(campaign: str, conditions: list[str], params: dict) -> int:
	"""Add every customer matching `conditions` who is not yet a member: one SELECT of them, then bulk
	INSERTs. Names and check-in tokens come from the operating system's generator (`secrets`, as the
	framework names records), never from the database: MariaDB 10.6 has no RANDOM_BYTES."""
	lock_campaigns([campaign])  # no other writer of this campaign's members until the transaction ends
	now, user = now_datetime(), frappe.session.user
	customers = frappe.db.sql(
		f"""
		SELECT c.name, c.customer_name, c.primary_contact
		FROM `tabCIMS Customer` c
		WHERE {" AND ".join(conditions)}
			AND NOT EXISTS (SELECT 1 FROM `tabCIMS Campaign Member` m
				WHERE m.campaign = %(campaign)s AND m.customer = c.name)
		ORDER BY c.name
		""",
		{**params, "campaign": campaign},
	)
	added = insert_rows(
		"CIMS Campaign Member",
		MEMBER_COLUMNS,
		[
			(
				hash_name(),
				now,
				now,
				user,
				user,
				0,
				0,
				campaign,
				customer,
				name,
				contact,
				"Invited",
				new_check_in_token(),
			)
			for customer, name, contact in customers
		],
	)
	if added:
		sync_member_conversions([campaign])
		refresh_metrics([campaign])
	return added


def add_target_customers(campaign: str) -> int:
	"""Add the customers that match the campaign's target filters; existing members are kept as they are."""
	doc = frappe.get_doc("CIMS Campaign", campaign)
	conditions, params = target_conditions(doc)
	if not conditions:
		frappe.throw(
			_(
				"Set at least one target filter (tags, region, industry, intent level or lifecycle stage) first."
			),
			title=_("No Target Filters"),
		)
	return _insert_members(campaign, conditions, params)


def add_customers(campaign: str, customers: list[str]) -> int:
	"""Add the given customers by hand; customers already in the campaign are skipped."""
	customers = _names(customers)
	if not customers:
		return 0
	return _insert_members(campaign, ["c.name IN %(customers)s"], {"customers": customers})


# Metrics ----------------------------------------------------------------------------------------


def refresh_metrics(campaigns, exclude_opportunity: str | None = None) -> None:
	"""Recompute participants, conversions, revenue, conversion rate, ROI and cost per participant.

	Three statements for any number of campaigns: the raw counts in one UPDATE (whose sub-queries read the
	latest committed members and opportunities), then the formulas of `domain.campaign_metrics`.
	`exclude_opportunity` leaves out an opportunity that is being deleted.
	"""
	names = _names(campaigns)
	if not names:
		return
	lock_campaigns(names)
	won = "o.campaign = c.name AND o.status = 'Won'"
	if exclude_opportunity:
		won += " AND o.name != %(exclude)s"
	frappe.db.sql(
		f"""
		UPDATE `tabCIMS Campaign` c SET
			c.participants = (SELECT COUNT(*) FROM `tabCIMS Campaign Member` m
				WHERE m.campaign = c.name AND m.status = '{ATTENDED}'),
			c.conversions = (SELECT COUNT(*) FROM `tabCIMS Opportunity` o WHERE {won}),
			c.revenue = (SELECT IFNULL(SUM(o.won_amount), 0) FROM `tabCIMS Opportunity` o WHERE {won})
		WHERE c.name IN %(names)s
		""",
		{"names": names, "exclude": exclude_opportunity},
	)
	rows = frappe.db.sql(
		"""SELECT name, participants, conversions, revenue, total_budget
		FROM `tabCIMS Campaign` WHERE name IN %(names)s""",
		{"names": names},
		as_dict=True,
	)
	frappe.db.bulk_update(
		"CIMS Campaign",
		{
			row.name: campaign_metrics(row.participants, row.conversions, row.revenue, row.total_budget)
			for row in rows
		},
		update_modified=False,
	)


def current_metrics(campaign: str | None, total_budget) -> dict:
	"""The metric values of a campaign as stored data says now (for a campaign being saved)."""
	if not campaign:
		return campaign_metrics(0, 0, 0, total_budget)
	participants = frappe.db.count("CIMS Campaign Member", {"campaign": campaign, "status": ATTENDED})
	won = frappe.db.sql(
		"""SELECT COUNT(*), IFNULL(SUM(won_amount), 0) FROM `tabCIMS Opportunity`
		WHERE campaign = %s AND status = 'Won'""",
		campaign,
	)[0]
	return campaign_metrics(participants, won[0], won[1], total_budget)


def sync_member_conversions(campaigns, customers=None, exclude_opportunity: str | None = None) -> None:
	"""Set members' converted / conversion_amount from the won opportunities of that customer for that campaign."""
	names = _names(campaigns)
	if not names:
		return
	params = {"campaigns": names, "exclude": exclude_opportunity}
	opportunity_filter = member_filter = ""
	if customers is not None:
		params["customers"] = _names(customers) or [""]
		opportunity_filter = " AND o.customer IN %(customers)s"
		member_filter = " AND m.customer IN %(customers)s"
	if exclude_opportunity:
		opportunity_filter += " AND o.name != %(exclude)s"
	frappe.db.sql(
		f"""
		UPDATE `tabCIMS Campaign Member` m
		LEFT JOIN (
			SELECT o.campaign, o.customer, SUM(o.won_amount) AS amount
			FROM `tabCIMS Opportunity` o
			WHERE o.status = 'Won' AND o.campaign IN %(campaigns)s{opportunity_filter}
			GROUP BY o.campaign, o.customer
		) won ON won.campaign = m.campaign AND won.customer = m.customer
		SET m.converted = (won.customer IS NOT NULL), m.conversion_amount = IFNULL(won.amount, 0)
		WHERE m.campaign IN %(campaigns)s{member_filter}
			AND (m.converted != (won.customer IS NOT NULL) OR m.conversion_amount != IFNULL(won.amount, 0))
		""",
		params,
	)


def member_conversion(campaign: str, customer: str) -> tuple[int, float]:
	"""(converted, conversion_amount) of one member from the won opportunities."""
	amount = frappe.db.sql(
		"""SELECT SUM(won_amount) FROM `tabCIMS Opportunity`
		WHERE campaign = %s AND customer = %s AND status = 'Won'""",
		(campaign, customer),
	)[0][0]
	return (0, 0.0) if amount is None else (1, flt(amount))


# Opportunity document events (hooks.py) ----------------------------------------------------------


def _opportunity_campaign_change(doc) -> tuple[list[str], list[str]] | None:
	"""The campaigns and customers an opportunity save affects, or None when no metric can change."""
	before = doc.get_doc_before_save()
	if before and not any(before.get(field) != doc.get(field) for field in _OPPORTUNITY_METRIC_FIELDS):
		return None
	campaigns = _names([doc.campaign, before and before.campaign])
	if not campaigns:
		return None
	return campaigns, _names([doc.customer, before and before.customer])


def lock_opportunity_campaigns(doc, method=None) -> None:
	"""validate: lock the campaigns before the opportunity row, the order every campaign writer follows."""
	if change := _opportunity_campaign_change(doc):
		lock_campaigns(change[0])


def on_opportunity_update(doc, method=None) -> None:
	if change := _opportunity_campaign_change(doc):
		campaigns, customers = change
		sync_member_conversions(campaigns, customers)
		refresh_metrics(campaigns)


def on_opportunity_trash(doc, method=None) -> None:
	if doc.campaign:
		lock_campaigns([doc.campaign])
		sync_member_conversions([doc.campaign], [doc.customer], exclude_opportunity=doc.name)
		refresh_metrics([doc.campaign], exclude_opportunity=doc.name)


# Engagement and interactions --------------------------------------------------------------------


def record_engagement(campaign: str, rows: list) -> dict:
	"""Set viewers' watch minutes, interactions, feedback and high intent in bulk (an importer's entry point).

	Rows name a member of the campaign or a customer; a customer not yet a member is added. Values given
	replace the stored ones; a viewer who watched or interacted is Attended. Bad rows are reported, not
	applied: {"updated": n, "added": n, "failed": [{"row": i, "error": "..."}]}.
	"""
	lock_campaigns([campaign])
	parsed, failed = [], []
	for index, row in enumerate(rows or [], start=1):
		try:
			parsed.append((index, parse_engagement_row(row)))
		except RuleViolation as error:
			failed.append({"row": index, "error": violation_message(error)})

	members = frappe.db.sql(
		"""SELECT name, customer, high_intent FROM `tabCIMS Campaign Member` WHERE campaign = %(campaign)s
		AND (name IN %(members)s OR customer IN %(customers)s)""",
		{
			"campaign": campaign,
			"members": _names(row.member for _index, row in parsed) or [""],
			"customers": _names(row.customer for _index, row in parsed) or [""],
		},
		as_dict=True,
	)
	by_member = {m.name: m for m in members}
	by_customer = {m.customer: m for m in members}
	missing_customers = _names(
		row.customer for _index, row in parsed if not row.member and row.customer not in by_customer
	)
	added = 0
	if missing_customers:
		known = set(frappe.get_all("CIMS Customer", {"name": ("in", missing_customers)}, pluck="name"))
		if known:
			added = _insert_members(campaign, ["c.name IN %(customers)s"], {"customers": sorted(known)})
			for m in frappe.get_all(
				"CIMS Campaign Member",
				{"campaign": campaign, "customer": ("in", sorted(known))},
				["name", "customer", "high_intent"],
			):
				by_member[m.name] = by_customer[m.customer] = m

	updates, newly_high_intent = {}, []
	for index, row in parsed:
		member = by_member.get(row.member) if row.member else by_customer.get(row.customer)
		if not member:
			failed.append(
				{
					"row": index,
					"error": _("{0} is not a member of this campaign or a known customer").format(
						row.member or row.customer
					),
				}
			)
			continue
		values = updates.setdefault(member.name, {})
		if row.watch_minutes is not None:
			values["watch_minutes"] = row.watch_minutes
		if row.interactions is not None:
			values["interactions"] = row.interactions
		if row.feedback:
			values["feedback"] = row.feedback
		if row.attended:
			values["status"] = ATTENDED
		if row.high_intent and not member.high_intent:
			values["high_intent"] = 1
			newly_high_intent.append(member.customer)
	frappe.db.bulk_update("CIMS Campaign Member", {name: v for name, v in updates.items() if v})
	mark_customers_high_intent(newly_high_intent, campaign)
	refresh_metrics([campaign])
	return {"updated": len(updates), "added": added, "failed": sorted(failed, key=lambda f: f["row"])}


def tag_customers(customers, tag: str) -> None:
	"""Give customers a core Tag (the `_user_tags` column and Tag Link rows) in three statements.

	Written directly rather than through DocTags, which demands write permission on each customer:
	marketers tag the customers of a campaign without being allowed to edit them.
	"""
	names = _names(customers)
	if not names:
		return
	if not frappe.db.exists("Tag", tag):
		frappe.get_doc({"doctype": "Tag", "name": tag}).insert(ignore_permissions=True)
	params = {"names": names, "tag": tag, "pattern": like_pattern_for_tag(tag), "now": now_datetime()}
	frappe.db.sql(
		"""UPDATE `tabCIMS Customer` SET _user_tags = CONCAT(IFNULL(_user_tags, ''), ',', %(tag)s)
		WHERE name IN %(names)s AND CONCAT(IFNULL(_user_tags, ''), ',') NOT LIKE %(pattern)s""",
		params,
	)
	frappe.db.sql(
		# Named from a hash of the pair (as cims_app.jobs.leads names its Tag Links): SQL that MariaDB 10.6 has.
		"""INSERT INTO `tabTag Link` (name, creation, modified, owner, modified_by, docstatus, idx,
			document_type, document_name, title, tag)
		SELECT LEFT(SHA1(CONCAT('CIMS Customer|', c.name, '|', %(tag)s)), 20), %(now)s, %(now)s, %(user)s,
			%(user)s, 0, 0,
			'CIMS Customer', c.name, c.customer_name, %(tag)s
		FROM `tabCIMS Customer` c
		WHERE c.name IN %(names)s AND NOT EXISTS (SELECT 1 FROM `tabTag Link` tl
			WHERE tl.document_type = 'CIMS Customer' AND tl.document_name = c.name AND tl.tag = %(tag)s)""",
		{**params, "user": frappe.session.user},
	)


def mark_customers_high_intent(customers, campaign: str | None = None) -> None:
	"""Tag the customers 高意向 and start their high-intent callback clock (CIMS Customer.high_intent_on).

	Written directly (a marketer may not save whole customers), with a Version row per customer so the
	change is still in each customer's history (through the campaign, when there is one).
	"""
	names = _names(customers)
	if not names:
		return
	tag_customers(names, HIGH_INTENT_TAG)
	before = dict(
		frappe.db.sql(
			"SELECT name, high_intent_on FROM `tabCIMS Customer` WHERE name IN %(names)s", {"names": names}
		)
	)
	now = now_datetime()
	frappe.db.sql(
		"UPDATE `tabCIMS Customer` SET high_intent_on = %(now)s WHERE name IN %(names)s",
		{"now": now, "names": names},
	)
	record_versions(
		"CIMS Customer",
		{name: {"high_intent_on": (high_intent_on, now)} for name, high_intent_on in before.items()},
		record_reference("CIMS Campaign", campaign, _("via campaign {0}").format(campaign))
		if campaign
		else None,
	)


def log_interaction(member: str, values: dict) -> str:
	"""Record an interaction of a campaign member as a CIMS Follow-Up linked to the campaign; its name."""
	row = frappe.db.get_value(
		"CIMS Campaign Member", member, ["campaign", "customer", "contact"], as_dict=True
	)
	follow_up = frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up",
			"customer": row.customer,
			"contact": row.contact,
			"campaign": row.campaign,
			"follow_up_type": values.get("follow_up_type") or "Meeting",
			"status": values.get("status") or "Completed",
			"content": values.get("content"),
			"next_action": values.get("next_action"),
			"customer_feedback": values.get("customer_feedback"),
			"result": values.get("result"),
			"scheduled_on": values.get("scheduled_on"),
		}
	).insert()
	if cint(values.get("high_intent")):
		doc = frappe.get_doc("CIMS Campaign Member", member)
		if not doc.high_intent:
			doc.high_intent = 1
			doc.save()
	return follow_up.name


def mark_no_shows(campaign: str) -> None:
	"""When a campaign completes, every member who neither attended nor was marked otherwise is a No-Show."""
	frappe.db.sql(
		"""UPDATE `tabCIMS Campaign Member` SET status = 'No-Show', modified = %s
		WHERE campaign = %s AND status IN ('Invited', 'Registered') AND checked_in_at IS NULL""",
		(now_datetime(), campaign),
	)
