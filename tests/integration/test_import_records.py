"""Imports of contacts, follow-ups and opportunities: rows go through the DocTypes' own controllers, name
their customer by ID, full name or credit code, and never create a record twice."""

import frappe
import pytest

from tests.integration.import_helpers import counts, ledger, remove_customers, workbook_bytes
from tests.integration.support import unique_suffix, valid_mobile, valid_uscc


@pytest.fixture
def customer(imports):
	doc = frappe.get_doc(
		{
			"doctype": "CIMS Customer",
			"customer_name": f"记录导入{unique_suffix()}有限公司",
			"customer_type": "Enterprise",
			"unified_social_credit_code": valid_uscc(),
		}
	).insert()
	frappe.db.commit()
	yield doc
	frappe.db.rollback()
	remove_customers([doc.name])
	frappe.db.commit()


def adds_up(batch):
	summary = counts(batch)
	assert (
		summary.rows_read
		== summary.inserted + summary.updated + summary.merged + summary.skipped + summary.failed
	)
	return summary


def test_contacts_link_to_their_customer_and_same_mobile_is_not_added_twice(imports, customer):
	mobile = valid_mobile()
	header = ["姓名", "客户", "手机", "邮箱", "职位", "角色"]
	rows = [
		["陈 一", customer.customer_name, mobile, "chen@example.com", "采购经理", "决策人"],
		["陈一（重复）", customer.unified_social_credit_code, mobile, "", "", ""],
		["林二", f"没有这个客户{unique_suffix()}", valid_mobile(), "", "", ""],
	]
	batch = imports.batch(workbook_bytes(header, rows, "联系人"), import_doctype="Contact")
	imports.run(batch)
	entries = ledger(batch)
	assert [entry.status for entry in entries] == ["Inserted", "Skipped", "Failed"]
	contact = frappe.get_doc("Contact", entries[0].record)
	assert contact.first_name == "陈一"
	assert contact.mobile_no == mobile and contact.email_id == "chen@example.com"
	assert contact.cims_contact_role == "Decision Maker"
	assert [(link.link_doctype, link.link_name) for link in contact.links] == [
		("CIMS Customer", customer.name)
	]
	assert entries[1].record == contact.name
	assert "no customer" in entries[2].message
	adds_up(batch)


def test_follow_ups_go_through_the_controller_and_a_second_run_adds_none(imports, customer):
	header = ["客户", "跟进方式", "状态", "跟进时间", "跟进内容", "下一步", "客户反馈"]
	rows = [
		[
			customer.name,
			"电话",
			"已完成",
			"2024-03-05 10:30",
			"电话沟通排程系统升级需求，客户关注交付周期",
			"下周发报价",
			"积极",
		],
		[customer.customer_name, "拜访", "已完成", "2024年3月6日", "好", "", ""],
		[customer.customer_name, "微信", "计划中", "", "", "", ""],
	]
	batch = imports.batch(workbook_bytes(header, rows, "跟进"), import_doctype="CIMS Follow-Up")
	imports.run(batch)
	entries = ledger(batch)
	assert [entry.status for entry in entries] == ["Inserted", "Failed", "Inserted"]
	follow_up = frappe.get_doc("CIMS Follow-Up", entries[0].record)
	assert (follow_up.follow_up_type, follow_up.status, follow_up.customer_feedback) == (
		"Phone Call",
		"Completed",
		"Positive",
	)
	assert str(follow_up.completed_on) == "2024-03-05 10:30:00"
	assert "Content" in entries[1].message
	assert frappe.db.get_value("CIMS Customer", customer.name, "last_follow_up_on") is not None
	before = frappe.db.count("CIMS Follow-Up", {"customer": customer.name})
	imports.run(batch)
	assert frappe.db.count("CIMS Follow-Up", {"customer": customer.name}) == before
	adds_up(batch)


def test_opportunities_read_wan_amounts_and_merge_updates_the_same_title(imports, customer):
	header = ["机会名称", "客户", "销售阶段", "状态", "预计金额", "预计成交日期"]
	title = f"排程系统{unique_suffix()}"
	batch = imports.batch(
		workbook_bytes(
			header, [[title, customer.unified_social_credit_code, "需求分析", "进行中", "50万", "2026/12/31"]]
		),
		import_doctype="CIMS Opportunity",
	)
	imports.run(batch)
	name = ledger(batch)[0].record
	opportunity = frappe.get_doc("CIMS Opportunity", name)
	assert (opportunity.customer, opportunity.sales_stage, opportunity.status) == (
		customer.name,
		"需求分析",
		"In Progress",
	)
	assert opportunity.expected_amount == 500000
	assert str(opportunity.expected_close_date) == "2026-12-31"

	merge = imports.batch(
		workbook_bytes(header, [[title, customer.name, "", "", "80万", ""]]),
		import_type="Merge",
		conflict_policy="Overwrite",
		import_doctype="CIMS Opportunity",
	)
	imports.run(merge)
	assert ledger(merge)[0].status == "Merged"
	assert frappe.db.get_value("CIMS Opportunity", name, "expected_amount") == 800000
	assert frappe.db.count("CIMS Opportunity", {"customer": customer.name}) == 1
	adds_up(merge)
