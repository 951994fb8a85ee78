"""cims_app lives beside the framework and ERPNext v15 without taking anything of theirs.

Names are global on a site: a DocType, Role, Workflow, Workflow State, Custom Field, Report,
Workspace or fixture record of the app that reused one of theirs would overwrite it on install and
delete it on uninstall. The framework's names come from tests/data/frappe_v15_names.txt (built from
its source by tests/data/frappe_names.py), ERPNext's from tests/data/erpnext_v15_names.txt.
"""

import json
from pathlib import Path

import frappe
import pytest

from cims_app import hooks

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "cims_app"
DATA = REPO / "tests" / "data"
KINDS = {
	"DocType": "doctype",
	"Report": "report",
	"Workspace": "workspace",
	"Role": "role",
	"Workflow State": "workflow_state",
	"Workflow Action Master": "workflow_action",
}


def read_names(path: Path) -> dict[str, set[str]]:
	names: dict[str, set[str]] = {}
	for line in path.read_text(encoding="utf-8").splitlines():
		if line.strip() and not line.startswith("#") and ": " in line:
			kind, name = line.split(": ", 1)
			names.setdefault(kind.strip(), set()).add(name.strip())
	return names


def app_records() -> dict[str, set[str]]:
	"""Names of every record the app ships: module JSON (DocTypes, reports, workspaces, cards, charts) and fixtures."""
	records: dict[str, set[str]] = {}
	for path in (APP / "cims_app").rglob("*.json"):
		if path.parent.name != path.stem:
			continue
		doc = json.loads(path.read_text(encoding="utf-8"))
		if isinstance(doc, dict) and doc.get("doctype") and doc.get("name"):
			records.setdefault(doc["doctype"], set()).add(doc["name"])
	for path in (APP / "fixtures").glob("*.json"):
		for doc in json.loads(path.read_text(encoding="utf-8")):
			records.setdefault(doc["doctype"], set()).add(doc["name"])
	return records


@pytest.fixture(scope="module")
def framework_names():
	return read_names(DATA / "frappe_v15_names.txt")


def test_framework_name_list_matches_the_installed_framework(framework_names):
	"""The test data is current: every framework DocType on the site is in the list (and vice versa)."""
	on_site = set(frappe.get_all("DocType", filters={"module": ("in", _framework_modules())}, pluck="name"))
	assert on_site == framework_names["doctype"], (
		f"regenerate with tests/data/frappe_names.py: missing {sorted(on_site - framework_names['doctype'])[:10]},"
		f" extra {sorted(framework_names['doctype'] - on_site)[:10]}"
	)


def test_no_app_record_takes_a_framework_name(framework_names):
	clashes = {
		doctype: sorted(names & framework_names.get(KINDS[doctype], set()))
		for doctype, names in app_records().items()
		if doctype in KINDS and names & framework_names.get(KINDS[doctype], set())
	}
	assert not clashes, f"the app ships records the framework owns: {clashes}"


def test_no_app_record_takes_an_erpnext_v15_name():
	path = DATA / "erpnext_v15_names.txt"
	if not path.exists():
		pytest.skip(f"{path.relative_to(REPO)} is missing: ERPNext's names are not checked")
	erpnext = read_names(path)
	clashes = {
		doctype: sorted(names & erpnext.get(KINDS[doctype], set()))
		for doctype, names in app_records().items()
		if doctype in KINDS and names & erpnext.get(KINDS[doctype], set())
	}
	assert not clashes, f"the app ships records ERPNext v15 owns: {clashes}"


def test_app_doctypes_roles_reports_and_workspaces_carry_the_cims_prefix():
	"""The prefix is what keeps future framework or ERPNext names apart from ours."""
	records = app_records()
	unprefixed = {
		doctype: sorted(name for name in records.get(doctype, ()) if not name.startswith("CIMS"))
		for doctype in (
			"DocType",
			"Role",
			"Report",
			"Workspace",
			"Workflow",
			"Number Card",
			"Dashboard Chart",
		)
	}
	assert not any(unprefixed.values()), unprefixed


def test_custom_fields_are_prefixed_and_clash_with_no_field_of_their_doctype():
	fields = json.loads((APP / "fixtures" / "custom_field.json").read_text(encoding="utf-8"))
	assert all(field["fieldname"].startswith("cims_") for field in fields), [f["fieldname"] for f in fields]
	for field in fields:
		standard = {
			df.fieldname for df in frappe.get_meta(field["dt"]).fields if not df.get("is_custom_field")
		}
		assert field["fieldname"] not in standard, (
			f"{field['dt']}.{field['fieldname']} shadows a standard field"
		)


def test_fixture_filters_select_only_the_apps_own_records():
	"""What `bench export-fixtures` would write, read with the hooks' own filters: nothing foreign."""
	shipped = app_records()
	for fixture in hooks.fixtures:
		doctype = fixture["dt"] if isinstance(fixture, dict) else fixture
		filters = fixture.get("filters") if isinstance(fixture, dict) else None
		assert filters, f"the fixture {doctype} has no filters: it would export every record of the site"
		selected = set(frappe.get_all(doctype, filters=filters, pluck="name"))
		if doctype == "Custom Field":
			foreign = {
				name
				for name in selected
				if frappe.db.get_value("Custom Field", name, "module") != "CIMS App"
				or not name.split("-", 1)[1].startswith("cims_")
			}
		else:
			foreign = selected - shipped.get(doctype, set())
		assert not foreign, (
			f"the fixture filters of {doctype} select records the app does not ship: {foreign}"
		)


def test_app_records_on_the_site_belong_to_the_app_module():
	"""Every DocType, report, workspace and workflow of the app is the app's on the site, not a framework record."""
	records = app_records()
	for doctype in ("DocType", "Report", "Workspace"):
		for name in records.get(doctype, ()):
			module = frappe.db.get_value(doctype, name, "module")
			assert module in (None, "CIMS App"), f"{doctype} {name} belongs to {module}"
	for name in records.get("Workflow", ()):
		document_type = frappe.db.get_value("Workflow", name, "document_type")
		assert document_type is None or document_type.startswith("CIMS "), (name, document_type)


def _framework_modules() -> list[str]:
	return frappe.get_all("Module Def", filters={"app_name": "frappe"}, pluck="name")
