"""Imports take an option in any of its words: the new English, the English it had before it was renamed,
SPEC's Chinese, the framework's Chinese users saw before (通话, 有待, 开...) and the seeds' synonyms."""

import frappe
import pytest

from tests.integration.import_helpers import ledger, remove_customers, workbook_bytes
from tests.integration.support import unique_suffix, valid_uscc

pytestmark = pytest.mark.integration


@pytest.fixture
def customer(imports):
	doc = frappe.get_doc(
		{
			"doctype": "CIMS Customer",
			"customer_name": f"词汇导入{unique_suffix()}有限公司",
			"customer_type": "Enterprise",
			"unified_social_credit_code": valid_uscc(),
		}
	).insert()
	frappe.db.commit()
	yield doc
	frappe.db.rollback()
	remove_customers([doc.name])
	frappe.db.commit()


# (type, status, result) as written in the sheet → as stored.
FOLLOW_UP_WORDS = [
	(("Call", "Planned", "Pending"), ("Phone Call", "Planned", "Needs Follow-Up")),
	(("Phone Call", "Cancelled", "Needs Follow-Up"), ("Phone Call", "Called Off", "Needs Follow-Up")),
	(("通话", "取消", "有待"), ("Phone Call", "Called Off", "Needs Follow-Up")),
	(("电话", "已取消", "待跟进"), ("Phone Call", "Called Off", "Needs Follow-Up")),
	(("Visit", "Called Off", "Success"), ("Customer Visit", "Called Off", "Success")),
	(("访问", "计划中", ""), ("Customer Visit", "Planned", "")),
	(("线下拜访", "计划中", ""), ("Customer Visit", "Planned", "")),
	(("Email", "计划中", "失败"), ("E-mail", "Planned", "Failed")),
	(("电子邮件", "计划中", ""), ("E-mail", "Planned", "")),
	(("邮件", "计划中", ""), ("E-mail", "Planned", "")),
]


def test_follow_up_options_are_read_in_old_and_new_words(imports, customer):
	header = ["客户", "跟进方式", "状态", "结果", "计划时间"]
	rows = [
		[customer.name, *written, f"2031-01-{day:02d} 10:00"]
		for day, (written, _stored) in enumerate(FOLLOW_UP_WORDS, 1)
	]
	batch = imports.batch(workbook_bytes(header, rows, "跟进"), import_doctype="CIMS Follow-Up")
	imports.run(batch)
	entries = ledger(batch)
	assert [(entry.status, entry.message or "") for entry in entries] == [("Inserted", "")] * len(rows)
	stored = [
		tuple(frappe.db.get_value("CIMS Follow-Up", entry.record, ["follow_up_type", "status", "result"]))
		for entry in entries
	]
	assert stored == [expected for _written, expected in FOLLOW_UP_WORDS]


def test_opportunity_status_is_read_in_old_and_new_words(imports, customer):
	header = ["机会名称", "客户", "销售阶段", "状态"]
	words = ["Open", "In Progress", "开", "进行中"]
	rows = [[f"机会{unique_suffix()}", customer.name, "需求分析", word] for word in words]
	batch = imports.batch(workbook_bytes(header, rows, "机会"), import_doctype="CIMS Opportunity")
	imports.run(batch)
	entries = ledger(batch)
	assert [entry.status for entry in entries] == ["Inserted"] * len(words)
	assert {frappe.db.get_value("CIMS Opportunity", e.record, "status") for e in entries} == {"In Progress"}
