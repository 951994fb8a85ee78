"""Merging two customers loses nothing: every record that pointed at the removed customer points at the
kept one, field conflicts follow the policy, and the merge is recorded with a snapshot."""

import json

import frappe
import pytest

from cims_app.customers.merge import merge_customers
from tests.integration.support import make_customer, unique_suffix, valid_mobile, valid_uscc


def contact_for(customers, name: str):
	return frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": name,
			"links": [{"link_doctype": "CIMS Customer", "link_name": customer} for customer in customers],
			"phone_nos": [{"phone": valid_mobile(), "is_primary_mobile_no": 1}],
		}
	).insert()


def follow_up_for(customer: str):
	return frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up",
			"customer": customer,
			"follow_up_type": "Phone Call",
			"status": "Planned",
		}
	).insert()


@pytest.fixture
def pair():
	"""A kept and a removed customer, and everything that hangs off the removed one (not committed)."""
	keep = make_customer(legal_representative="原法人")
	remove = make_customer(
		short_name="简称乙",
		legal_representative="另一法人",
		unified_social_credit_code=valid_uscc(),
		budget_range="100万",
	)
	shared = contact_for([keep.name, remove.name], "共享联系人")
	own = contact_for([remove.name], "乙的联系人")
	remove.db_set("primary_contact", own.name)
	remove.reload()
	follow_ups = [follow_up_for(remove.name).name for _ in range(2)]
	opportunity = frappe.get_doc(
		{
			"doctype": "CIMS Opportunity",
			"opportunity_title": f"机会{unique_suffix()}",
			"customer": remove.name,
		}
	).insert()
	campaign = frappe.get_doc(
		{"doctype": "CIMS Campaign", "campaign_name": f"活动{unique_suffix()}"}
	).insert()
	member = frappe.get_doc(
		{"doctype": "CIMS Campaign Member", "campaign": campaign.name, "customer": remove.name}
	).insert()
	comment = remove.add_comment("Comment", "客户说下月再联系")
	attachment = frappe.get_doc(
		{
			"doctype": "File",
			"file_url": "https://example.com/contract.pdf",
			"file_name": "contract.pdf",
			"attached_to_doctype": "CIMS Customer",
			"attached_to_name": remove.name,
		}
	).insert(ignore_permissions=True)
	todo = frappe.get_doc(
		{
			"doctype": "ToDo",
			"description": "回访",
			"reference_type": "CIMS Customer",
			"reference_name": remove.name,
		}
	).insert()
	stage = frappe.get_doc(
		{
			"doctype": "CIMS Stage Change",
			"reference_doctype": "CIMS Customer",
			"reference_name": remove.name,
			"customer": remove.name,
			"from_stage": "Potential Customer",
			"to_stage": "Intent Customer",
		}
	).insert(ignore_permissions=True)
	return frappe._dict(
		keep=keep,
		remove=remove,
		shared=shared.name,
		own=own.name,
		follow_ups=follow_ups,
		opportunity=opportunity.name,
		member=member.name,
		comment=comment.name,
		attachment=attachment.name,
		todo=todo.name,
		stage=stage.name,
	)


def links_of(contact: str) -> list[str]:
	return frappe.get_all(
		"Dynamic Link", filters={"parent": contact, "link_doctype": "CIMS Customer"}, pluck="link_name"
	)


def test_merge_moves_every_linked_record_and_deletes_the_other_customer(pair):
	keep, remove = pair.keep.name, pair.remove.name
	result = merge_customers(keep, remove, "Fill Empty")

	assert not frappe.db.exists("CIMS Customer", remove)
	assert links_of(pair.shared) == [keep]
	assert links_of(pair.own) == [keep]
	for name in pair.follow_ups:
		assert frappe.db.get_value("CIMS Follow-Up", name, ["customer", "customer_name"]) == (
			keep,
			pair.keep.customer_name,
		)
	assert frappe.db.get_value("CIMS Opportunity", pair.opportunity, "customer") == keep
	assert frappe.db.get_value("CIMS Campaign Member", pair.member, "customer") == keep
	assert frappe.db.get_value("Comment", pair.comment, "reference_name") == keep
	assert frappe.db.get_value("File", pair.attachment, "attached_to_name") == keep
	assert frappe.db.get_value("ToDo", pair.todo, "reference_name") == keep
	assert frappe.db.get_value("CIMS Stage Change", pair.stage, ["reference_name", "customer"]) == (
		keep,
		keep,
	)
	assert result["moved"]["CIMS Follow-Up"] == 2
	assert frappe.db.get_value("CIMS Customer", keep, "next_follow_up_on") is not None


def test_fill_empty_takes_only_values_the_kept_customer_lacks_and_records_the_merge(pair):
	keep, remove = pair.keep.name, pair.remove.name
	result = merge_customers(keep, remove, "Fill Empty")
	kept = frappe.get_doc("CIMS Customer", keep)
	assert kept.short_name == "简称乙"
	assert kept.budget_range == "100万"
	assert kept.unified_social_credit_code == pair.remove.unified_social_credit_code
	assert kept.legal_representative == "原法人"
	assert kept.primary_contact == pair.own
	assert kept.mobile_no == frappe.db.get_value("Contact", pair.own, "mobile_no")
	assert "legal_representative" in result["kept_values"]
	assert remove in kept.data_source and "Merged customer" in kept.data_source
	comment = frappe.get_doc("Comment", result["comment"])
	assert comment.reference_name == keep
	assert remove in comment.content and "另一法人" in comment.content
	snapshot = comment.content.split("<pre>", 1)[1].split("</pre>", 1)[0]
	assert json.loads(frappe.utils.html_utils.unescape_html(snapshot))["name"] == remove


def test_overwrite_lets_the_merged_customers_values_win(pair):
	merge_customers(pair.keep.name, pair.remove.name, "Overwrite")
	kept = frappe.get_doc("CIMS Customer", pair.keep.name)
	assert kept.legal_representative == "另一法人"
	assert kept.customer_name == pair.keep.customer_name


def test_skip_keeps_every_field_but_still_moves_the_records(pair):
	merge_customers(pair.keep.name, pair.remove.name, "Keep Existing")
	kept = frappe.get_doc("CIMS Customer", pair.keep.name)
	assert not kept.short_name and kept.legal_representative == "原法人"
	assert frappe.db.get_value("CIMS Opportunity", pair.opportunity, "customer") == pair.keep.name


def test_merging_a_customer_into_itself_or_a_missing_one_is_refused(pair):
	with pytest.raises(frappe.ValidationError):
		merge_customers(pair.keep.name, pair.keep.name)
	with pytest.raises(frappe.DoesNotExistError):
		merge_customers(pair.keep.name, "no-such-customer")


def test_sales_reps_cannot_merge_through_the_endpoint(pair, role_users):
	from cims_app.api.customers import merge

	frappe.set_user(role_users["CIMS Sales Rep"][0])
	with pytest.raises(frappe.PermissionError):
		merge(pair.keep.name, pair.remove.name)
	frappe.set_user("Administrator")
	assert frappe.db.exists("CIMS Customer", pair.remove.name)


def test_the_endpoint_merges_for_an_administrator(pair):
	from cims_app.api.customers import merge

	result = merge(pair.keep.name, pair.remove.name, "Fill Empty")
	assert result["removed"] == pair.remove.name
	assert not frappe.db.exists("CIMS Customer", pair.remove.name)
