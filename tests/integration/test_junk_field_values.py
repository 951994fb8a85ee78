"""Junk in any field of any CIMS DocType is a clear, translated 4xx naming the field, never a server error.

Seeded fuzzing through REST, as Administrator: every DocType of the module (read from its DocType JSON),
every field by its type, child-table rows included, on create (POST) and on update (PUT), with hostile
values (lists, objects, NUL, formulas, NaN, 1e309, impossible dates, lone surrogates, huge numbers, very
long text...). CIMS_FUZZ_SEED picks another seed; a failure names the seed, DocType, field and value.
"""

import json
import os
import random
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import frappe
import pytest
import requests
from frappe.utils.nestedset import rebuild_tree

import cims_app
from tests.integration.support import (
	PASSWORD,
	hard_delete,
	make_login_user,
	server_messages,
	unique_suffix,
)

pytestmark = pytest.mark.integration

SEED = int(os.environ.get("CIMS_FUZZ_SEED", "15"))
DOCTYPE_FOLDER = Path(cims_app.__file__).parent / "cims_app" / "doctype"
LAYOUT = {"Section Break", "Column Break", "Tab Break", "HTML", "Button", "Image", "Fold", "Heading"}
TABLES = {"Table", "Table MultiSelect"}
TREES = {"CIMS Industry", "CIMS Region"}

# What a mail merge, a spreadsheet or a hostile client sends.
HOSTILE = [
	"[]",
	"\u0000",
	"@SUM(1)",
	"=1+1",
	"8-",
	"NaN",
	"nan",
	"Infinity",
	"-Infinity",
	"1e309",
	"-1e309",
	"2024-13-45",
	"0000-00-00",
	"2024-02-30 25:61:61",
	"25:61:61",
	"\ud800",
	"a\udfffb",
	"x" * 70000,
	"长" * 200,
	"😀" * 50,
	"'; DROP TABLE `tabCIMS Customer`; --",
	"1' OR '1'='1",
	"<script>alert(1)</script>",
	"{{ frappe.session.user }}",
	"9" * 40,
	"-0x1F",
	"1,000.5",
	"１２３",
	"   ",
	True,
	False,
	-1,
	1.5,
	10**40,
	-(10**40),
	1e308,
	[],
	[1, 2],
	["a", {"b": 1}],
	{"a": 1},
	{"name": "x", "doctype": "User"},
]
# Values that look right for one field type and are wrong for its column.
BY_TYPE = {
	"Date": [
		"2024-1-1 99:99",
		"20240101",
		"1999-12-31T00:00:00+08:00",
		"0999-01-01",
		"10000-01-01",
		20240101,
	],
	"Datetime": ["2024-01-01 24:00:00", "2024-01-01T10:00:00Z", "1969-13-01 00:00", "9999-12-31 23:59:60"],
	"Int": ["2147483648", -2147483649, "12.5", "1e3", 2**31, "1", "2"],
	"Check": [2, "yes", "2", -1, 0.5],
	"Currency": ["1e12", "-1000000000000", 1e12, "1.2.3", "¥100"],
	"Float": ["1e12", 1e15, "0.1.2"],
	"Percent": ["1e12", "50%", -1e13],
	"Rating": [5, -0.1, 1.01, "★★★"],
	"Select": ["not an option", " " * 200, "Planned" * 30],
	"Link": ["no-such-record", "x" * 141, 0, 12345],
	"Dynamic Link": ["no-such-record", "x" * 141],
	"Data": ["x" * 141, "a\x00b"],
	"Small Text": ["x" * 70000],
	"Text": ["长" * 30000],
}
# Junk for a whole table field, and rows that are not rows.
TABLE_JUNK = ["[]", "rows", 5, True, {"a": 1}, [1, 2], ["row"], [[]], [None]]
# The issue's values, and more junk of the same kind, for dates and for numbers.
ISSUE_DATE_JUNK = [
	"[]",
	"\u0000",
	"@SUM(1)",
	"8-",
	"NaN",
	"1e309",
	"2024-13-45",
	"0000-00-00",
	"2024-02-30 25:61:61",
	"tomorrow",
	20240101,
	True,
	{"a": 1},
	[1, 2],
	"\ud800",
]
ISSUE_NUMBER_JUNK = [
	"8-",
	"NaN",
	"1e309",
	"-1e309",
	"Infinity",
	"[]",
	"\u0000",
	"@SUM(1)",
	"1.2.3",
	"9" * 40,
	10**40,
	{"a": 1},
	[1, 2],
	"\ud800",
]
# Junk whatever the field's type: refused before any rule of the app runs, with the field's label.
ALWAYS_JUNK = [{"a": 1}, ["a", {"b": 1}], "\ud800", "a\udfffb"]


def cims_doctypes() -> dict[str, dict]:
	"""Every DocType of the module, from its DocType JSON."""
	doctypes = {}
	for path in sorted(DOCTYPE_FOLDER.glob("*/*.json")):
		definition = json.loads(path.read_text(encoding="utf-8"))
		if definition.get("doctype") == "DocType" and path.stem == path.parent.name:
			doctypes[definition["name"]] = definition
	return doctypes


DOCTYPES = cims_doctypes()


def option(doctype: str, fieldname: str, index: int = 0) -> str:
	"""An option of a Select field as the site defines it (option words may be renamed)."""
	options = [o for o in (frappe.get_meta(doctype).get_field(fieldname).options or "").split("\n") if o]
	return options[index]


def resource(doctype: str, name: str | None = None) -> str:
	path = f"/api/resource/{quote(doctype)}"
	return f"{path}/{quote(name, safe='')}" if name else path


class Fixture:
	"""Committed records the payloads refer to, and everything the fuzzing created, removed at the end."""

	def __init__(self):
		self.suffix = unique_suffix()
		self.created: list[tuple[str, str]] = []
		self.lock = threading.Lock()
		self.settings = frappe.db.sql(
			"SELECT field, value FROM `tabSingles` WHERE doctype = 'CIMS Settings'", as_dict=True
		)

	def insert(self, values: dict) -> str:
		doc = frappe.get_doc(values).insert()
		self.add(doc.doctype, doc.name)
		return doc.name

	def add(self, doctype: str, name: str) -> None:
		with self.lock:
			self.created.append((doctype, name))

	def cleanup(self) -> None:
		frappe.db.rollback()
		frappe.db.delete("Singles", {"doctype": "CIMS Settings"})
		for row in self.settings:
			frappe.db.sql(
				"INSERT INTO `tabSingles` (doctype, field, value) VALUES ('CIMS Settings', %s, %s)",
				(row.field, row.value),
			)
		frappe.clear_document_cache("CIMS Settings", "CIMS Settings")
		by_doctype = defaultdict(list)
		for doctype, name in self.created:
			by_doctype[doctype].append(name)
		names = [name for _doctype, name in self.created]
		# Files first (their removal leaves comments on the records), with those the records took in: an
		# import batch attaches its file, private, to itself.
		for chunk in _chunks(names):
			by_doctype["File"] += frappe.get_all("File", {"attached_to_name": ("in", chunk)}, pluck="name")
		for name in by_doctype.pop("File", []):
			frappe.delete_doc("File", name, force=True, ignore_permissions=True)
		for chunk in _chunks(names):
			events = frappe.get_all(
				"Event Participants", {"reference_docname": ("in", chunk)}, pluck="parent"
			)
			for events_chunk in _chunks(events):
				frappe.db.delete("Event", {"name": ("in", events_chunk)})
		for related, field in (
			("CIMS Stage Change", "reference_name"),
			("CIMS Stage Change", "customer"),
			("Version", "docname"),
			("ToDo", "reference_name"),
			("Event Participants", "reference_docname"),
			("Comment", "reference_name"),
			("CIMS Reminder Log", "reference_name"),
			("Notification Log", "document_name"),
			("Tag Link", "document_name"),
		):
			for chunk in _chunks(names):
				frappe.db.delete(related, {field: ("in", chunk)})
		for doctype, doc_names in by_doctype.items():
			if doctype in TREES:
				# Updates may have moved the fuzz's nodes under one another: remove them all, then renumber.
				parent_field = "parent_" + frappe.scrub(doctype)
				for chunk in _chunks(doc_names):
					frappe.db.set_value(doctype, {parent_field: ("in", chunk)}, parent_field, None)
					hard_delete(doctype, chunk)
				rebuild_tree(doctype)
				continue
			for child in frappe.get_meta(doctype).get_table_fields():
				for chunk in _chunks(doc_names):
					frappe.db.delete(child.options, {"parent": ("in", chunk), "parenttype": doctype})
			for chunk in _chunks(doc_names):
				hard_delete(doctype, chunk)
		frappe.db.commit()


def _chunks(values: list, size: int = 500):
	for start in range(0, len(values), size):
		yield values[start : start + size]


@pytest.fixture(scope="module")
def fixture(site):
	"""A customer, contact, team, template, plan, campaign, opportunity... for the payloads to link to."""
	fx = Fixture()
	s = fx.suffix
	fx.customer = fx.insert(
		{"doctype": "CIMS Customer", "customer_name": f"乱码测试{s}有限公司", "customer_type": "Enterprise"}
	)
	fx.team = fx.insert(
		{
			"doctype": "CIMS Sales Team",
			"team_name": f"乱码组{s}",
			"manager": "Administrator",
			"members": [{"user": "Administrator"}],
		}
	)
	fx.template = fx.insert(
		{
			"doctype": "CIMS Follow-Up Template",
			"template_name": f"乱码模板{s}",
			"content": "<p>首次电话沟通内容模板</p>",
		}
	)
	fx.campaign = fx.insert(
		{
			"doctype": "CIMS Campaign",
			"campaign_name": f"乱码活动{s}",
			"campaign_type": option("CIMS Campaign", "campaign_type"),
		}
	)
	fx.opportunity = fx.insert(
		{"doctype": "CIMS Opportunity", "opportunity_title": f"乱码机会{s}", "customer": fx.customer}
	)
	fx.file_url = (
		frappe.get_doc(
			{"doctype": "File", "file_name": f"fuzz-{s}.xlsx", "content": b"not a workbook", "is_private": 0}
		)
		.insert()
		.file_url
	)
	fx.created.append(("File", frappe.db.get_value("File", {"file_url": fx.file_url})))
	fx.batch = fx.insert(
		{
			"doctype": "CIMS Import Batch",
			"import_doctype": "CIMS Customer",
			"import_type": "Insert",
			"conflict_policy": option("CIMS Import Batch", "conflict_policy"),
			"import_file": fx.file_url,
		}
	)
	fx.tag = "高意向"
	if not frappe.db.exists("Tag", fx.tag):
		frappe.get_doc({"doctype": "Tag", "name": fx.tag}).insert(ignore_if_duplicate=True)
	frappe.db.commit()
	yield fx
	fx.cleanup()


def base_payloads(fx: Fixture) -> dict:
	"""A valid new record of each CIMS DocType (number `i`), and a valid row of each child table."""
	s = fx.suffix

	def new_customer(use, i):
		return fx.insert(
			{
				"doctype": "CIMS Customer",
				"customer_name": f"乱码{use}{s}-{i}有限公司",
				"customer_type": "Enterprise",
			}
		)

	parents = {
		"CIMS Customer": lambda i: {
			"customer_name": f"乱码客户{s}-{i}有限公司",
			"customer_type": "Enterprise",
		},
		"CIMS Follow-Up": lambda i: {
			"customer": fx.customer,
			"follow_up_type": option("CIMS Follow-Up", "follow_up_type"),
			"status": option("CIMS Follow-Up", "status"),
			"scheduled_on": "2030-01-01 10:00:00",
		},
		"CIMS Opportunity": lambda i: {"opportunity_title": f"乱码机会{s}-{i}", "customer": fx.customer},
		"CIMS Campaign": lambda i: {
			"campaign_name": f"乱码活动{s}-{i}",
			"campaign_type": option("CIMS Campaign", "campaign_type"),
		},
		"CIMS Campaign Member": lambda i: {"campaign": fx.campaign, "customer": new_customer("成员", i)},
		"CIMS Customer Source": lambda i: {"source_name": f"乱码来源{s}-{i}"},
		"CIMS Sales Stage": lambda i: {"stage_name": f"乱码阶段{s}-{i}", "sequence": 90, "probability": 5},
		"CIMS Sales Target": lambda i: {
			"target_for": "Sales Team",
			"sales_team": fx.team,
			"period_start": "2026-01-01",
			"period_end": "2026-12-31",
		},
		"CIMS Sales Team": lambda i: {"team_name": f"乱码组{s}-{i}", "manager": "Administrator"},
		"CIMS Assignment Rule": lambda i: {
			"rule_name": f"乱码规则{s}-{i}",
			"assign_to": "User",
			"assignee": "Administrator",
			"enabled": 0,
		},
		"CIMS Follow-Up Template": lambda i: {
			"template_name": f"乱码模板{s}-{i}",
			"content": "<p>首次电话沟通内容模板</p>",
		},
		"CIMS Follow-Up Plan": lambda i: {
			"plan_name": f"乱码计划{s}-{i}",
			"lifecycle_stage": option("CIMS Follow-Up Plan", "lifecycle_stage"),
			"frequency_days": 7,
			"enabled": 0,
		},
		"CIMS Industry": lambda i: {"industry_name": f"乱码行业{s}-{i}", "parent_cims_industry": "全部行业"},
		"CIMS Region": lambda i: {"region_name": f"乱码区域{s}-{i}", "parent_cims_region": "华东"},
		"CIMS Approval Request": lambda i: {
			"request_type": "Value Tier Change",
			"reference_doctype": "CIMS Customer",
			"reference_name": new_customer("审批", i),  # one pending request per record
			"new_value": "High Value Customer",
			"reason": "年度框架协议已签署",
		},
		# Written by the app only: refused by hand, and must be refused cleanly.
		"CIMS Stage Change": lambda i: {"reference_doctype": "CIMS Customer", "reference_name": fx.customer},
		"CIMS Reminder Log": lambda i: {
			"rule": "fuzz",
			"reference_doctype": "CIMS Customer",
			"reference_name": fx.customer,
			"due_date": "2030-01-01",
		},
		"CIMS Import Batch": lambda i: {
			"import_doctype": "CIMS Customer",
			"import_type": "Insert",
			"conflict_policy": option("CIMS Import Batch", "conflict_policy"),
			"import_file": fx.file_url,
		},
		"CIMS Import Row": lambda i: {"batch": fx.batch},
	}
	rows = {
		"CIMS Campaign Budget Item": {"item": "场地", "amount": 100},
		"CIMS Campaign Agenda Item": {"time": "14:00", "topic": "开场"},
		"CIMS Campaign Target Tag": {"tag": fx.tag},
		"CIMS Campaign Team Member": {"user": "Administrator"},
		"CIMS Opportunity Competitor": {"competitor_name": "竞品甲", "quoted_price": 100},
		"CIMS Follow-Up Plan Step": {
			"sequence": 1,
			"follow_up_type": option("CIMS Follow-Up Plan Step", "follow_up_type"),
			"template": fx.template,
			"offset_days": 0,
		},
		"CIMS Sales Team Member": {"user": "Administrator"},
	}
	return parents, rows


def value_fields(doctype: str) -> list[dict]:
	return [f for f in DOCTYPES[doctype]["fields"] if f["fieldtype"] not in LAYOUT]


# Standard columns a client may send as well, with the labels the refusals give them.
STANDARD_FIELDS = [{"fieldname": "idx", "fieldtype": "Int"}, {"fieldname": "docstatus", "fieldtype": "Int"}]
STANDARD_LABELS = {"idx": "Row Number", "docstatus": "Document Status"}


def label_of(doctype: str, fieldname: str) -> str:
	return STANDARD_LABELS.get(fieldname) or frappe.get_meta(doctype).get_label(fieldname)


class Fuzz:
	"""Requests made in parallel by logged-in sessions, one per thread; every answer checked."""

	def __init__(self, base_url: str, site: str, user: str, fx: Fixture):
		self.base_url, self.site, self.user, self.fx = base_url, site, user, fx
		self.local = threading.local()
		self.sent = 0
		self.by_status = defaultdict(int)
		self.server_errors: list[str] = []
		self.unnamed: list[str] = []
		self.lock = threading.Lock()

	def session(self) -> requests.Session:
		if not hasattr(self.local, "session"):
			session = requests.Session()
			session.headers.update({"Host": self.site, "Accept": "application/json"})
			session.post(
				f"{self.base_url}/api/method/login", data={"usr": self.user, "pwd": PASSWORD}
			).raise_for_status()
			self.local.session = session
		return self.local.session

	def send(self, method: str, doctype: str, name: str | None, payload: dict, case: tuple) -> None:
		"""`case` = (doctype, field label, value, whether the value is junk for every field type).

		Any answer but a server error will do for a value a field may hold (a rule of the app may refuse
		it, or accept it), as long as a refusal says why; junk for every type must be a 417 naming the field.
		"""
		body = json.dumps(payload)  # lone surrogates travel as \\udXXX escapes, as a client may send them
		for attempt in range(6):
			if attempt:
				time.sleep(random.uniform(0.05, 0.3) * attempt)
			response = self.session().request(
				method,
				f"{self.base_url}{resource(doctype, name)}",
				data=body,
				headers={"Content-Type": "application/json"},
				timeout=120,
			)
			# The test's own parallel requests may deadlock (e.g. two first uses of a naming series): a
			# client retries those; they say nothing about the value.
			if not (response.status_code >= 500 and _exception(response) == "QueryDeadlockError"):
				break
		where = f"seed {SEED}: {method} {case[0]} {case[1]!r} = {_short(case[2])}"
		with self.lock:
			self.sent += 1
			self.by_status[response.status_code] += 1
		if response.status_code >= 500:
			with self.lock:
				self.server_errors.append(
					f"{where}: HTTP {response.status_code} {_where_it_failed(response)}"
				)
			return
		if response.status_code == 200 and method == "POST":
			self.fx.add(doctype, response.json()["data"]["name"])
		message = server_messages(response) if response.status_code >= 400 else ""
		if response.status_code >= 400 and not message.strip():
			with self.lock:
				self.unnamed.append(f"{where}: HTTP {response.status_code} without a message")
		elif case[3] and (response.status_code != 417 or case[1] not in message):
			with self.lock:
				self.unnamed.append(f"{where}: HTTP {response.status_code} {message[:200]}")

	def run(self, groups: list[list]) -> None:
		"""Each group runs in order in one thread (a tree's nodes must not be inserted concurrently)."""

		def run_group(calls):
			for call in calls:
				self.send(*call)

		with ThreadPoolExecutor(max_workers=8) as pool:
			list(pool.map(run_group, groups))


def _short(value) -> str:
	text = repr(value)
	return text if len(text) <= 60 else f"{text[:50]}...({len(text)} chars)"


def _exception(response) -> str:
	try:
		body = response.json()
	except ValueError:
		return response.text[:200]
	return body.get("exc_type") or body.get("exception", "")[:300]


def _where_it_failed(response) -> str:
	"""The exception and the last frames of the server's traceback."""
	try:
		trace = json.loads(response.json().get("exc") or "[]")
	except ValueError:
		return response.text[:200]
	lines = trace[0].strip().splitlines() if trace else []
	return " | ".join(line.strip() for line in lines[-int(os.environ.get("CIMS_FUZZ_TRACE_LINES", "5")) :])


def _pool(fieldtype: str) -> list:
	return HOSTILE + BY_TYPE.get(fieldtype, [])


@pytest.fixture(scope="module")
def admin_user(site):
	"""A System Manager (Administrator's rights on every CIMS DocType) logging in with the test password."""
	email = make_login_user(["System Manager"], prefix="cims-fuzz")
	frappe.db.commit()
	yield email
	frappe.delete_doc("User", email, ignore_permissions=True, force=True)
	frappe.db.commit()


def test_every_cims_doctype_has_a_fuzz_payload(fixture):
	parents, rows = base_payloads(fixture)
	children = {name for name, d in DOCTYPES.items() if d.get("istable")}
	singles = {name for name, d in DOCTYPES.items() if d.get("issingle")}
	assert set(parents) == set(DOCTYPES) - children - singles, "a new DocType needs a payload here"
	assert set(rows) == children


def test_junk_in_follow_up_dates_and_opportunity_numbers_is_a_4xx_naming_the_field(
	base_url, site, fixture, admin_user
):
	"""The issue's 150 seeded tries each: dates of CIMS Follow-Up, numbers of CIMS Opportunity."""
	parents, _rows = base_payloads(fixture)
	rng = random.Random(SEED)
	cases = []
	for doctype, fields, values in (
		("CIMS Follow-Up", ["scheduled_on", "completed_on", "next_follow_up_on"], ISSUE_DATE_JUNK),
		(
			"CIMS Opportunity",
			["unit_price", "quantity", "probability", "expected_amount", "won_amount", "weighted_amount"],
			ISSUE_NUMBER_JUNK,
		),
	):
		for i in range(150):
			fieldname, value = rng.choice(fields), rng.choice(values)
			cases.append(("POST", doctype, None, {**parents[doctype](i), fieldname: value}, fieldname, value))
	fuzz = Fuzz(base_url, site, admin_user, fixture)
	fuzz.run(
		[
			[
				(method, doctype, name, payload, (doctype, label_of(doctype, fieldname), value, True))
				for method, doctype, name, payload, fieldname, value in cases[start::8]
			]
			for start in range(8)
		]
	)

	assert fuzz.sent == 300
	assert not fuzz.server_errors, "\n".join(fuzz.server_errors[:40])
	assert not fuzz.unnamed, "\n".join(fuzz.unnamed[:40])
	assert fuzz.by_status == {417: 300}, dict(fuzz.by_status)


def test_junk_in_any_field_of_any_cims_doctype_is_never_a_server_error_over_rest(
	base_url, site, fixture, admin_user
):
	parents, rows = base_payloads(fixture)
	rng = random.Random(SEED)
	per_field = int(os.environ.get("CIMS_FUZZ_PER_FIELD", "4"))
	existing = {doctype: _existing_record(fixture, doctype, make) for doctype, make in parents.items()}
	groups: dict[str, list] = defaultdict(list)
	i = 0
	only = set(filter(None, os.environ.get("CIMS_FUZZ_DOCTYPES", "").split(",")))
	for doctype in sorted(DOCTYPES):
		definition = DOCTYPES[doctype]
		if definition.get("istable") or (only and doctype not in only):
			continue
		single = bool(definition.get("issingle"))
		for field in value_fields(doctype) + ([] if single else STANDARD_FIELDS):
			fieldname, fieldtype = field["fieldname"], field["fieldtype"]
			label = label_of(doctype, fieldname)
			if fieldtype in TABLES:
				child = field["options"]
				junk = [(v, label, True) for v in rng.sample(TABLE_JUNK, min(per_field, len(TABLE_JUNK)))]
				for child_field in value_fields(child):
					child_label = label_of(child, child_field["fieldname"])
					for value in [rng.choice(ALWAYS_JUNK), *rng.sample(_pool(child_field["fieldtype"]), 2)]:
						row = {**rows[child], child_field["fieldname"]: value}
						junk.append(([row], child_label, value in ALWAYS_JUNK))
			else:
				values = [rng.choice(ALWAYS_JUNK), *rng.sample(_pool(fieldtype), per_field)]
				junk = [(v, label, v in ALWAYS_JUNK) for v in values]
			for value, named, always in junk:
				i += 1
				case = (doctype, named, value, always)
				group = groups[doctype if doctype in TREES else f"{doctype}-{i % 3}"]
				if not single:
					group.append(("POST", doctype, None, {**parents[doctype](i), fieldname: value}, case))
				name = doctype if single else existing[doctype]
				if name:
					group.append(("PUT", doctype, name, {fieldname: value}, case))
	frappe.db.commit()  # members' customers: an open transaction would hold the naming series' lock
	fuzz = Fuzz(base_url, site, admin_user, fixture)
	started = time.monotonic()
	fuzz.run(sorted(groups.values(), key=len, reverse=True))
	seconds = time.monotonic() - started

	print(f"\n{fuzz.sent} requests in {seconds:.1f} s (seed {SEED}): {dict(sorted(fuzz.by_status.items()))}")
	assert fuzz.sent >= (2000 if not only else 1)
	assert not fuzz.server_errors, f"{len(fuzz.server_errors)} server errors:\n" + "\n".join(
		fuzz.server_errors[:60]
	)
	assert not fuzz.unnamed, f"{len(fuzz.unnamed)} refusals not saying why:\n" + "\n".join(fuzz.unnamed[:60])


def _existing_record(fx: Fixture, doctype: str, make) -> str | None:
	"""A committed record of `doctype` for the updates (None where the app allows no such record by hand)."""
	if doctype in ("CIMS Stage Change", "CIMS Reminder Log", "CIMS Import Row"):
		return None
	name = fx.insert({"doctype": doctype, **make(10**6)})
	frappe.db.commit()
	return name
