"""Online engagement (by hand and in bulk), interactions as follow-ups, high intent tagging the customer."""

import json

import frappe
import pytest

from cims_app.api import campaign as campaign_api
from cims_app.campaigns import members as campaigns
from tests.integration.campaign_support import (
	add_member,
	delete_campaigns_and_customers,
	make_campaign,
	members_of,
)
from tests.integration.support import ROLE_USERS, make_customer

pytestmark = pytest.mark.integration

MARKETING = "CIMS Marketing"


def _tags(customer) -> set[str]:
	return set(
		frappe.get_all(
			"Tag Link", {"document_type": "CIMS Customer", "document_name": customer.name}, pluck="tag"
		)
	)


def test_record_engagement_sets_minutes_interactions_and_attendance_in_bulk():
	watched, clicked, idle, newcomer = (make_customer() for _ in range(4))
	campaign = make_campaign(campaign_type="Online Event", format="Live Stream", platform="视频号")
	watched_member = add_member(campaign, watched)
	add_member(campaign, clicked)
	add_member(campaign, idle)

	result = campaigns.record_engagement(
		campaign.name,
		[
			{"member": watched_member.name, "watch_minutes": "42.5", "feedback": "讲得清楚"},
			{"customer": clicked.name, "interactions": 7},
			{"customer": idle.name, "watch_minutes": 0},
			{"customer": newcomer.name, "watch_minutes": 15, "interactions": 2},
			{"customer": "no-such-customer", "watch_minutes": 5},
			{"customer": clicked.name, "watch_minutes": -3},
		],
	)

	assert result["updated"] == 4 and result["added"] == 1
	assert [f["row"] for f in result["failed"]] == [5, 6]
	members = members_of(campaign)
	assert (members[watched.name].watch_minutes, members[watched.name].status) == (42.5, "Attended")
	assert (members[clicked.name].interactions, members[clicked.name].status) == (7, "Attended")
	assert members[idle.name].status == "Invited"
	assert (members[newcomer.name].watch_minutes, members[newcomer.name].interactions) == (15, 2)
	assert frappe.db.get_value("CIMS Campaign", campaign.name, "participants") == 3


def test_record_engagement_over_rest_as_marketing(api):
	customer = make_customer()
	campaign = make_campaign(campaign_type="Online Event")
	add_member(campaign, customer)
	frappe.db.commit()
	try:
		response = api(MARKETING).post(
			"/api/method/cims_app.api.campaign.record_engagement",
			{
				"campaign": campaign.name,
				"rows": json.dumps([{"customer": customer.name, "watch_minutes": 30}]),
			},
		)
		assert response.status_code == 200, response.text[:300]
		assert response.json()["message"]["updated"] == 1
		frappe.db.rollback()
		assert members_of(campaign)[customer.name].watch_minutes == 30

		denied = api("CIMS Sales Rep").post(
			"/api/method/cims_app.api.campaign.record_engagement",
			{
				"campaign": campaign.name,
				"rows": json.dumps([{"customer": customer.name, "watch_minutes": 1}]),
			},
		)
		assert denied.status_code == 403
	finally:
		frappe.db.rollback()
		delete_campaigns_and_customers([campaign.name], [customer.name])


def test_marking_a_member_high_intent_tags_the_customer_and_starts_the_callback_clock(role_users):
	customer = make_customer()
	campaign = make_campaign()
	member = add_member(campaign, customer)
	assert not frappe.db.get_value("CIMS Customer", customer.name, "high_intent_on")

	frappe.set_user(role_users[MARKETING][0])
	member.reload()
	member.high_intent = 1
	member.save()
	frappe.set_user("Administrator")

	assert "高意向" in _tags(customer)
	assert ",高意向" in (frappe.db.get_value("CIMS Customer", customer.name, "_user_tags") or "")
	assert frappe.db.get_value("CIMS Customer", customer.name, "high_intent_on")
	version = frappe.get_all(
		"Version", {"ref_doctype": "CIMS Customer", "docname": customer.name}, ["data"], limit=1
	)
	assert json.loads(version[0].data)["changed"][0][0] == "high_intent_on", "the change is in the history"


def test_engagement_rows_flagged_high_intent_tag_the_customer():
	customer = make_customer()
	campaign = make_campaign(campaign_type="Online Event")
	add_member(campaign, customer)

	campaigns.record_engagement(campaign.name, [{"customer": customer.name, "high_intent": "是"}])

	assert members_of(campaign)[customer.name].high_intent == 1
	assert "高意向" in _tags(customer)
	assert frappe.db.get_value("CIMS Customer", customer.name, "high_intent_on")


def test_logged_interaction_becomes_a_follow_up_linked_to_the_campaign(role_users):
	customer = make_customer()
	campaign = make_campaign()
	member = add_member(campaign, customer)
	frappe.set_user(role_users[MARKETING][0])

	name = campaign_api.log_interaction(
		member.name,
		follow_up_type="Meeting",
		content="展会现场详细介绍了产品方案，客户对价格较关注",
		next_action="三天内发送报价单",
		customer_feedback="Positive",
		high_intent=1,
	)

	frappe.set_user("Administrator")
	follow_up = frappe.get_doc("CIMS Follow-Up", name)
	assert (follow_up.customer, follow_up.campaign, follow_up.status) == (
		customer.name,
		campaign.name,
		"Completed",
	)
	assert follow_up.next_action == "三天内发送报价单"
	assert members_of(campaign)[customer.name].high_intent == 1
	assert "高意向" in _tags(customer)


def test_completed_interaction_needs_content_and_next_action():
	customer = make_customer()
	campaign = make_campaign()
	member = add_member(campaign, customer)
	with pytest.raises(frappe.ValidationError):
		campaign_api.log_interaction(member.name, content="展会现场详细介绍了产品方案，客户很感兴趣")
	with pytest.raises(frappe.ValidationError):
		campaign_api.log_interaction(member.name, next_action="发送报价")
	assert not frappe.get_all("CIMS Follow-Up", {"campaign": campaign.name})
