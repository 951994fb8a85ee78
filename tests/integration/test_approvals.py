"""Approval-gated deletes and value-tier overrides: refused on every other path, carried out on approval
in one transaction with a restorable snapshot, restored without losing a row."""

import json
from urllib.parse import quote

import frappe
import pytest
from frappe.desk.doctype.tag.tag import add_tag
from frappe.desk.form.assign_to import add as assign
from frappe.utils.global_search import sync_global_search, update_global_search

from cims_app.customers.lifecycle import move_customer_stage
from cims_app.records import approvals
from cims_app.records.approvals import DeletionNeedsApproval
from tests.integration.support import (
	hard_delete,
	make_customer,
	make_login_user,
	make_sales_team,
	remove_customers_and_their_records,
	remove_users,
	server_messages,
	unique_suffix,
	valid_mobile,
)

pytestmark = pytest.mark.integration

REP, MANAGER, HEAD, SERVICE, MARKETING, ANALYST, ADMIN = (
	"CIMS Sales Rep",
	"CIMS Sales Manager",
	"CIMS Department Head",
	"CIMS Customer Service",
	"CIMS Marketing",
	"CIMS Data Analyst",
	"System Manager",
)
REQUEST = "CIMS Approval Request"


@pytest.fixture(scope="module")
def teams(role_users):
	"""Team A: the role-user manager M1 over rep R1. Team B: a second manager over a second rep."""
	r1, m1 = role_users[REP][0], role_users[MANAGER][0]
	r2 = make_login_user(REP, "cims-apr-rep2")
	m2 = make_login_user(MANAGER, "cims-apr-mgr2")
	team_a, team_b = make_sales_team(m1, [r1]), make_sales_team(m2, [r2])
	frappe.db.commit()
	yield frappe._dict(r1=r1, m1=m1, r2=r2, m2=m2)
	frappe.db.rollback()
	hard_delete("CIMS Sales Team", [team_a, team_b])
	frappe.db.delete("CIMS Sales Team Member", {"parent": ("in", [team_a, team_b])})
	remove_users([r2, m2])
	frappe.db.commit()


@pytest.fixture
def cleanup():
	"""Customers, contacts, campaigns and requests a test commits; removed afterwards."""
	made = frappe._dict(customers=[], contacts=[], campaigns=[])
	yield made
	frappe.db.rollback()
	frappe.set_user("Administrator")
	remove_customers_and_their_records(made.customers)
	for contact in made.contacts:
		for table in ("Contact Email", "Contact Phone", "Dynamic Link"):
			frappe.db.delete(table, {"parent": contact})
		hard_delete("Contact", contact)
	for campaign in made.campaigns:
		frappe.db.delete("CIMS Campaign Member", {"campaign": campaign})
		frappe.db.delete(REQUEST, {"reference_name": campaign})
		hard_delete("CIMS Campaign", campaign)
	frappe.db.commit()


def request(client, reference_doctype, reference_name, request_type="Delete", **values):
	return client.post(
		f"/api/resource/{quote(REQUEST)}",
		{
			"request_type": request_type,
			"reference_doctype": reference_doctype,
			"reference_name": reference_name,
			"reason": "客户要求删除",
			**values,
		},
	)


def apply(client, name, action):
	return client.post(
		"/api/method/frappe.model.workflow.apply_workflow",
		{"doc": json.dumps({"doctype": REQUEST, "name": name}), "action": action},
	)


def fresh():
	"""See what the web server committed."""
	frappe.db.rollback()


# A customer with everything that hangs off it ------------------------------------------------------------


def build_customer(owner: str, made) -> frappe._dict:
	token = unique_suffix()
	customer = make_customer(
		customer_name=f"Del {token} 删除测试有限公司", account_manager=owner, mobile_no=valid_mobile()
	).name
	other = make_customer(account_manager=owner).name
	made.customers += [customer, other]
	move_customer_stage(customer, "Intent Customer", "system")
	follow_up = frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up",
			"customer": customer,
			"follow_up_type": "Customer Visit",
			"status": "Completed",
			"completed_on": "2026-01-05 10:00:00",
			"content": "拜访客户，介绍了新一代产品方案并演示了系统。",
			"next_action": "发送报价",
			"next_follow_up_on": "2030-02-01 09:00:00",
			"assigned_to": owner,
		}
	).insert()
	opportunity = frappe.get_doc(
		{
			"doctype": "CIMS Opportunity",
			"opportunity_title": f"机会{token}",
			"customer": customer,
			"sales_stage": "需求分析",
			"competitors": [{"competitor_name": "竞品甲", "quoted_price": 9800}],
		}
	).insert()
	opportunity.sales_stage = "方案提交"
	opportunity.save()
	campaign = frappe.get_doc(
		{"doctype": "CIMS Campaign", "campaign_name": f"活动{token}", "campaign_type": "Online Event"}
	).insert()
	made.campaigns.append(campaign.name)
	frappe.get_doc(
		{"doctype": "CIMS Campaign Member", "campaign": campaign.name, "customer": customer}
	).insert()
	only = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": f"只属{token}",
			"email_ids": [{"email_id": f"only{token}@example.com", "is_primary": 1}],
			"phone_nos": [{"phone": valid_mobile(), "is_primary_mobile_no": 1}],
			"links": [{"link_doctype": "CIMS Customer", "link_name": customer}],
		}
	).insert()
	shared = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": f"共享{token}",
			"links": [
				{"link_doctype": "CIMS Customer", "link_name": customer},
				{"link_doctype": "CIMS Customer", "link_name": other},
			],
		}
	).insert()
	made.contacts += [only.name, shared.name]
	doc = frappe.get_doc("CIMS Customer", customer)
	doc.add_comment("Comment", "重要客户，注意维护")
	add_tag("高意向", "CIMS Customer", customer)
	assign({"assign_to": [owner], "doctype": "CIMS Customer", "name": customer, "description": "回访"})
	frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"contract-{token}.txt",
			"attached_to_doctype": "CIMS Customer",
			"attached_to_name": customer,
			"content": b"signed contract",
			"is_private": 1,
		}
	).insert()
	update_global_search(frappe.get_doc("CIMS Customer", customer))
	frappe.db.commit()
	sync_global_search()
	frappe.db.commit()
	return frappe._dict(
		customer=customer,
		other=other,
		follow_up=follow_up.name,
		opportunity=opportunity.name,
		campaign=campaign.name,
		only_contact=only.name,
		shared_contact=shared.name,
	)


def everything_about(w) -> dict:
	"""Every row of every table that belongs to the customer, read independently of cims_app.records.approvals."""
	follow_ups = frappe.get_all("CIMS Follow-Up", {"customer": w.customer}, pluck="name")
	opportunities = frappe.get_all("CIMS Opportunity", {"customer": w.customer}, pluck="name")
	records = [w.customer, *follow_ups, *opportunities, w.only_contact]
	events = frappe.get_all(
		"Event Participants", {"reference_docname": ("in", records), "parenttype": "Event"}, pluck="parent"
	)

	def rows(doctype, filters):
		return frappe.get_all(doctype, filters=filters, fields=["*"], order_by="name asc")

	found = {
		"CIMS Customer": rows("CIMS Customer", {"name": w.customer}),
		"CIMS Follow-Up": rows("CIMS Follow-Up", {"name": ("in", follow_ups or [""])}),
		"CIMS Opportunity": rows("CIMS Opportunity", {"name": ("in", opportunities or [""])}),
		"CIMS Opportunity Competitor": rows(
			"CIMS Opportunity Competitor", {"parent": ("in", opportunities or [""])}
		),
		"CIMS Campaign Member": rows("CIMS Campaign Member", {"customer": w.customer}),
		"CIMS Stage Change": rows("CIMS Stage Change", {"customer": w.customer}),
		"Contact": rows("Contact", {"name": w.only_contact}),
		"Contact Email": rows("Contact Email", {"parent": w.only_contact}),
		"Contact Phone": rows("Contact Phone", {"parent": w.only_contact}),
		"Dynamic Link": rows("Dynamic Link", {"link_name": w.customer, "parenttype": "Contact"}),
		"Comment": rows("Comment", {"reference_name": ("in", records)}),
		"File": rows("File", {"attached_to_name": ("in", records)}),
		"ToDo": rows("ToDo", {"reference_name": ("in", records)}),
		"Tag Link": rows("Tag Link", {"document_name": ("in", records)}),
		"Event": rows("Event", {"name": ("in", events or [""])}),
		"Event Participants": rows("Event Participants", {"parent": ("in", events or [""])}),
		"__global_search": frappe.db.sql(
			"select * from __global_search where name in %s order by name", (tuple(records),), as_dict=True
		),
	}
	return json.loads(frappe.as_json(found))


# Deletes outside approval are refused ---------------------------------------------------------------------


def test_deleting_is_refused_for_every_role_over_rest(api, role_users, teams, cleanup):
	w = build_customer(teams.r1, cleanup)
	targets = [
		("CIMS Customer", w.customer),
		("CIMS Follow-Up", w.follow_up),
		("CIMS Opportunity", w.opportunity),
		("CIMS Campaign", w.campaign),
	]
	for role in (REP, MANAGER, HEAD, SERVICE, MARKETING, ANALYST, ADMIN):
		for doctype, name in targets:
			response = api(role).delete(f"/api/resource/{quote(doctype)}/{quote(name)}")
			assert response.status_code in (403, 417), f"{role} deleted {doctype}: {response.status_code}"
			rpc = api(role).post("/api/method/frappe.client.delete", {"doctype": doctype, "name": name})
			assert not rpc.ok, f"{role} deleted {doctype} by frappe.client.delete"
	fresh()
	assert all(frappe.db.exists(doctype, name) for doctype, name in targets)


def test_list_view_bulk_delete_is_refused(api, teams, cleanup):
	w = build_customer(teams.r1, cleanup)
	api(ADMIN).post(
		"/api/method/frappe.desk.reportview.delete_items",
		{"items": json.dumps([w.follow_up, w.opportunity]), "doctype": "CIMS Follow-Up"},
	)
	fresh()
	assert frappe.db.exists("CIMS Follow-Up", w.follow_up)


@pytest.mark.parametrize("doctype", ["CIMS Customer", "CIMS Follow-Up", "CIMS Opportunity", "CIMS Campaign"])
def test_administrator_in_process_delete_doc_is_refused(doctype):
	customer = make_customer()
	values = {
		"CIMS Customer": None,
		"CIMS Follow-Up": {"customer": customer.name, "follow_up_type": "Phone Call", "status": "Planned"},
		"CIMS Opportunity": {"customer": customer.name, "opportunity_title": "测试"},
		"CIMS Campaign": {"campaign_name": "测试活动", "campaign_type": "Online Event"},
	}[doctype]
	name = customer.name if values is None else frappe.get_doc({"doctype": doctype, **values}).insert().name
	with pytest.raises(DeletionNeedsApproval, match="approved CIMS Approval Request"):
		frappe.delete_doc(doctype, name, ignore_permissions=True, force=True)
	assert frappe.db.exists(doctype, name)


# Requests, decisions and who may make them ----------------------------------------------------------------


def test_approved_deletion_removes_everything_and_restore_brings_back_every_row(api, teams, cleanup):
	w = build_customer(teams.r1, cleanup)
	before = everything_about(w)
	assert all(before[table] for table in before), [t for t in before if not before[t]]

	created = request(api(REP), "CIMS Customer", w.customer)
	assert created.ok, server_messages(created)
	name = created.json()["data"]["name"]
	assert created.json()["data"]["status"] == "Pending Approval"
	assert created.json()["data"]["requested_by"] == teams.r1

	approved = apply(api(MANAGER), name, "Approve")
	assert approved.ok, server_messages(approved)
	fresh()
	after = everything_about(w)
	assert not any(after.values()), {t: len(r) for t, r in after.items() if r}
	assert frappe.db.exists("Contact", w.shared_contact), "a contact of other customers stays"
	assert frappe.get_all("Dynamic Link", {"parent": w.shared_contact}, pluck="link_name") == [w.other]
	stored = frappe.db.get_value(REQUEST, name, ["status", "approved_by", "snapshot"], as_dict=True)
	assert (stored.status, stored.approved_by) == ("Approved", teams.m1)
	assert json.loads(stored.snapshot)["tables"]["CIMS Customer"][0]["name"] == w.customer

	assert (
		api(REP).post("/api/method/cims_app.records.approvals.restore", {"request": name}).status_code == 403
	)
	restored = api(MANAGER).post("/api/method/cims_app.records.approvals.restore", {"request": name})
	assert restored.ok, server_messages(restored)
	fresh()
	assert everything_about(w) == before
	assert frappe.get_doc("File", before["File"][0]["name"]).get_content() == "signed contract"
	assert frappe.db.get_value(REQUEST, name, "restored_on")
	again = api(MANAGER).post("/api/method/cims_app.records.approvals.restore", {"request": name})
	assert again.status_code == 417


def test_rep_cannot_approve_and_nobody_approves_their_own_request(api, teams, cleanup):
	w = build_customer(teams.m1, cleanup)
	created = request(api(MANAGER), "CIMS Customer", w.customer)
	assert created.ok, server_messages(created)
	name = created.json()["data"]["name"]
	assert not apply(api(MANAGER), name, "Approve").ok, "the requester decided"
	assert not apply(api(REP), name, "Approve").ok
	rest = api(MANAGER).put(f"/api/resource/{quote(REQUEST)}/{name}", {"status": "Approved"})
	assert not rest.ok
	fresh()
	assert frappe.db.get_value(REQUEST, name, "status") == "Pending Approval"
	assert frappe.db.exists("CIMS Customer", w.customer)
	admin = apply(api(ADMIN), name, "Approve")
	assert admin.ok, server_messages(admin)
	fresh()
	assert not frappe.db.exists("CIMS Customer", w.customer)


def test_manager_of_another_team_and_department_head_cannot_approve_a_deletion(api, teams, cleanup):
	w = build_customer(teams.r2, cleanup)
	frappe.set_user(teams.r2)
	name = (
		frappe.get_doc(
			{
				"doctype": REQUEST,
				"request_type": "Delete",
				"reference_doctype": "CIMS Opportunity",
				"reference_name": w.opportunity,
				"reason": "重复",
			}
		)
		.insert()
		.name
	)
	frappe.set_user("Administrator")
	frappe.db.commit()
	assert not apply(api(MANAGER), name, "Approve").ok, "M1 does not manage R2's team"
	assert not apply(api(HEAD), name, "Approve").ok, "the Department Head approves value tiers"
	fresh()
	assert frappe.db.get_value(REQUEST, name, "status") == "Pending Approval"


def test_rep_cannot_request_deleting_what_it_cannot_read_and_requests_are_not_duplicated(api, teams, cleanup):
	mine = build_customer(teams.r1, cleanup)
	theirs = build_customer(teams.r2, cleanup)
	assert request(api(REP), "CIMS Customer", theirs.customer).status_code == 403
	first = request(api(REP), "CIMS Follow-Up", mine.follow_up)
	assert first.ok, server_messages(first)
	second = request(api(REP), "CIMS Follow-Up", mine.follow_up)
	assert second.status_code == 417
	assert request(api(REP), "CIMS Sales Stage", "成交").status_code == 417


def test_rejected_request_changes_nothing(api, teams, cleanup):
	w = build_customer(teams.r1, cleanup)
	name = request(api(REP), "CIMS Follow-Up", w.follow_up).json()["data"]["name"]
	rejected = apply(api(MANAGER), name, "Reject")
	assert rejected.ok, server_messages(rejected)
	fresh()
	assert frappe.db.exists("CIMS Follow-Up", w.follow_up)
	assert frappe.db.get_value(REQUEST, name, ["status", "approved_by", "snapshot"]) == (
		"Rejected",
		teams.m1,
		None,
	)
	assert not apply(api(ADMIN), name, "Approve").ok, "a decided request stays decided"


def test_approved_opportunity_deletion_unlinks_follow_ups_and_restore_relinks_them(api, teams, cleanup):
	w = build_customer(teams.r1, cleanup)
	frappe.db.set_value("CIMS Follow-Up", w.follow_up, "opportunity", w.opportunity)
	frappe.db.commit()
	name = request(api(REP), "CIMS Opportunity", w.opportunity).json()["data"]["name"]
	assert apply(api(MANAGER), name, "Approve").ok
	fresh()
	assert not frappe.db.exists("CIMS Opportunity", w.opportunity)
	assert not frappe.get_all("CIMS Opportunity Competitor", {"parent": w.opportunity})
	assert not frappe.get_all("CIMS Stage Change", {"reference_name": w.opportunity})
	assert frappe.db.get_value("CIMS Follow-Up", w.follow_up, "opportunity") is None
	assert api(ADMIN).post("/api/method/cims_app.records.approvals.restore", {"request": name}).ok
	fresh()
	assert frappe.db.get_value("CIMS Follow-Up", w.follow_up, "opportunity") == w.opportunity
	history = frappe.get_all(
		"Version",
		{"ref_doctype": "CIMS Follow-Up", "docname": w.follow_up},
		pluck="data",
		order_by="creation",
	)
	assert [json.loads(data)["changed"] for data in history[-2:]] == [
		[["opportunity", w.opportunity, None]],
		[["opportunity", None, w.opportunity]],
	], "the unlink and the relink are in the follow-up's history"
	assert frappe.get_all("CIMS Stage Change", {"reference_name": w.opportunity})
	assert frappe.get_all(
		"CIMS Opportunity Competitor", {"parent": w.opportunity}, pluck="competitor_name"
	) == ["竞品甲"]


def test_campaign_deletion_is_approved_by_an_admin_and_takes_its_members(api, teams, cleanup):
	w = build_customer(teams.r1, cleanup)
	name = request(api(MARKETING), "CIMS Campaign", w.campaign).json()["data"]["name"]
	assert not apply(api(MANAGER), name, "Approve").ok, "campaigns are no team's records"
	assert apply(api(ADMIN), name, "Approve").ok
	fresh()
	assert not frappe.db.exists("CIMS Campaign", w.campaign)
	assert not frappe.get_all("CIMS Campaign Member", {"campaign": w.campaign})


def test_deletion_runs_in_one_transaction(teams, cleanup, monkeypatch):
	"""A failure after the first statements leaves every row in place (nothing commits half-way)."""
	w = build_customer(teams.r1, cleanup)
	before = everything_about(w)

	def fail(snapshot):
		raise RuntimeError("disk full")

	monkeypatch.setattr(approvals, "_refresh_customers_of", fail)
	with pytest.raises(RuntimeError):
		approvals.execute_deletion("CIMS Customer", w.customer)
	frappe.db.rollback()
	assert everything_about(w) == before


# Value tier overrides -------------------------------------------------------------------------------------


def test_value_tier_override_takes_effect_only_through_an_approved_request(api, teams, cleanup):
	w = build_customer(teams.r1, cleanup)
	direct = api(MANAGER).put(
		f"/api/resource/CIMS%20Customer/{w.customer}", {"value_tier_override": "High Value Customer"}
	)
	assert direct.ok, server_messages(direct)
	fresh()
	assert frappe.db.get_value("CIMS Customer", w.customer, "value_tier_override") is None

	created = request(api(REP), "CIMS Customer", w.customer, "Value Tier Change", new_value="高价值客户")
	assert created.ok, server_messages(created)
	name = created.json()["data"]["name"]
	assert created.json()["data"]["new_value"] == "High Value Customer"
	assert not apply(api(MANAGER), name, "Approve").ok, "the Department Head approves value tiers"
	approved = apply(api(HEAD), name, "Approve")
	assert approved.ok, server_messages(approved)
	fresh()
	assert frappe.db.get_value("CIMS Customer", w.customer, ["value_tier_override", "value_tier"]) == (
		"High Value Customer",
		"High Value Customer",
	)


def test_value_tier_request_needs_a_real_tier(api, teams, cleanup):
	w = build_customer(teams.r1, cleanup)
	assert (
		request(api(REP), "CIMS Customer", w.customer, "Value Tier Change", new_value="VIP").status_code
		== 417
	)
	assert (
		request(
			api(REP), "CIMS Follow-Up", w.follow_up, "Value Tier Change", new_value="高价值客户"
		).status_code
		== 417
	)
