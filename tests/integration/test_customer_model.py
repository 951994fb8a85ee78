"""Derived fields and links of CIMS records, as saved through the framework (in-process, rolled back)."""

import frappe
import pytest

from cims_app.customers.lifecycle import move_customer_stage
from tests.integration.support import make_customer, unique_suffix, valid_id_number, valid_mobile

pytestmark = pytest.mark.integration


def make_contact(customer: str, mobile: str, email: str):
	return frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": f"联系人{unique_suffix()}",
			"email_ids": [{"email_id": email, "is_primary": 1}],
			"phone_nos": [{"phone": mobile, "is_primary_mobile_no": 1}],
			"links": [{"link_doctype": "CIMS Customer", "link_name": customer}],
		}
	).insert()


def test_primary_contact_mobile_and_email_are_mirrored_onto_customer(site):
	customer = make_customer()
	contact = make_contact(customer.name, "139 0000 1111", f"a{unique_suffix()}@example.com")
	customer.primary_contact = contact.name
	customer.save()
	assert customer.mobile_no == "13900001111"
	assert customer.email_id == contact.email_id

	contact.phone_nos[0].phone = "13900002222"
	contact.save()
	assert frappe.db.get_value("CIMS Customer", customer.name, "mobile_no") == "13900002222"


def test_customer_form_lists_its_contacts(site):
	customer = make_customer()
	contact = make_contact(customer.name, valid_mobile(), f"b{unique_suffix()}@example.com")
	loaded = frappe.get_doc("CIMS Customer", customer.name)
	loaded.run_method("onload")
	assert [c.name for c in loaded.get_onload().contact_list] == [contact.name]


def test_individual_customer_id_is_masked_and_birthday_derived(site):
	id_number = valid_id_number("19850615")
	customer = make_customer(
		customer_type="Individual", customer_name=f"赵六{unique_suffix()}", id_number=id_number
	)
	assert customer.id_number_masked == id_number[:6] + "********" + id_number[-4:]
	assert str(customer.birthday) == "1985-06-15"


def test_customer_names_follow_monthly_series(site):
	first, second = make_customer(), make_customer()
	prefix = frappe.utils.nowdate().replace("-", "")[:6] + "-"
	assert first.name.startswith(prefix) and second.name.startswith(prefix)
	assert int(second.name.split("-")[1]) == int(first.name.split("-")[1]) + 1


def test_classification_label_joins_industry_tier_stage_and_need(site):
	customer = make_customer(industry="汽车制造", need_type="Product Purchase")
	# New customers start as Potential Customer; the workflow moves them on.
	customer = move_customer_stage(customer.name, "Intent Customer", source="form")
	assert customer.classification_label == "汽车制造-普通-意向-产品采购型"


def test_opportunity_amounts_follow_price_quantity_and_stage(site):
	customer = make_customer()
	opportunity = frappe.get_doc(
		{
			"doctype": "CIMS Opportunity",
			"opportunity_title": "年度维保",
			"customer": customer.name,
			"sales_stage": "方案提交",
			"unit_price": 1200,
			"quantity": 15,
		}
	).insert()
	assert (opportunity.expected_amount, opportunity.probability, opportunity.weighted_amount) == (
		18000,
		60,
		10800,
	)
	opportunity.sales_stage = "商务谈判"
	opportunity.save()
	assert (opportunity.probability, opportunity.weighted_amount) == (80, 14400)
	change = frappe.get_all(
		"CIMS Stage Change", {"reference_name": opportunity.name}, ["from_stage", "to_stage", "customer"]
	)
	assert [(c.from_stage, c.to_stage, c.customer) for c in change] == [
		("方案提交", "商务谈判", customer.name)
	]


def test_won_opportunity_needs_won_amount_and_lost_needs_reason(site):
	customer = make_customer()
	opportunity = frappe.get_doc(
		{
			"doctype": "CIMS Opportunity",
			"opportunity_title": "试点项目",
			"customer": customer.name,
			"sales_stage": "线索获取",
		}
	).insert()
	opportunity.status = "Won"
	with pytest.raises(frappe.ValidationError, match="Won"):
		opportunity.save()
	opportunity.reload()
	opportunity.status = "Lost"
	with pytest.raises(frappe.ValidationError, match="Lost"):
		opportunity.save()
	opportunity.reload()
	opportunity.status = "Lost"
	opportunity.lost_reason = "预算取消"
	opportunity.save()
	assert opportunity.probability == 0 and opportunity.weighted_amount == 0


def test_completed_follow_up_needs_real_content_and_next_action(site):
	customer = make_customer()
	follow_up = frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up",
			"customer": customer.name,
			"follow_up_type": "Phone Call",
			"status": "Completed",
			"content": "ok",
		}
	)
	with pytest.raises(frappe.ValidationError):
		follow_up.insert()
	follow_up.content = "和客户采购经理电话沟通，确认下季度预算已批准。"
	with pytest.raises(frappe.ValidationError):
		follow_up.insert()
	follow_up.next_action = "周五前发送报价"
	follow_up.insert()
	assert frappe.db.get_value("CIMS Customer", customer.name, "last_follow_up_on") == follow_up.completed_on


def test_follow_up_template_fills_content(site):
	customer = make_customer()
	follow_up = frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up",
			"customer": customer.name,
			"follow_up_type": "Phone Call",
			"template": "初次电话沟通",
		}
	).insert()
	assert "自我介绍" in follow_up.content
	assert follow_up.next_action


def test_planned_follow_up_sets_customer_next_follow_up(site):
	customer = make_customer()
	follow_up = frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up",
			"customer": customer.name,
			"follow_up_type": "Customer Visit",
			"status": "Planned",
			"scheduled_on": "2030-01-02 10:00:00",
		}
	).insert()
	assert (
		str(frappe.db.get_value("CIMS Customer", customer.name, "next_follow_up_on")) == "2030-01-02 10:00:00"
	)
	follow_up.status = "Called Off"
	follow_up.save()
	assert frappe.db.get_value("CIMS Customer", customer.name, "next_follow_up_on") is None


def test_campaign_member_gets_unguessable_unique_token_and_one_row_per_customer(site):
	campaign = frappe.get_doc(
		{"doctype": "CIMS Campaign", "campaign_name": f"沙龙{unique_suffix()}"}
	).insert()
	customers = [make_customer() for _ in range(3)]
	members = [
		frappe.get_doc(
			{"doctype": "CIMS Campaign Member", "campaign": campaign.name, "customer": c.name}
		).insert()
		for c in customers
	]
	tokens = {m.check_in_token for m in members}
	assert len(tokens) == 3 and all(len(t) >= 32 for t in tokens)
	with pytest.raises(frappe.DuplicateEntryError):
		frappe.get_doc(
			{"doctype": "CIMS Campaign Member", "campaign": campaign.name, "customer": customers[0].name}
		).insert()
