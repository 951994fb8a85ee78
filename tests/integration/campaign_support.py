"""Helpers of the campaign tests: campaigns, members, tree nodes and clean-up of committed records."""

import email
from contextlib import contextmanager

import frappe

from tests.integration.support import hard_delete, make_customer, unique_suffix

CAMPAIGN_CHILD_TABLES = (
	"CIMS Campaign Budget Item",
	"CIMS Campaign Agenda Item",
	"CIMS Campaign Target Tag",
	"CIMS Campaign Team Member",
)


def make_campaign(budget=(), **values):
	"""Insert a Planned campaign (not committed); `budget` is a list of amounts."""
	doc = frappe.get_doc(
		{
			"doctype": "CIMS Campaign",
			"campaign_name": f"测试活动{unique_suffix()}",
			"campaign_type": "Offline Event",
			"format": "Salon",
			"start_datetime": "2030-05-01 09:00:00",
			"end_datetime": "2030-05-01 17:00:00",
			"location": "上海国际会议中心",
			"budget_items": [{"item": f"项目{i}", "amount": amount} for i, amount in enumerate(budget)],
			**values,
		}
	)
	return doc.insert()


def set_status(campaign, *statuses):
	"""Move a campaign through `statuses` in order, saving each step."""
	for status in statuses:
		campaign.reload()
		campaign.status = status
		campaign.save()
	return campaign


def add_member(campaign, customer, **values):
	return frappe.get_doc(
		{"doctype": "CIMS Campaign Member", "campaign": campaign.name, "customer": customer.name, **values}
	).insert()


def members_of(campaign) -> dict[str, frappe._dict]:
	rows = frappe.get_all(
		"CIMS Campaign Member",
		{"campaign": campaign.name if hasattr(campaign, "name") else campaign},
		[
			"name",
			"customer",
			"status",
			"check_in_token",
			"invited_on",
			"checked_in_at",
			"converted",
			"conversion_amount",
			"high_intent",
			"watch_minutes",
			"interactions",
		],
	)
	return {row.customer: row for row in rows}


def make_tree_node(doctype: str, parent: str, is_group: int = 0) -> str:
	"""A new CIMS Region / CIMS Industry node under `parent` (lft/rgt maintained by the framework)."""
	field = "region_name" if doctype == "CIMS Region" else "industry_name"
	parent_field = "parent_" + frappe.scrub(doctype)
	doc = frappe.get_doc(
		{"doctype": doctype, field: f"测试{unique_suffix()}", parent_field: parent, "is_group": is_group}
	).insert()
	return doc.name


def make_won_opportunity(customer, campaign, amount, **values):
	return frappe.get_doc(
		{
			"doctype": "CIMS Opportunity",
			"opportunity_title": f"测试机会{unique_suffix()}",
			"customer": customer.name,
			"campaign": campaign.name if campaign else None,
			"status": "Won",
			"won_amount": amount,
			**values,
		}
	).insert()


def email_html(queue_name: str) -> str:
	"""The decoded HTML part of a queued email."""
	message = email.message_from_string(frappe.db.get_value("Email Queue", queue_name, "message"))
	parts = [part for part in message.walk() if part.get_content_type() == "text/html"]
	return parts[0].get_payload(decode=True).decode()


def email_attachments(queue_name: str) -> dict[str, bytes]:
	message = email.message_from_string(frappe.db.get_value("Email Queue", queue_name, "message"))
	return {
		part.get_filename(): part.get_payload(decode=True) for part in message.walk() if part.get_filename()
	}


def delete_campaigns_and_customers(campaigns=(), customers=()) -> None:
	"""Remove committed test campaigns, their members and children, the customers and what they left behind."""
	campaigns = [c for c in campaigns if c]
	customers = [c for c in customers if c]
	if campaigns:
		members = frappe.get_all("CIMS Campaign Member", {"campaign": ("in", campaigns)}, pluck="name")
		if members:
			frappe.db.delete(
				"Email Queue Recipient",
				{
					"parent": (
						"in",
						frappe.get_all("Email Queue", {"reference_name": ("in", members)}, pluck="name")
						or [""],
					)
				},
			)
			frappe.db.delete("Email Queue", {"reference_name": ("in", members)})
		hard_delete("CIMS Campaign Member", members)
		for child in CAMPAIGN_CHILD_TABLES:
			frappe.db.delete(child, {"parent": ("in", campaigns)})
		frappe.db.delete("CIMS Follow-Up", {"campaign": ("in", campaigns)})
		frappe.db.delete("CIMS Opportunity", {"campaign": ("in", campaigns)})
		frappe.db.delete("Version", {"ref_doctype": "CIMS Campaign", "docname": ("in", campaigns)})
		hard_delete("CIMS Campaign", campaigns)
	if customers:
		frappe.db.delete("CIMS Stage Change", {"customer": ("in", customers)})
		frappe.db.delete("Version", {"ref_doctype": "CIMS Customer", "docname": ("in", customers)})
		frappe.db.delete("Tag Link", {"document_type": "CIMS Customer", "document_name": ("in", customers)})
		hard_delete("CIMS Customer", customers)
	frappe.db.commit()


@contextmanager
def committed_campaign(member_count: int, status_path=("Announced",), **campaign_values):
	"""A committed campaign with `member_count` new customers as members, moved along `status_path`.

	Yields (campaign, {customer: member row}); everything is deleted afterwards.
	"""
	campaign, customers = None, []
	try:
		customers = [make_customer() for _ in range(member_count)]
		campaign = make_campaign(**campaign_values)
		for customer in customers:
			add_member(campaign, customer)
		set_status(campaign, *status_path)
		frappe.db.commit()
		yield campaign, members_of(campaign)
	finally:
		frappe.db.rollback()
		delete_campaigns_and_customers([campaign and campaign.name], [c.name for c in customers])


def make_outgoing_email_account():
	"""A default outgoing Email Account (not committed by itself), so that frappe.sendmail queues e-mails."""
	frappe.local.outgoing_email_account = {}
	return frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": f"CIMS Test {unique_suffix()}",
			"email_id": f"events{unique_suffix()}@example.com",
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "smtp.example.com",
			"no_smtp_authentication": 1,
		}
	).insert(ignore_permissions=True)
