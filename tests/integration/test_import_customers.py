"""Customer imports on a real site: good and messy files, counts that add up, duplicates against the site
and inside the file, the error workbook and its re-import, idempotency, crash recovery, merge batches.

Import runs commit (one transaction per chunk); every test removes what its batches created.
"""

import datetime
import io
import json
import re

import frappe
import openpyxl
import pytest
from frappe.utils import getdate

from cims_app.domain.contact_rules import mask_id_number
from cims_app.domain.customer_rules import derived_customer_fields
from cims_app.domain.due_dates import add_months
from cims_app.imports import customers as customer_handler
from cims_app.imports.engine import ImportRun
from tests.integration.import_helpers import (
	attach,
	bad_columns,
	counts,
	file_bytes,
	ledger,
	remove_customers,
	workbook_bytes,
)
from tests.integration.support import unique_suffix, valid_id_number, valid_mobile, valid_uscc

HEADER = [
	"客户名称",
	"客户类型",
	"统一社会信用代码",
	"联系人",
	"手机",
	"邮箱",
	"联系人角色",
	"行业",
	"首次接触日期",
	"合同金额(万元)",
]


@pytest.fixture
def existing(imports):
	"""Committed customers made outside any batch, removed after the test."""
	made = []

	def make(**values):
		doc = frappe.get_doc(
			{
				"doctype": "CIMS Customer",
				"customer_name": f"既有客户{unique_suffix()}有限公司",
				"customer_type": "Enterprise",
				**values,
			}
		).insert()
		frappe.db.commit()
		made.append(doc.name)
		return doc

	yield make
	frappe.db.rollback()
	remove_customers(made)
	frappe.db.commit()


def some_industry() -> str:
	return frappe.get_all("CIMS Industry", filters={"is_group": 0}, pluck="name", limit=1)[0]


def adds_up(batch: str) -> dict:
	result = counts(batch)
	assert (
		result.rows_read == result.inserted + result.updated + result.merged + result.skipped + result.failed
	)
	return result


def test_good_file_inserts_customers_with_primary_contacts_as_the_form_would(imports):
	suffix = unique_suffix()
	industry = some_industry()
	rows = [
		[
			f"导入测试{suffix}甲科技有限公司",
			"企业",
			valid_uscc(),
			"张三",
			valid_mobile(),
			"zs@example.com",
			"决策者",
			industry,
			datetime.date(2024, 3, 5),
			50,
		],
		[
			f"导入测试{suffix}乙贸易有限公司",
			"Enterprise",
			valid_uscc(),
			"李四",
			valid_mobile(),
			"",
			"财务",
			"",
			"2024年4月1日",
			"12.5",
		],
	]
	batch = imports.batch(workbook_bytes(HEADER, rows), "good.xlsx")
	result = imports.run(batch)

	assert result["status"] == "Completed"
	summary = adds_up(batch)
	assert (summary.rows_read, summary.inserted, summary.failed) == (2, 2, 0)
	names = [entry.record for entry in ledger(batch)]
	assert all(re.fullmatch(r"\d{6}-\d{4,}", name) for name in names)

	first = frappe.get_doc("CIMS Customer", names[0])
	assert first.customer_name == rows[0][0]
	assert first.unified_social_credit_code == rows[0][2]
	assert first.contract_amount == 500000
	assert str(first.first_contact_date) == "2024-03-05"
	assert first.industry == industry
	assert re.fullmatch(rf"Import batch {batch} \(good\w*\.xlsx\)", first.data_source)
	assert first.lifecycle_stage == "Potential Customer"
	contact = frappe.get_doc("Contact", first.primary_contact)
	assert contact.first_name == "张三"
	assert contact.mobile_no == rows[0][4] == first.mobile_no
	assert contact.email_id == "zs@example.com" == first.email_id
	assert contact.cims_contact_role == "Decision Maker"
	assert [(link.link_doctype, link.link_name) for link in contact.links] == [("CIMS Customer", first.name)]
	assert [row.phone for row in contact.phone_nos if row.is_primary_mobile_no] == [rows[0][4]]

	expected = derived_customer_fields(first)
	for field, value in expected.items():
		assert first.get(field) == value, field
	if first.meta.has_field("mobile_no_masked"):
		assert first.mobile_no_masked and "*" in first.mobile_no_masked

	version = frappe.get_all(
		"Version", filters={"ref_doctype": "CIMS Customer", "docname": first.name}, pluck="data"
	)
	assert len(version) == 1
	assert json.loads(version[0])["updater_reference"]["docname"] == batch

	second = frappe.get_doc("CIMS Customer", names[1])
	assert second.contract_amount == 125000
	assert str(second.first_contact_date) == "2024-04-01"


def test_imported_customer_has_the_same_derived_fields_as_one_saved_in_the_form(imports):
	ID_NUMBER = valid_id_number()
	suffix = unique_suffix()
	industry = some_industry()
	header = ["客户名称", "客户类型", "行业", "需求类型", "生命周期阶段", "身份证号"]
	batch = imports.batch(
		workbook_bytes(header, [[f"王{suffix}", "个人", industry, "定制方案", "意向客户", ID_NUMBER]])
	)
	imports.run(batch)
	imported = frappe.get_doc("CIMS Customer", ledger(batch)[0].record)
	form = frappe.get_doc(
		{
			"doctype": "CIMS Customer",
			"customer_name": f"王{suffix}二",
			"customer_type": "Individual",
			"industry": industry,
			"need_type": "Custom Solution",
			# another person born the same day (the same ID number would be the same customer)
			"id_number": valid_id_number(),
		}
	)
	form.flags.cims_system_stage_move = True
	form.lifecycle_stage = "Intent Customer"
	form.insert()
	for field in ("classification_label", "value_tier", "birthday", "lifecycle_stage", "maintenance_due_on"):
		assert imported.get(field) == form.get(field), field
	# due for a check half a year after it arrived (Regular), from the first write, not only after the job
	assert imported.maintenance_due_on == add_months(getdate(imported.creation), 6)
	for doc in (imported, form):
		assert doc.id_number_masked == mask_id_number(doc.id_number)
	assert imported.name_exact_key == f"王{suffix}".casefold()


def test_messy_file_counts_add_up_and_failed_rows_go_to_the_error_workbook(imports):
	suffix = unique_suffix()
	code = valid_uscc()
	mobile = valid_mobile()
	full_width_mobile = "".join(chr(ord(d) + 0xFEE0) for d in mobile)
	header = [
		"  客户全称 *",
		"类型",
		"信用代码",
		"联系人姓名",
		"联系电话",
		"电子邮箱",
		"首次联系日期",
		"备注X",
	]
	rows = [
		[
			f"　杂乱{suffix}科技有限公司 ",
			"企业客户",
			code.lower(),
			"赵 六",
			full_width_mobile,
			"A@B.COM",
			45000,
			"x",
		],
		[f"杂乱{suffix}科技有限公司", "企业", "", "钱七", valid_mobile(), "", "", ""],  # same name as row 2
		[f"杂乱{suffix}另一家有限公司", "企业", code, "孙八", valid_mobile(), "", "", ""],  # same credit code
		[f"杂乱{suffix}第三家有限公司", "企业", "", "周九", mobile, "", "", ""],  # same mobile
		[f"杂乱{suffix}坏电话有限公司", "企业", "", "吴十", "138-0013", "not-an-email", "2024-02-30", ""],
		[f"杂乱{suffix}好公司", "机构", "", "", "", "", "2024/5/6", ""],
	]
	batch = imports.batch(workbook_bytes(header, rows), "messy.xlsx")
	result = imports.run(batch)

	assert result["status"] == "Partially Completed"
	summary = adds_up(batch)
	assert (summary.rows_read, summary.inserted, summary.skipped, summary.failed) == (6, 2, 3, 1)
	entries = {entry.sheet_row: entry for entry in ledger(batch)}
	assert entries[2].status == "Inserted"
	assert [entries[n].status for n in (3, 4, 5)] == ["Skipped"] * 3
	assert all(entries[n].record == entries[2].record for n in (3, 4, 5))
	assert "row 2" in entries[3].message
	assert entries[6].status == "Failed"
	assert bad_columns(entries[6]) == {"联系电话", "电子邮箱", "首次联系日期"}
	first = frappe.get_doc("CIMS Customer", entries[2].record)
	assert first.customer_name == f"杂乱{suffix}科技有限公司"
	assert first.unified_social_credit_code == code
	assert first.mobile_no == mobile
	assert str(first.first_contact_date) == "2023-03-15"
	assert frappe.db.get_value("CIMS Customer", entries[7].record, "customer_type") == "Institution"

	workbook = openpyxl.load_workbook(io.BytesIO(file_bytes(summary.error_file)))
	sheet = workbook.active
	header_row = [cell.value for cell in sheet[1]]
	assert header_row == [text.strip() for text in header] + ["Reason", "Import Row ID"]
	assert sheet.max_row == 2
	failed = [cell.value for cell in sheet[2]]
	assert failed[0] == rows[4][0]
	assert "138-0013" in failed[-2]
	fills = {header_row[index]: str(cell.fill.fgColor.rgb) for index, cell in enumerate(sheet[2])}
	assert fills["联系电话"].endswith("FFC7CE")
	assert fills["电子邮箱"].endswith("FFC7CE")
	assert fills["首次联系日期"].endswith("FFC7CE")
	assert not fills[header_row[0]].endswith("FFC7CE")


def test_fixed_error_workbook_imported_into_the_same_batch_processes_only_the_failed_rows(imports):
	suffix = unique_suffix()
	rows = [
		[f"修复{suffix}甲有限公司", "企业", "", "甲", valid_mobile(), "", "", "", "", ""],
		[f"修复{suffix}乙有限公司", "企业", "", "乙", "12345", "", "", "", "", ""],
		[f"修复{suffix}丙有限公司", "企业", "", "丙", valid_mobile(), "bad@", "", "", "", ""],
	]
	batch = imports.batch(workbook_bytes(HEADER, rows))
	imports.run(batch)
	before = adds_up(batch)
	assert (before.inserted, before.failed) == (1, 2)

	workbook = openpyxl.load_workbook(io.BytesIO(file_bytes(before.error_file)))
	sheet = workbook.active
	header_row = [cell.value for cell in sheet[1]]
	mobile_column = header_row.index("手机") + 1
	email_column = header_row.index("邮箱") + 1
	for row in range(2, sheet.max_row + 1):
		sheet.cell(row=row, column=mobile_column, value=valid_mobile())
		sheet.cell(row=row, column=email_column, value=f"fixed{row}@example.com")
	output = io.BytesIO()
	workbook.save(output)
	attach(batch, output.getvalue(), "fixed.xlsx")
	frappe.db.commit()
	imports.run(batch)

	after = adds_up(batch)
	assert (after.rows_read, after.inserted, after.failed, after.skipped) == (3, 3, 0, 0)
	assert after.status == "Completed"
	assert not after.error_file
	for suffix_name in ("甲", "乙", "丙"):
		assert frappe.db.count("CIMS Customer", {"customer_name": f"修复{suffix}{suffix_name}有限公司"}) == 1


def test_running_a_batch_again_inserts_nothing_new(imports):
	suffix = unique_suffix()
	rows = [[f"幂等{suffix}{n}有限公司", "企业", "", "", "", "", "", "", "", ""] for n in range(5)]
	batch = imports.batch(workbook_bytes(HEADER, rows))
	imports.run(batch)
	customers = frappe.db.count("CIMS Customer", {"customer_name": ("like", f"幂等{suffix}%")})
	entries = len(ledger(batch))
	imports.run(batch)
	assert frappe.db.count("CIMS Customer", {"customer_name": ("like", f"幂等{suffix}%")}) == customers == 5
	assert len(ledger(batch)) == entries == 5
	summary = adds_up(batch)
	assert summary.inserted == 5
	assert "5 rows were already imported" in summary.log


def test_a_run_that_dies_half_way_is_completed_by_the_next_without_double_inserts(imports, monkeypatch):
	suffix = unique_suffix()
	rows = [
		[f"崩溃{suffix}{n}有限公司", "企业", "", f"人{n}", valid_mobile(), "", "", "", "", ""]
		for n in range(6)
	]
	batch = imports.batch(workbook_bytes(HEADER, rows))
	original = customer_handler.CustomerHandler.write_inserts
	calls = {"count": 0}

	def dies_on_second_chunk(self, chunk_rows):
		calls["count"] += 1
		if calls["count"] == 2:
			original(self, chunk_rows)
			raise RuntimeError("worker killed")
		return original(self, chunk_rows)

	monkeypatch.setattr(customer_handler.CustomerHandler, "write_inserts", dies_on_second_chunk)
	ImportRun(batch, chunk_rows=2).run()
	assert counts(batch).status == "Failed"
	assert frappe.db.count("CIMS Customer", {"customer_name": ("like", f"崩溃{suffix}%")}) == 2

	monkeypatch.setattr(customer_handler.CustomerHandler, "write_inserts", original)
	ImportRun(batch, chunk_rows=2).run()
	imports.customers.update(entry.record for entry in ledger(batch))
	for n in range(6):
		assert frappe.db.count("CIMS Customer", {"customer_name": f"崩溃{suffix}{n}有限公司"}) == 1
	records = [entry.record for entry in ledger(batch)]
	assert sorted(
		frappe.get_all("Dynamic Link", filters={"link_name": ("in", records)}, pluck="link_name")
	) == sorted(records)
	summary = adds_up(batch)
	assert (summary.rows_read, summary.inserted, summary.status) == (6, 6, "Completed")


def test_insert_skips_customers_the_site_has_by_credit_code_or_name(imports, existing):
	code = valid_uscc()
	by_code = existing(unified_social_credit_code=code)
	by_name = existing()
	rows = [
		[f"新名字{unique_suffix()}有限公司", "企业", code, "", "", "", "", "", "", ""],
		[by_name.customer_name.replace("有限公司", " 有限公司"), "企业", "", "", "", "", "", "", "", ""],
	]
	batch = imports.batch(workbook_bytes(HEADER, rows))
	imports.run(batch)
	entries = ledger(batch)
	assert [entry.status for entry in entries] == ["Skipped", "Skipped"]
	assert [entry.record for entry in entries] == [by_code.name, by_name.name]
	assert "Unified Social Credit Code" in entries[0].message
	adds_up(batch)


@pytest.mark.parametrize(
	("policy", "short_name", "legal_representative", "status"),
	[
		("Fill Empty", "新简称", "原法人", "Merged"),
		("Overwrite", "新简称", "新法人", "Merged"),
		("Keep Existing", None, "原法人", "Skipped"),
	],
)
def test_merge_batch_resolves_conflicts_by_policy_and_records_the_source(
	imports, existing, policy, short_name, legal_representative, status
):
	customer = existing(legal_representative="原法人", unified_social_credit_code=valid_uscc())
	header = ["统一社会信用代码", "客户名称", "简称", "法定代表人"]
	batch = imports.batch(
		workbook_bytes(
			header, [[customer.unified_social_credit_code, customer.customer_name, "新简称", "新法人"]]
		),
		import_type="Merge",
		conflict_policy=policy,
	)
	imports.run(batch)
	entry = ledger(batch)[0]
	assert entry.status == status
	customer.reload()
	assert (customer.short_name or None) == short_name
	assert customer.legal_representative == legal_representative
	if status == "Merged":
		assert batch in customer.data_source
		diff = frappe.get_all(
			"Version",
			filters={"ref_doctype": "CIMS Customer", "docname": customer.name},
			pluck="data",
			order_by="creation desc",
		)
		assert "short_name" in diff[0]
	adds_up(batch)


def test_merge_batch_inserts_rows_that_match_nothing_and_update_batch_skips_them(imports):
	name = f"不存在{unique_suffix()}有限公司"
	update = imports.batch(workbook_bytes(["客户名称"], [[name]]), import_type="Update")
	imports.run(update)
	assert ledger(update)[0].status == "Skipped"
	assert not frappe.db.exists("CIMS Customer", {"customer_name": name})
	merge = imports.batch(workbook_bytes(["客户名称"], [[name]]), import_type="Merge")
	imports.run(merge)
	assert ledger(merge)[0].status == "Inserted"


def test_similar_names_are_inserted_and_listed_as_possible_duplicates_never_merged(imports, existing):
	base = f"相似{unique_suffix()}"
	full = existing(customer_name=f"{base}科技有限公司")
	batch = imports.batch(workbook_bytes(["客户名称"], [[base + "科技"], [base + "科技股份有限公司"]]))
	imports.run(batch)
	entries = ledger(batch)
	assert [entry.status for entry in entries] == ["Inserted", "Inserted"]
	assert full.name in json.loads(entries[0].possible_duplicates)
	assert full.name in json.loads(entries[1].possible_duplicates)
	assert frappe.db.exists("CIMS Customer", full.name)
	listed = frappe.get_doc("CIMS Import Batch", batch).possible_duplicates()
	assert {row.record for row in listed} == {entry.record for entry in entries}


def test_active_customer_without_contract_amount_fails_as_in_the_form(imports):
	header = ["客户名称", "生命周期阶段", "合同金额"]
	suffix = unique_suffix()
	batch = imports.batch(
		workbook_bytes(
			header, [[f"合作{suffix}甲有限公司", "合作中", ""], [f"合作{suffix}乙有限公司", "合作中", "20万"]]
		)
	)
	imports.run(batch)
	entries = ledger(batch)
	assert entries[0].status == "Failed"
	assert bad_columns(entries[0]) == {"生命周期阶段"}
	assert entries[1].status == "Inserted"
	customer = frappe.get_doc("CIMS Customer", entries[1].record)
	assert customer.lifecycle_stage == "Active Customer"
	assert str(customer.first_deal_date) == frappe.utils.nowdate()


def test_preview_shows_mapping_and_problems_and_writes_no_record(imports):
	suffix = unique_suffix()
	header = ["单位名称XX", "手机", "内部编号"]
	batch_name = imports.batch(
		workbook_bytes(
			header,
			[[f"预览{suffix}有限公司", valid_mobile(), "A1"], [f"预览{suffix}二有限公司", "123", "A2"]],
		)
	)
	batch = frappe.get_doc("CIMS Import Batch", batch_name)
	summary = batch.preview()
	frappe.db.commit()
	assert "单位名称XX" in summary["unmapped"] and "内部编号" in summary["unmapped"]
	assert summary["missing_required"]
	assert not frappe.db.exists("CIMS Customer", {"customer_name": ("like", f"预览{suffix}%")})
	assert not ledger(batch_name)
	batch.reload()
	assert batch.status == "Previewed"
	mapping = json.loads(batch.column_mapping)
	assert mapping == {"单位名称XX": None, "手机": "mobile_no", "内部编号": None}

	mapping["单位名称XX"] = "customer_name"
	batch.column_mapping = json.dumps(mapping, ensure_ascii=False)
	batch.save()
	frappe.db.commit()
	imports.run(batch_name)
	summary = adds_up(batch_name)
	assert (summary.inserted, summary.failed) == (1, 1)
	assert frappe.db.exists("CIMS Customer", {"customer_name": f"预览{suffix}有限公司"})


def test_the_templates_example_row_is_never_imported(imports):
	from cims_app.imports.template import build_template

	workbook = openpyxl.load_workbook(io.BytesIO(build_template("CIMS Customer")))
	sheet = workbook.worksheets[0]
	name = f"模板{unique_suffix()}有限公司"
	sheet.cell(row=3, column=1, value=name)
	output = io.BytesIO()
	workbook.save(output)
	batch = imports.batch(output.getvalue(), "template.xlsx")
	imports.run(batch)
	summary = adds_up(batch)
	assert (summary.rows_read, summary.inserted) == (1, 1)
	assert frappe.db.exists("CIMS Customer", {"customer_name": name})
	assert "example row" in summary.log


def test_start_import_queues_the_run_on_the_long_queue_once(imports, monkeypatch):
	batch = imports.batch(workbook_bytes(["客户名称"], [[f"队列{unique_suffix()}有限公司"]]))
	queued = []
	monkeypatch.setattr(frappe, "enqueue", lambda method, **kwargs: queued.append((method, kwargs)))
	frappe.get_doc("CIMS Import Batch", batch).start_import()
	assert len(queued) == 1
	method, kwargs = queued[0]
	assert method == "cims_app.imports.engine.run_batch"
	assert (kwargs["queue"], kwargs["batch"], kwargs["deduplicate"]) == ("long", batch, True)
	assert kwargs["job_id"] == f"cims-import::{batch}"
	assert frappe.db.get_value("CIMS Import Batch", batch, "status") == "Queued"


def test_a_run_publishes_progress_to_the_batchs_form_room_even_inside_a_job(imports, monkeypatch):
	"""Inside a background job the framework sends an event without a room to the job's own task room, where
	no form listens: the run names the batch's document room, so open forms see every chunk."""
	import frappe.realtime

	rows = [[f"进度{unique_suffix()}{n}有限公司"] for n in range(5)]
	batch = imports.batch(workbook_bytes(["客户名称"], rows))
	emitted = []
	monkeypatch.setattr(
		frappe.realtime, "emit_via_redis", lambda event, message, room: emitted.append((event, message, room))
	)
	monkeypatch.setattr(frappe.local, "task_id", "a-background-job", raising=False)
	ImportRun(batch, chunk_rows=2).run()
	imports.customers.update(entry.record for entry in ledger(batch))
	progress = [(message, room) for event, message, room in emitted if event == "cims_import_progress"]
	assert {room for _message, room in progress} == {f"doc:CIMS Import Batch/{batch}"}
	assert [round(message["percent"]) for message, _room in progress] == [40, 80, 100, 100]
	assert progress[-1][0] == {"batch": batch, "percent": 100, "finished": True, "status": "Completed"}


def test_duplicates_across_chunks_are_found_by_the_earlier_rows_records(imports):
	"""Rows of earlier chunks are known by their customer record once written: a later chunk's row with the
	same credit code or mobile is skipped as that customer, a similar name is listed against it."""
	suffix = unique_suffix()
	code, mobile = valid_uscc(), valid_mobile()
	rows = [
		[f"跨块{suffix}科技有限公司", code, ""],
		[f"跨块{suffix}另一家有限公司", "", mobile],
		[f"跨块{suffix}第三家有限公司", "", ""],
		[f"跨块{suffix}改名有限公司", code, ""],
		[f"跨块{suffix}第四家有限公司", "", mobile],
		[f"跨块{suffix}科技", "", ""],
	]
	batch = imports.batch(workbook_bytes(["客户名称", "统一社会信用代码", "手机"], rows))
	ImportRun(batch, chunk_rows=3).run()
	entries = ledger(batch)
	imports.customers.update(entry.record for entry in entries if entry.record)
	assert [entry.status for entry in entries] == [
		"Inserted",
		"Inserted",
		"Inserted",
		"Skipped",
		"Skipped",
		"Inserted",
	]
	assert entries[3].record == entries[0].record
	assert entries[4].record == entries[1].record
	assert entries[0].record in entries[3].message
	assert entries[0].record in json.loads(entries[5].possible_duplicates)
	assert adds_up(batch).inserted == 4


def test_a_merged_rows_keys_lead_later_chunks_to_the_same_customer(imports, existing):
	"""A row merged into a site customer files its keys under that customer for the rest of the run, also
	keys the merge did not write (Fill Empty keeps the customer's own name): a later chunk's row with the
	row's name alone is merged into the same customer, not inserted as a new one."""
	customer = existing(unified_social_credit_code=valid_uscc())
	other_name = f"另名{unique_suffix()}有限公司"
	rows = [
		[other_name, customer.unified_social_credit_code, "新简称"],
		[f"无关{unique_suffix()}有限公司", "", ""],
		[other_name, "", ""],
	]
	batch = imports.batch(workbook_bytes(["客户名称", "统一社会信用代码", "简称"], rows), import_type="Merge")
	ImportRun(batch, chunk_rows=2).run()
	entries = ledger(batch)
	imports.customers.update(entry.record for entry in entries if entry.record)
	assert [entry.status for entry in entries] == ["Merged", "Inserted", "Skipped"]
	assert entries[0].record == entries[2].record == customer.name
	assert "Nothing to change" in entries[2].message
	assert not frappe.db.exists("CIMS Customer", {"customer_name": other_name})
	customer.reload()
	assert customer.short_name == "新简称"
	adds_up(batch)


def test_a_mobile_of_any_contact_of_a_site_customer_is_the_same_customer(imports, existing):
	customer = existing()
	mobile = valid_mobile()
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": "第二联系人",
			"links": [{"link_doctype": "CIMS Customer", "link_name": customer.name}],
			"phone_nos": [{"phone": mobile, "is_primary_mobile_no": 1}],
		}
	).insert()
	frappe.db.commit()
	try:
		rows = [[f"手机相同{unique_suffix()}有限公司", "", mobile]]
		batch = imports.batch(workbook_bytes(["客户名称", "统一社会信用代码", "手机"], rows))
		imports.run(batch)
		entry = ledger(batch)[0]
		assert (entry.status, entry.record) == ("Skipped", customer.name)
		assert "mobile" in entry.message
	finally:
		frappe.delete_doc("Contact", contact.name, force=True)
		frappe.db.commit()


def test_copies_of_one_row_have_their_own_ledger_entries_and_a_second_run_adds_none(imports):
	name = f"副本{unique_suffix()}有限公司"
	rows = [[name, "企业", "", "", "", "", "", "", "", ""]] * 3
	batch = imports.batch(workbook_bytes(HEADER, rows))
	ImportRun(batch, chunk_rows=2).run()
	entries = ledger(batch)
	imports.customers.update(entry.record for entry in entries if entry.record)
	assert [entry.status for entry in entries] == ["Inserted", "Skipped", "Skipped"]
	assert len({entry.record for entry in entries}) == 1
	hashes = frappe.get_all(
		"CIMS Import Row", filters={"batch": batch}, pluck="row_hash", order_by="sheet_row"
	)
	assert hashes[1:] == [f"{hashes[0]}#2", f"{hashes[0]}#3"]
	ImportRun(batch, chunk_rows=2).run()
	assert len(ledger(batch)) == 3
	assert frappe.db.count("CIMS Customer", {"customer_name": name}) == 1
	assert "3 rows were already imported" in counts(batch).log
