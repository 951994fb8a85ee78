"""An import behaves like typing the rows in (issue 15 item 5): the site's own automations for customers and
contacts (Server Scripts, Notifications, Webhooks, other apps' document hooks) run for every imported
record; without any, the bulk path writes the rows."""

import functools
import http.server
import json
import threading

import frappe
import pytest

from cims_app.db.automations import site_automations
from cims_app.imports.customers import CustomerHandler
from tests.integration.import_helpers import counts, ledger, workbook_bytes
from tests.integration.support import unique_suffix, valid_mobile, valid_uscc

HEADER = ["客户名称", "客户类型", "统一社会信用代码", "联系人", "手机"]
HOOK_CALLS: list[str] = []


@pytest.fixture
def automations(monkeypatch):
	"""Automation records a test creates (committed: an import commits), removed afterwards; server scripts
	enabled as `server_script_enabled` in the bench's config would."""
	from frappe.utils import safe_exec

	monkeypatch.setattr(safe_exec, "is_safe_exec_enabled", lambda: True)
	made: list[tuple[str, str]] = []
	yield made
	frappe.db.rollback()
	for doctype, name in reversed(made):
		frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
	frappe.cache.delete_value(["server_script_map", "webhooks", "notifications"])
	frappe.db.commit()


def five_rows(suffix: str) -> list[list]:
	return [
		[f"自动化{suffix}{n}号有限公司", "企业", valid_uscc(), f"联系人{n}", valid_mobile()] for n in range(5)
	]


def server_script(made, doctype: str, event: str = "After Insert") -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Server Script",
			"name": f"cims-test-{unique_suffix()}",
			"script_type": "DocType Event",
			"reference_doctype": doctype,
			"doctype_event": event,
			"script": 'doc.add_comment("Comment", "server script ran")',
		}
	).insert()
	made.append(("Server Script", doc.name))
	frappe.db.commit()
	return doc.name


def script_comments(doctype: str, names) -> int:
	return frappe.db.count(
		"Comment",
		{
			"reference_doctype": doctype,
			"reference_name": ("in", list(names) or [""]),
			"content": "server script ran",
		},
	)


def imported(batch: str) -> list[str]:
	return [entry.record for entry in ledger(batch) if entry.status == "Inserted"]


def test_an_after_insert_server_script_on_customers_runs_for_every_imported_customer(imports, automations):
	script = server_script(automations, "CIMS Customer")
	assert site_automations("CIMS Customer") == [f"Server Script {script}"]
	batch = imports.batch(workbook_bytes(HEADER, five_rows(unique_suffix())))
	result = imports.run(batch)
	names = imported(batch)
	assert result["status"] == "Completed" and len(names) == 5
	assert script_comments("CIMS Customer", names) == 5
	assert script in counts(batch).log  # the batch says which automations made it save one by one
	# the records are what the bulk path writes: contact, mirrors, data source, Version
	for name in names:
		customer = frappe.get_doc("CIMS Customer", name)
		assert customer.primary_contact and customer.mobile_no
		assert batch in customer.data_source
		assert frappe.db.get_value("Contact", customer.primary_contact, "mobile_no") == customer.mobile_no
		assert frappe.db.exists("Version", {"ref_doctype": "CIMS Customer", "docname": name})


def test_a_server_script_on_contacts_runs_for_the_contacts_an_import_creates(imports, automations):
	server_script(automations, "Contact")
	batch = imports.batch(workbook_bytes(HEADER, five_rows(unique_suffix())))
	imports.run(batch)
	contacts = [frappe.db.get_value("CIMS Customer", name, "primary_contact") for name in imported(batch)]
	assert len(contacts) == 5 and all(contacts)
	assert script_comments("Contact", contacts) == 5


def test_a_before_save_server_script_may_refuse_a_row_and_only_that_row_fails(imports, automations):
	doc = frappe.get_doc(
		{
			"doctype": "Server Script",
			"name": f"cims-test-{unique_suffix()}",
			"script_type": "DocType Event",
			"reference_doctype": "CIMS Customer",
			"doctype_event": "Before Save",
			"script": 'if "拒绝" in doc.customer_name:\n    frappe.throw("名称含有拒绝")',
		}
	).insert()
	automations.append(("Server Script", doc.name))
	frappe.db.commit()
	rows = five_rows(unique_suffix())
	rows[1][0] = rows[1][0].replace("号", "号拒绝")
	batch = imports.batch(workbook_bytes(HEADER, rows))
	imports.run(batch)
	assert [entry.status for entry in ledger(batch)] == [
		"Inserted",
		"Failed",
		"Inserted",
		"Inserted",
		"Inserted",
	]
	assert "名称含有拒绝" in ledger(batch)[1].message
	assert not frappe.db.exists("CIMS Customer", {"customer_name": rows[1][0]})


def test_a_new_document_notification_is_sent_for_every_imported_customer(imports, automations, role_users):
	"""Sent to the System Managers (the role users): the framework sends none to the user who saved."""
	notification = frappe.get_doc(
		{
			"doctype": "Notification",
			"name": f"cims-test-{unique_suffix()}",
			"subject": "新客户 {{ doc.customer_name }}",
			"document_type": "CIMS Customer",
			"event": "New",
			"channel": "System Notification",
			"message": "新客户 {{ doc.name }}",
			"recipients": [{"receiver_by_role": "System Manager"}],
			"enabled": 1,
		}
	).insert()
	automations.append(("Notification", notification.name))
	frappe.db.commit()
	batch = imports.batch(workbook_bytes(HEADER, five_rows(unique_suffix())))
	imports.run(batch)
	names = imported(batch)
	notified = frappe.get_all(
		"Notification Log",
		{
			"document_type": "CIMS Customer",
			"document_name": ("in", names),
			"for_user": role_users["System Manager"][0],
		},
		pluck="document_name",
	)
	assert set(notified) == set(names) and len(names) == 5
	frappe.db.delete("Notification Log", {"document_type": "CIMS Customer", "document_name": ("in", names)})


@pytest.fixture
def receiver():
	"""A local HTTP endpoint that counts the webhook calls it receives."""
	received: list[bytes] = []

	class Handler(http.server.BaseHTTPRequestHandler):
		def do_POST(self):
			received.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
			self.send_response(200)
			self.end_headers()
			self.wfile.write(b"{}")

		def log_message(self, *args):
			pass

	server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
	thread = threading.Thread(target=server.serve_forever, daemon=True)
	thread.start()
	yield functools.partial(lambda port: f"http://127.0.0.1:{port}/hook", server.server_port)(), received
	server.shutdown()
	server.server_close()


def test_an_after_insert_webhook_is_called_for_every_imported_customer(imports, automations, receiver):
	url, received = receiver
	webhook = frappe.get_doc(
		{
			"doctype": "Webhook",
			"name": f"cims-test-{unique_suffix()}",
			"webhook_doctype": "CIMS Customer",
			"webhook_docevent": "after_insert",
			"request_url": url,
			"request_method": "POST",
			"request_structure": "Form URL-Encoded",
			"webhook_data": [{"fieldname": "name", "key": "customer"}],
			"enabled": 1,
		}
	).insert()
	automations.append(("Webhook", webhook.name))
	frappe.db.commit()
	batch = imports.batch(workbook_bytes(HEADER, five_rows(unique_suffix())))
	imports.run(batch)
	names = imported(batch)
	called = sorted(json.loads(body)["customer"] for body in received)
	assert len(names) == 5
	assert called == sorted(names)
	frappe.db.delete("Webhook Request Log", {"webhook": webhook.name})
	frappe.db.commit()


def count_hook(doc, method=None):
	HOOK_CALLS.append(doc.name)


def test_another_apps_document_hook_runs_for_every_imported_customer(imports, monkeypatch):
	"""A doc_events handler of another installed app (here one put into the framework's namespace, as the
	framework loads a handler only from an installed app)."""
	import frappe.utils

	monkeypatch.setattr(frappe.utils, "cims_test_probe", count_hook, raising=False)
	hooks = dict(frappe.get_doc_hooks())
	hooks["CIMS Customer"] = {
		**hooks.get("CIMS Customer", {}),
		"after_insert": ["frappe.utils.cims_test_probe"],
	}
	monkeypatch.setattr(frappe, "get_doc_hooks", lambda: hooks)
	assert site_automations("CIMS Customer") == ["Document hook frappe.utils.cims_test_probe"]
	HOOK_CALLS.clear()
	batch = imports.batch(workbook_bytes(HEADER, five_rows(unique_suffix())))
	imports.run(batch)
	assert sorted(HOOK_CALLS) == sorted(imported(batch)) and len(HOOK_CALLS) == 5


def test_without_automations_the_import_writes_in_bulk(imports, monkeypatch):
	assert site_automations("CIMS Customer") == [] and site_automations("Contact") == []

	def refuse(*args, **kwargs):
		raise AssertionError("saved one by one although the site has no automation")

	monkeypatch.setattr(CustomerHandler, "insert_by_hand", refuse)
	monkeypatch.setattr(CustomerHandler, "insert_one", refuse)
	batch = imports.batch(workbook_bytes(HEADER, five_rows(unique_suffix())))
	result = imports.run(batch)
	assert result["status"] == "Completed" and len(imported(batch)) == 5


def test_after_write_automations_run_on_records_written_in_bulk(imports, automations, monkeypatch):
	"""An automation that acts after the write does not need the one-by-one path: the rows are written in
	bulk and the automation runs on each new customer and contact."""
	server_script(automations, "CIMS Customer")
	server_script(automations, "Contact", event="After Save")

	def refuse(*args, **kwargs):
		raise AssertionError("saved one by one although every automation acts after the write")

	monkeypatch.setattr(CustomerHandler, "insert_by_hand", refuse)
	batch = imports.batch(workbook_bytes(HEADER, five_rows(unique_suffix())))
	result = imports.run(batch)
	names = imported(batch)
	assert result["status"] == "Completed" and len(names) == 5
	assert script_comments("CIMS Customer", names) == 5
	contacts = [frappe.db.get_value("CIMS Customer", name, "primary_contact") for name in names]
	assert script_comments("Contact", contacts) == 5


def test_an_after_insert_automation_that_raises_fails_only_its_row(imports, automations):
	"""As when typing the rows in: a record whose After Insert script raises is not saved, the others are
	(the chunk written in bulk is undone and saved one by one)."""
	doc = frappe.get_doc(
		{
			"doctype": "Server Script",
			"name": f"cims-test-{unique_suffix()}",
			"script_type": "DocType Event",
			"reference_doctype": "CIMS Customer",
			"doctype_event": "After Insert",
			"script": 'if "拒绝" in doc.customer_name:\n    frappe.throw("名称含有拒绝")\ndoc.add_comment("Comment", "server script ran")',
		}
	).insert()
	automations.append(("Server Script", doc.name))
	frappe.db.commit()
	rows = five_rows(unique_suffix())
	rows[3][0] = rows[3][0].replace("号", "号拒绝")
	batch = imports.batch(workbook_bytes(HEADER, rows))
	imports.run(batch)
	entries = ledger(batch)
	assert [entry.status for entry in entries] == ["Inserted", "Inserted", "Inserted", "Failed", "Inserted"]
	assert "名称含有拒绝" in entries[3].message
	assert not frappe.db.exists("CIMS Customer", {"customer_name": rows[3][0]})
	names = imported(batch)
	assert len(set(names)) == 4 and all(frappe.db.exists("CIMS Customer", name) for name in names)
	assert script_comments("CIMS Customer", names) == 4
	# nothing of the undone bulk write is left: one customer and one contact per kept row
	assert frappe.db.count("CIMS Customer", {"data_source": ("like", f"%{batch}%")}) == 4
