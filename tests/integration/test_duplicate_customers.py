"""Duplicates on a real site (SPEC §6, issue 15 items 1 and 2): companies told apart by their credit codes
are never merged or skipped because they share a contact's mobile or e-mail (import and form), and the
exact keys hold under saves at the same moment, enforced by the database, with the form's message for the
later save and never a server error."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import frappe
import pytest

from cims_app.db.indexes import add_unique_indexes
from cims_app.imports.customers import CustomerHandler
from cims_app.imports.engine import ImportRun
from tests.integration.import_helpers import counts, ledger, remove_customers, workbook_bytes
from tests.integration.support import (
	hard_delete,
	make_customer,
	server_messages,
	unique_suffix,
	valid_id_number,
	valid_mobile,
	valid_uscc,
)

HEADER = ["客户名称", "客户类型", "统一社会信用代码", "联系人", "手机", "邮箱"]


@pytest.fixture
def committed():
	"""Names of committed customers to remove after the test."""
	names: list[str] = []
	yield names
	frappe.db.rollback()
	remove_customers(names)
	frappe.db.commit()


def committed_customer(names: list, **values):
	doc = make_customer(**values)
	frappe.db.commit()
	names.append(doc.name)
	return doc


# Item 1: a shared mobile or e-mail between companies told apart is a possible duplicate, never the same --------


def test_companies_with_distinct_credit_codes_sharing_one_contact_mobile_are_all_imported_and_listed(
	imports, committed
):
	"""The field report: 20,000 enterprises wrote 19,999 because two contacts shared a mobile."""
	mobile = valid_mobile()
	site_company = committed_customer(committed, unified_social_credit_code=valid_uscc(), mobile_no=mobile)
	suffix = unique_suffix()
	rows = [
		[f"同手机{suffix}{n}号有限公司", "企业", valid_uscc(), f"联系人{n}", mobile, ""] for n in range(5)
	]
	batch = imports.batch(workbook_bytes(HEADER, rows))
	ImportRun(batch, chunk_rows=2).run()  # across chunks too
	entries = ledger(batch)
	imports.customers.update(entry.record for entry in entries if entry.record)

	assert [entry.status for entry in entries] == ["Inserted"] * 5
	assert counts(batch).inserted == 5
	assert len({entry.record for entry in entries}) == 5
	for number, entry in enumerate(entries):
		listed = json.loads(entry.possible_duplicates)
		assert site_company.name in listed
		assert all(earlier.record in listed for earlier in entries[:number])
		assert "same mobile number" in entry.message
	for entry, row in zip(entries, rows, strict=True):
		assert frappe.db.get_value("CIMS Customer", entry.record, "unified_social_credit_code") == row[2]


def test_a_shared_email_between_companies_with_different_credit_codes_is_only_a_possible_duplicate(
	imports, committed
):
	email = f"boss{unique_suffix()}@example.com"
	site_company = committed_customer(committed, unified_social_credit_code=valid_uscc(), email_id=email)
	rows = [[f"同邮箱{unique_suffix()}有限公司", "企业", valid_uscc(), "王总", "", email]]
	batch = imports.batch(workbook_bytes(HEADER, rows), import_type="Merge")
	imports.run(batch)
	entry = ledger(batch)[0]
	assert entry.status == "Inserted" and entry.record != site_company.name
	assert json.loads(entry.possible_duplicates) == [site_company.name]
	assert "same email address" in entry.message


def test_without_an_identifier_to_tell_them_apart_a_shared_mobile_or_email_is_still_the_same_customer(
	imports, committed
):
	mobile, email = valid_mobile(), f"same{unique_suffix()}@example.com"
	by_mobile = committed_customer(committed, mobile_no=mobile)
	by_email = committed_customer(committed, email_id=email)
	rows = [
		[f"无代码{unique_suffix()}有限公司", "企业", "", "甲", mobile, ""],
		[f"无代码{unique_suffix()}有限公司", "企业", "", "乙", "", email],
	]
	batch = imports.batch(workbook_bytes(HEADER, rows))
	imports.run(batch)
	entries = ledger(batch)
	assert [(entry.status, entry.record) for entry in entries] == [
		("Skipped", by_mobile.name),
		("Skipped", by_email.name),
	]


def test_the_exact_name_of_a_company_with_another_credit_code_is_refused_not_merged_into_it(
	imports, committed
):
	site_company = committed_customer(committed, unified_social_credit_code=valid_uscc())
	rows = [[site_company.customer_name, "企业", valid_uscc(), "李四", valid_mobile(), ""]]
	batch = imports.batch(workbook_bytes(HEADER, rows), import_type="Merge")
	imports.run(batch)
	entry = ledger(batch)[0]
	assert entry.status == "Failed"
	assert site_company.name in entry.message and "credit code" in entry.message
	assert str(frappe.db.get_value("CIMS Customer", site_company.name, "modified")) == str(
		site_company.modified
	)


def shown_messages() -> str:
	return " ".join(str(message.get("message", "")) for message in frappe.get_message_log())


def test_the_form_saves_a_company_sharing_a_mobile_with_another_and_lists_it_as_a_possible_duplicate():
	mobile = valid_mobile()
	first = make_customer(unified_social_credit_code=valid_uscc(), mobile_no=mobile)
	frappe.local.message_log = []
	second = make_customer(unified_social_credit_code=valid_uscc(), mobile_no=mobile)
	assert second.name != first.name
	shown = shown_messages()
	assert first.name in shown and "same mobile number" in shown
	frappe.local.message_log = []
	similar = make_customer(customer_name=first.customer_name.replace("有限公司", ""))
	shown = shown_messages()
	assert first.name in shown and "similar name" in shown and similar.name


def test_the_form_refuses_each_exact_key_with_an_already_exists_message():
	code, id_number = valid_uscc(), valid_id_number()
	company = make_customer(unified_social_credit_code=code)
	person = make_customer(customer_type="Individual", customer_name="张伟", id_number=id_number)
	with pytest.raises(frappe.DuplicateEntryError, match="already exists") as error:
		make_customer(unified_social_credit_code=code)
	assert company.name in str(error.value)
	with pytest.raises(frappe.DuplicateEntryError, match="already exists") as error:
		make_customer(customer_type="Individual", customer_name="张伟", id_number=id_number)
	assert person.name in str(error.value)
	with pytest.raises(frappe.DuplicateEntryError, match="already exists"):
		make_customer(customer_type="Institution", customer_name=company.customer_name)
	# two people may share a name
	make_customer(customer_type="Individual", customer_name="张伟", id_number=valid_id_number())


# Item 2: exact keys hold under saves at the same moment ---------------------------------------------------


def in_other_connection(work, *steps: threading.Event):
	"""Run `work(*steps)` in a thread with its own site connection (a second user's request); returns a
	function that waits for it and gives (result, error)."""
	site, sites_path = frappe.local.site, frappe.local.sites_path
	outcome: dict = {}

	def target():
		frappe.init(site=site, sites_path=sites_path)
		frappe.connect()
		frappe.flags.in_test = True
		frappe.set_user("Administrator")
		try:
			outcome["result"] = work(*steps)
		except Exception as error:
			outcome["error"] = error
		finally:
			frappe.db.rollback()
			frappe.destroy()

	thread = threading.Thread(target=target)
	thread.start()

	def join():
		thread.join(120)
		assert not thread.is_alive(), "the other save did not finish"
		return outcome.get("result"), outcome.get("error")

	return join


def later_save(values: dict, started: threading.Event, go: threading.Event):
	"""A save whose transaction began (and read the customers) before the other save committed, as a
	double-tapped Save or a colleague's save arrives a moment later."""
	frappe.db.sql("SELECT COUNT(*) FROM `tabCIMS Customer`")
	started.set()
	assert go.wait(60)
	doc = frappe.get_doc({"doctype": "CIMS Customer", **values}).insert()
	frappe.db.commit()
	return doc.name


@pytest.mark.parametrize("key", ["name", "credit code", "ID number"])
def test_two_saves_of_one_customer_at_the_same_moment_give_one_customer_and_the_forms_message(committed, key):
	suffix = unique_suffix()
	values = {
		"name": {"customer_type": "Enterprise", "customer_name": f"同时保存{suffix}有限公司"},
		"credit code": {
			"customer_type": "Enterprise",
			"customer_name": f"同时保存{suffix}甲有限公司",
			"unified_social_credit_code": valid_uscc(),
		},
		"ID number": {"customer_type": "Individual", "customer_name": "赵六", "id_number": valid_id_number()},
	}[key]
	second_values = dict(values)
	if key != "name":
		second_values["customer_name"] = values["customer_name"] + "二"
	started, go = threading.Event(), threading.Event()
	finish = in_other_connection(lambda s, g: later_save(second_values, s, g), started, go)
	assert started.wait(60)
	first = frappe.get_doc({"doctype": "CIMS Customer", **values}).insert()
	frappe.db.commit()
	committed.append(first.name)
	go.set()
	second, error = finish()
	if second:
		committed.append(second)
	assert second is None, f"both saves succeeded: {first.name}, {second}"
	assert isinstance(error, frappe.DuplicateEntryError), repr(error)
	assert "already exists" in str(error) and first.name in str(error)
	assert "must be unique" not in str(error)


def test_a_double_tapped_save_over_http_creates_one_customer_and_answers_409_not_5xx(api, committed):
	name = f"双击保存{unique_suffix()}有限公司"
	client = api("System Manager")
	start = threading.Barrier(6)

	def save(_n):
		start.wait()
		return client.post(
			"/api/resource/CIMS Customer", {"customer_name": name, "customer_type": "Enterprise"}
		)

	with ThreadPoolExecutor(max_workers=6) as pool:
		responses = list(pool.map(save, range(6)))
	frappe.db.rollback()
	created = frappe.get_all("CIMS Customer", {"customer_name": name}, pluck="name")
	committed.extend(created)
	assert [r.status_code for r in responses if r.status_code >= 500] == []
	assert len(created) == 1
	assert sorted(r.status_code for r in responses) == [200] + [409] * 5
	for response in responses:
		if response.status_code == 409:
			assert "already exists" in server_messages(response) and created[0] in server_messages(response)


def test_two_memberships_of_one_customer_saved_at_the_same_moment_leave_one(committed):
	from tests.integration.campaign_support import delete_campaigns_and_customers, make_campaign

	customer = committed_customer(committed)
	campaign = make_campaign()
	frappe.db.commit()
	member = {"doctype": "CIMS Campaign Member", "campaign": campaign.name, "customer": customer.name}

	def later(started, go):
		frappe.db.sql("SELECT COUNT(*) FROM `tabCIMS Campaign Member`")
		started.set()
		assert go.wait(60)
		frappe.get_doc(member).insert()
		frappe.db.commit()

	try:
		started, go = threading.Event(), threading.Event()
		finish = in_other_connection(later, started, go)
		assert started.wait(60)
		frappe.get_doc(member).insert()
		frappe.db.commit()
		go.set()
		_result, error = finish()
		frappe.db.rollback()
		assert (
			frappe.db.count("CIMS Campaign Member", {"campaign": campaign.name, "customer": customer.name})
			== 1
		)
		assert isinstance(error, frappe.DuplicateEntryError), repr(error)
		assert "already a member" in str(error)
	finally:
		delete_campaigns_and_customers([campaign.name])


def test_a_bulk_import_row_that_a_concurrent_save_took_is_skipped_as_that_customer_and_the_chunk_goes_on(
	imports, committed, monkeypatch
):
	suffix = unique_suffix()
	rows = [[f"并发导入{suffix}{n}有限公司", "企业", "", f"人{n}", valid_mobile(), ""] for n in range(4)]
	written = CustomerHandler.write_inserts

	def colleague_saves_row_3_first(handler, pending):
		def save(_started):
			doc = frappe.get_doc(
				{"doctype": "CIMS Customer", "customer_name": rows[2][0], "customer_type": "Enterprise"}
			).insert()
			frappe.db.commit()
			return doc.name

		name, error = in_other_connection(save, threading.Event())()
		assert error is None, repr(error)
		committed.append(name)
		return written(handler, pending)

	monkeypatch.setattr(CustomerHandler, "write_inserts", colleague_saves_row_3_first)
	batch = imports.batch(workbook_bytes(HEADER, rows))
	result = imports.run(batch)
	entries = ledger(batch)
	assert result["status"] == "Completed"
	assert [entry.status for entry in entries] == ["Inserted", "Inserted", "Skipped", "Inserted"]
	assert entries[2].record == committed[-1] and "Already exists" in entries[2].message
	assert frappe.db.count("CIMS Customer", {"customer_name": rows[2][0]}) == 1
	for entry in (entries[0], entries[1], entries[3]):
		assert frappe.db.get_value("CIMS Customer", entry.record, "primary_contact")


def test_a_site_holding_duplicates_migrates_without_the_unique_index_says_which_and_adds_it_once_merged(
	committed,
):
	index = "cims_unique_id_number"
	id_number = valid_id_number()
	first = committed_customer(committed, customer_type="Individual", customer_name="钱七")
	second = committed_customer(committed, customer_type="Individual", customer_name="钱七")
	try:
		frappe.db.sql_ddl(f"ALTER TABLE `tabCIMS Customer` DROP INDEX `{index}`")
		frappe.db.sql(
			"UPDATE `tabCIMS Customer` SET id_number = %s WHERE name IN %s",
			(id_number, (first.name, second.name)),
		)
		frappe.db.commit()
		messages = add_unique_indexes()
		assert not frappe.db.has_index("tabCIMS Customer", index)
		assert len(messages) == 1 and first.name in messages[0] and second.name in messages[0]
		assert frappe.db.exists("Error Log", {"error": ("like", f"%{second.name}%")})
		hard_delete("CIMS Customer", [second.name])
		committed.remove(second.name)
		assert add_unique_indexes() == []
		assert frappe.db.has_index("tabCIMS Customer", index)
	finally:
		frappe.db.rollback()
		frappe.db.delete("Error Log", {"error": ("like", f"%{first.name}%")})
		frappe.db.commit()
		add_unique_indexes()
		assert frappe.db.has_index("tabCIMS Customer", index)


def test_a_rep_claims_a_pool_company_sharing_a_mobile_with_one_they_manage_but_not_the_same_company(
	role_users,
):
	from frappe.utils import nowdate

	from cims_app.customers.assignment import claim_customer

	rep = role_users["CIMS Sales Rep"][0]
	mobile, other_mobile = valid_mobile(), valid_mobile()

	def pooled(**values):
		doc = make_customer(**values)
		frappe.db.set_value(
			"CIMS Customer",
			doc.name,
			{"in_public_pool": 1, "account_manager": None, "pool_released_on": nowdate()},
		)
		return doc.name

	make_customer(unified_social_credit_code=valid_uscc(), mobile_no=mobile, account_manager=rep)
	other_company = pooled(unified_social_credit_code=valid_uscc(), mobile_no=mobile)
	assert claim_customer(other_company, rep)["account_manager"] == rep

	mine = make_customer(mobile_no=other_mobile, account_manager=rep)
	same_company = pooled(mobile_no=other_mobile)  # nothing tells the two apart
	with pytest.raises(frappe.DuplicateEntryError, match=mine.name):
		claim_customer(same_company, rep)


def test_the_unique_indexes_survive_a_sync_of_the_customer_doctype():
	"""The framework's schema sync drops a one-column unique index whose field is not `unique`: ours are
	composite, so a migrate that syncs CIMS Customer keeps them."""
	from cims_app.db.indexes import UNIQUE, index_columns

	frappe.reload_doc("cims_app", "doctype", "cims_customer", force=True)
	frappe.db.updatedb("CIMS Customer")
	frappe.db.commit()
	for index, columns in UNIQUE["CIMS Customer"].items():
		assert index_columns("tabCIMS Customer", index) == list(columns)
