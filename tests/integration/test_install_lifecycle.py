"""Install on a fresh site, migrate twice without changes, uninstall without leaving anything behind.

Runs the real bench commands against a second throwaway site (takes a few minutes).
"""

import json
import os
import subprocess
from pathlib import Path

import frappe
import pytest

pytestmark = pytest.mark.integration

BENCH = Path(os.environ.get("CIMS_BENCH_PATH", ""))
ROLES = [
	"CIMS Sales Rep",
	"CIMS Sales Manager",
	"CIMS Department Head",
	"CIMS Customer Service",
	"CIMS Marketing",
	"CIMS Data Analyst",
]

# What install and migrate produce, read in one connection: masters, roles, custom fields, permissions.
STATE_SQL = {
	"doctypes": "select name from tabDocType where module='CIMS App' order by name",
	"roles": "select name from tabRole where name like 'CIMS %%' order by name",
	"custom_fields": "select name, fieldtype, insert_after from `tabCustom Field` where module='CIMS App' order by name",
	"contact_perms": "select role, permlevel, `read`, `write`, `create`, `export` from `tabCustom DocPerm` where parent='Contact' order by role, permlevel",
	"industries": "select name, parent_cims_industry, lft, rgt from `tabCIMS Industry` order by name",
	"regions": "select name, parent_cims_region, lft, rgt from `tabCIMS Region` order by name",
	"sources": "select name, source_group from `tabCIMS Customer Source` order by name",
	"stages": "select name, sequence, probability, stale_after_days from `tabCIMS Sales Stage` order by sequence",
	"tags": "select name from tabTag where name in ('高潜力客户','投诉风险客户','年度VIP','高意向','低价值线索') order by name",
	"templates": "select name from `tabCIMS Follow-Up Template` order by name",
}
AFTER_UNINSTALL_SQL = {
	"doctypes": "select name from tabDocType where module='CIMS App' or name like 'CIMS %%'",
	"roles": "select name from tabRole where name like 'CIMS %%'",
	"custom_fields": "select name from `tabCustom Field` where module='CIMS App' or fieldname like 'cims\\_%%'",
	"custom_perms": "select name from `tabCustom DocPerm` where role like 'CIMS %%'",
	"has_role": "select name from `tabHas Role` where role like 'CIMS %%'",
	"module": "select name from `tabModule Def` where app_name='cims_app'",
	"tables": "select table_name from information_schema.tables where table_schema=database() and table_name like 'tabCIMS %%'",
	"contact_columns": "select column_name from information_schema.columns where table_schema=database() and table_name in ('tabContact', 'tabUser') and column_name like 'cims\\_%%'",
}


def bench(*args: str, site: str | None = None) -> str:
	command = [str(BENCH / "env" / "bin" / "python"), "-m", "frappe.utils.bench_helper", "frappe"]
	if site:
		command += ["--site", site]
	result = subprocess.run(
		[*command, *args], cwd=BENCH / "sites", capture_output=True, text=True, timeout=900, check=False
	)
	assert result.returncode == 0, (
		f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
	)
	return result.stdout


def read_state(site: str, queries: dict[str, str]) -> dict:
	script = (
		"import frappe, json, sys\n"
		"queries = json.loads(sys.argv[1])\n"
		"print(json.dumps({k: [list(r) for r in frappe.db.sql(q)] for k, q in queries.items()}, default=str))\n"
	)
	command = [str(BENCH / "env" / "bin" / "python"), "-c", _RUNNER, site, script, json.dumps(queries)]
	result = subprocess.run(
		command, cwd=BENCH / "sites", capture_output=True, text=True, timeout=300, check=False
	)
	assert result.returncode == 0, result.stderr[-3000:]
	return json.loads(result.stdout.strip().splitlines()[-1])


_RUNNER = (
	"import sys, frappe\n"
	"site, script = sys.argv[1], sys.argv[2]\n"
	"sys.argv = [sys.argv[0], *sys.argv[3:]]\n"
	"frappe.init(site=site, sites_path='.')\n"
	"frappe.connect()\n"
	"try:\n"
	"    exec(script)\n"
	"finally:\n"
	"    frappe.destroy()\n"
)


@pytest.fixture(scope="module")
def fresh_site():
	conf = json.loads((BENCH / "sites" / "common_site_config.json").read_text())
	name = f"cims-install-{frappe.generate_hash(length=6)}.localhost"
	root_password = conf.get("root_password") or os.environ.get("CIMS_DB_ROOT_PASSWORD", "")
	bench("new-site", name, "--admin-password", "admin", "--db-root-password", root_password)
	yield name
	bench("drop-site", name, "--db-root-password", root_password, "--force", "--no-backup")


def test_install_migrate_twice_and_uninstall_leave_site_clean(fresh_site):
	bench("install-app", "cims_app", site=fresh_site)
	installed = read_state(fresh_site, STATE_SQL)
	assert len(installed["doctypes"]) >= 20
	assert [r[0] for r in installed["roles"]] == sorted(ROLES)
	assert {r[0] for r in installed["custom_fields"]} >= {
		"Contact-cims_birthday",
		"Contact-cims_wechat",
		"Contact-cims_contact_role",
		"Contact-cims_is_key_contact",
		"Contact-cims_verified_on",
		"Contact-cims_verified_by",
		"User-cims_valid_until",
	}
	assert [r[0] for r in installed["stages"]] == [
		"线索获取",
		"初步接触",
		"需求分析",
		"方案提交",
		"商务谈判",
		"成交",
		"售后跟进",
	]
	assert [r[3] for r in installed["stages"] if r[0] == "方案提交"] == [7]
	assert len(installed["tags"]) == 5
	assert {r[0] for r in installed["contact_perms"]} >= set(ROLES)

	bench("migrate", site=fresh_site)
	bench("migrate", site=fresh_site)
	assert read_state(fresh_site, STATE_SQL) == installed, (
		"migrate must neither duplicate nor change seeded records"
	)

	bench("uninstall-app", "cims_app", "--yes", "--no-backup", "--force", site=fresh_site)
	leftovers = read_state(fresh_site, AFTER_UNINSTALL_SQL)
	assert leftovers == {key: [] for key in AFTER_UNINSTALL_SQL}, leftovers


# What belongs to the framework or other apps and must come out of install + uninstall as it went in.
FOREIGN_STATE_SQL = {
	"probe_contacts": "select name, first_name, mobile_no, modified from tabContact where first_name = 'Coexist Probe' order by name",
	"probe_users": "select name, enabled, language, modified from tabUser where name = 'coexist-probe@example.com'",
	"foreign_perms": "select parent, role, permlevel, `read`, `write`, `create`, `delete`, `export` from `tabCustom DocPerm` where role not like 'CIMS %%' order by parent, role, permlevel",
	"property_setters": "select name, value from `tabProperty Setter` where ifnull(module, '') != 'CIMS App' order by name",
	"foreign_custom_fields": "select name from `tabCustom Field` where ifnull(module, '') != 'CIMS App' order by name",
	"contact_columns": "select column_name from information_schema.columns where table_schema=database() and table_name in ('tabContact', 'tabUser') order by table_name, column_name",
	"roles": "select name from tabRole where name not like 'CIMS %%' order by name",
	"framework_workflow_states": "select name from `tabWorkflow State` where name in ('Pending', 'Approved', 'Rejected') order by name",
	"framework_workflow_actions": "select name from `tabWorkflow Action Master` where name in ('Approve', 'Reject', 'Review') order by name",
}
SEED_FOREIGN_RECORDS = """
from frappe.permissions import add_permission, update_permission_property
if not frappe.db.exists("User", "coexist-probe@example.com"):
    frappe.get_doc({"doctype": "User", "email": "coexist-probe@example.com", "first_name": "Coexist", "send_welcome_email": 0}).insert(ignore_permissions=True)
if not frappe.db.exists("Contact", {"first_name": "Coexist Probe"}):
    frappe.get_doc({"doctype": "Contact", "first_name": "Coexist Probe", "phone_nos": [{"phone": "+1 555 0100", "is_primary_mobile_no": 1}]}).insert(ignore_permissions=True)
add_permission("Contact", "Blogger", 0)
update_permission_property("Contact", "Blogger", 0, "write", 1, validate=False)
frappe.make_property_setter({"doctype": "Contact", "fieldname": "company_name", "property": "bold", "value": "1", "property_type": "Check"})
frappe.db.commit()
print("{}")
"""


def test_install_and_uninstall_leave_other_apps_records_untouched(fresh_site):
	"""Contacts, users, other roles' Custom DocPerms, property setters and custom fields of others survive."""
	if read_state(fresh_site, {"apps": "select app_name from `tabInstalled Application`"})["apps"].count(
		["cims_app"]
	):
		bench("uninstall-app", "cims_app", "--yes", "--no-backup", "--force", site=fresh_site)
	command = [str(BENCH / "env" / "bin" / "python"), "-c", _RUNNER, fresh_site, SEED_FOREIGN_RECORDS]
	seeded = subprocess.run(
		command, cwd=BENCH / "sites", capture_output=True, text=True, timeout=300, check=False
	)
	assert seeded.returncode == 0, seeded.stderr[-3000:]
	before = read_state(fresh_site, FOREIGN_STATE_SQL)
	assert before["probe_contacts"] and before["probe_users"] and before["property_setters"]
	assert any(row[1] == "Blogger" for row in before["foreign_perms"])

	bench("install-app", "cims_app", site=fresh_site)
	bench("uninstall-app", "cims_app", "--yes", "--no-backup", "--force", site=fresh_site)

	after = read_state(fresh_site, FOREIGN_STATE_SQL)
	changed = {key: (before[key], after[key]) for key in FOREIGN_STATE_SQL if before[key] != after[key]}
	assert not changed, changed
