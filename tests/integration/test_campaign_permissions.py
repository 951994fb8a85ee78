"""Who manages campaigns and members: Marketing does; a Sales Rep sees only the members of their own customers."""

import frappe
import pytest

from tests.integration.campaign_support import add_member, delete_campaigns_and_customers, make_campaign
from tests.integration.support import make_customer, server_messages

pytestmark = pytest.mark.integration

REP, MARKETING, MANAGER = "CIMS Sales Rep", "CIMS Marketing", "CIMS Sales Manager"


def test_marketing_creates_campaigns_and_members_and_updates_members_over_rest(api):
	customer = make_customer()
	frappe.db.commit()
	campaign = member = None
	try:
		client = api(MARKETING)
		response = client.post(
			"/api/resource/CIMS%20Campaign",
			{
				"campaign_name": "市场部春季沙龙",
				"campaign_type": "Offline Event",
				"budget_items": [{"item": "场地", "amount": 8000}],
			},
		)
		assert response.status_code == 200, server_messages(response)
		campaign = response.json()["data"]["name"]
		assert response.json()["data"]["total_budget"] == 8000

		response = client.post(
			"/api/resource/CIMS%20Campaign%20Member", {"campaign": campaign, "customer": customer.name}
		)
		assert response.status_code == 200, server_messages(response)
		member = response.json()["data"]["name"]

		response = client.put(
			f"/api/resource/CIMS%20Campaign%20Member/{member}",
			{"status": "Registered", "feedback": "会准时到"},
		)
		assert response.status_code == 200, server_messages(response)
		response = client.post(
			"/api/method/cims_app.api.campaign.add_customers",
			{"campaign": campaign, "customers": [customer.name]},
		)
		assert response.json()["message"]["added"] == 0, "already a member"
	finally:
		frappe.db.rollback()
		delete_campaigns_and_customers([campaign], [customer.name])


@pytest.mark.parametrize("role", [REP, MANAGER, "CIMS Customer Service", "CIMS Data Analyst"])
def test_other_roles_cannot_create_or_change_campaigns_or_members(role_users, role):
	frappe.set_user(role_users[role][0])
	for right in ("create", "write", "delete"):
		assert not frappe.has_permission("CIMS Campaign Member", right), f"{role} {right} member"
		assert not frappe.has_permission("CIMS Campaign", right), f"{role} {right} campaign"
	assert frappe.has_permission("CIMS Campaign Member", "read")


def test_sales_rep_cannot_add_members_or_run_targeting_over_rest(api):
	customer = make_customer()
	campaign = make_campaign(target_intent_level="A - High")
	frappe.db.commit()
	try:
		client = api(REP)
		created = client.post(
			"/api/resource/CIMS%20Campaign%20Member", {"campaign": campaign.name, "customer": customer.name}
		)
		targeted = client.post(
			"/api/method/cims_app.api.campaign.add_target_customers", {"campaign": campaign.name}
		)
		assert created.status_code == 403 and targeted.status_code == 403
		assert not frappe.db.exists("CIMS Campaign Member", {"campaign": campaign.name})
	finally:
		frappe.db.rollback()
		delete_campaigns_and_customers([campaign.name], [customer.name])


def test_sales_rep_sees_only_members_of_their_own_customers(api, role_users):
	rep = role_users[REP][0]
	own = make_customer(account_manager=rep)
	others = make_customer(account_manager="Administrator")
	campaign = make_campaign()
	own_member, other_member = add_member(campaign, own), add_member(campaign, others)
	frappe.db.commit()
	try:
		frappe.set_user(rep)
		listed = frappe.get_list("CIMS Campaign Member", {"campaign": campaign.name}, pluck="name")
		assert listed == [own_member.name]
		assert frappe.has_permission("CIMS Campaign Member", "read", doc=own_member.name)
		assert not frappe.has_permission("CIMS Campaign Member", "read", doc=other_member.name)
		frappe.set_user("Administrator")

		client = api(REP)
		rows = client.get(
			"/api/resource/CIMS%20Campaign%20Member",
			filters=f'[["campaign", "=", "{campaign.name}"]]',
		).json()["data"]
		assert [row["name"] for row in rows] == [own_member.name]
		assert client.get(f"/api/resource/CIMS%20Campaign%20Member/{other_member.name}").status_code == 403

		marketing = (
			api(MARKETING)
			.get("/api/resource/CIMS%20Campaign%20Member", filters=f'[["campaign", "=", "{campaign.name}"]]')
			.json()["data"]
		)
		assert {row["name"] for row in marketing} == {own_member.name, other_member.name}
	finally:
		frappe.set_user("Administrator")
		frappe.db.rollback()
		delete_campaigns_and_customers([campaign.name], [own.name, others.name])
