"""The patch that moves stored option values to their new English, on a site still holding the old ones.

Rows are written straight into the tables, as a site migrated from an older cims_app holds them (no
controller would accept the old values any more), then cims_app.patches.v0_1.rename_option_values runs.
"""

import json

import frappe
import pytest
from frappe.utils import now_datetime

from cims_app.domain.vocabulary import LEGACY_FIELDS
from cims_app.patches.v0_1 import rename_option_values
from tests.integration.support import unique_suffix

pytestmark = pytest.mark.integration


def raw_row(doctype: str, **values) -> str:
	"""Insert a row without the controller (uncommitted); returns its name."""
	name = values.pop("name", None) or f"legacy-{unique_suffix()}"
	now = now_datetime()
	row = {"name": name, "creation": now, "modified": now, "owner": "Administrator", **values}
	columns = ", ".join(f"`{column}`" for column in row)
	placeholders = ", ".join(f"%({column})s" for column in row)
	frappe.db.sql(f"INSERT INTO `tab{doctype}` ({columns}) VALUES ({placeholders})", row)
	return name


@pytest.fixture
def old_site():
	"""One row per old value of every renamed field, and the Desk's saved state naming old values."""
	rows = []
	for doctype, fields in LEGACY_FIELDS.items():
		for fieldname, renames in fields.items():
			for old, new in renames.items():
				rows.append((doctype, fieldname, raw_row(doctype, **{fieldname: old}), old, new))
	saved = frappe._dict(
		card=raw_row(
			"Number Card",
			label=f"旧卡片{unique_suffix()}",
			type="Document Type",
			document_type="CIMS Opportunity",
			function="Count",
			filters_json=json.dumps([["CIMS Opportunity", "status", "=", "Open", False]]),
			dynamic_filters_json="[]",
		),
		chart=raw_row(
			"Dashboard Chart",
			chart_name=f"旧图表{unique_suffix()}",
			chart_type="Count",
			document_type="CIMS Follow-Up",
			filters_json=json.dumps([["CIMS Follow-Up", "follow_up_type", "in", ["Call", "Meeting"], False]]),
		),
		list_filter=raw_row(
			"List Filter",
			filter_name="未取消的电话",
			reference_doctype="CIMS Follow-Up",
			filters=json.dumps([["CIMS Follow-Up", "status", "!=", "Cancelled"], ["result", "=", "Pending"]]),
		),
		report=raw_row(
			"Report",
			report_name=f"旧报表{unique_suffix()}",
			ref_doctype="CIMS Campaign",
			report_type="Report Builder",
			module="CIMS App",
			is_standard="No",
			json=json.dumps({"filters": [["CIMS Campaign", "campaign_type", "=", "Online"]], "columns": []}),
		),
		board=raw_row(
			"Kanban Board",
			kanban_board_name=f"机会看板{unique_suffix()}",
			reference_doctype="CIMS Opportunity",
			field_name="status",
			filters=json.dumps([["CIMS Opportunity", "status", "!=", "Lost"]]),
		),
		setter=raw_row(
			"Property Setter",
			doctype_or_field="DocField",
			doc_type="CIMS Follow-Up",
			field_name="follow_up_type",
			property="options",
			property_type="Text",
			value="Call\nVisit\nEmail\nMeeting",
		),
		workflow_action=raw_row(
			"Workflow Action",
			reference_doctype="CIMS Approval Request",
			reference_name="legacy-request",
			workflow_state="Pending",
			status="Open",
		),
		user=f"legacy-{unique_suffix()}@example.com",
	)
	saved.columns = [
		raw_row(
			"Kanban Board Column",
			parent=saved.board,
			parenttype="Kanban Board",
			parentfield="columns",
			column_name=value,
			idx=idx,
		)
		for idx, value in enumerate(("Open", "Won", "Lost"), 1)
	]
	frappe.db.sql(
		"INSERT INTO `__UserSettings` (`user`, `doctype`, `data`) VALUES (%s, %s, %s)",
		(
			saved.user,
			"CIMS Follow-Up",
			json.dumps({"List": {"filters": [["CIMS Follow-Up", "follow_up_type", "=", "Visit", False]]}}),
		),
	)
	return frappe._dict(rows=rows, saved=saved)


def stored_values(rows) -> list[tuple]:
	return [
		(doctype, fieldname, frappe.db.get_value(doctype, name, fieldname))
		for doctype, fieldname, name, _old, _new in rows
	]


def saved_state(saved) -> dict:
	return {
		"card": json.loads(frappe.db.get_value("Number Card", saved.card, "filters_json")),
		"chart": json.loads(frappe.db.get_value("Dashboard Chart", saved.chart, "filters_json")),
		"list_filter": json.loads(frappe.db.get_value("List Filter", saved.list_filter, "filters")),
		"report": json.loads(frappe.db.get_value("Report", saved.report, "json"))["filters"],
		"board": json.loads(frappe.db.get_value("Kanban Board", saved.board, "filters")),
		"columns": [
			frappe.db.get_value("Kanban Board Column", name, "column_name") for name in saved.columns
		],
		"setter": frappe.db.get_value("Property Setter", saved.setter, "value"),
		"workflow_action": frappe.db.get_value("Workflow Action", saved.workflow_action, "workflow_state"),
		"user_settings": json.loads(
			frappe.db.sql("SELECT `data` FROM `__UserSettings` WHERE `user` = %s", saved.user)[0][0]
		)["List"]["filters"],
	}


def test_every_stored_old_value_takes_its_new_option(old_site):
	assert len(old_site.rows) == sum(len(r) for f in LEGACY_FIELDS.values() for r in f.values())
	rename_option_values.execute()
	assert stored_values(old_site.rows) == [
		(doctype, fieldname, new) for doctype, fieldname, _name, _old, new in old_site.rows
	]
	for doctype, fields in LEGACY_FIELDS.items():
		for fieldname, renames in fields.items():
			assert not frappe.db.exists(doctype, {fieldname: ("in", list(renames))}), (doctype, fieldname)


def test_saved_filters_kanban_columns_customisations_and_waiting_actions_follow(old_site):
	rename_option_values.execute()
	assert saved_state(old_site.saved) == {
		"card": [["CIMS Opportunity", "status", "=", "In Progress", False]],
		"chart": [["CIMS Follow-Up", "follow_up_type", "in", ["Phone Call", "Meeting"], False]],
		"list_filter": [["CIMS Follow-Up", "status", "!=", "Called Off"], ["result", "=", "Needs Follow-Up"]],
		"report": [["CIMS Campaign", "campaign_type", "=", "Online Event"]],
		"board": [["CIMS Opportunity", "status", "!=", "Lost"]],
		"columns": ["In Progress", "Won", "Lost"],
		"setter": "Phone Call\nCustomer Visit\nE-mail\nMeeting",
		"workflow_action": "Pending Approval",
		"user_settings": [["CIMS Follow-Up", "follow_up_type", "=", "Customer Visit", False]],
	}


def test_a_second_run_changes_nothing(old_site):
	rename_option_values.execute()
	values, state = stored_values(old_site.rows), saved_state(old_site.saved)
	modified = frappe.db.get_value("Number Card", old_site.saved.card, "modified")
	rename_option_values.execute()
	assert stored_values(old_site.rows) == values
	assert saved_state(old_site.saved) == state
	assert frappe.db.get_value("Number Card", old_site.saved.card, "modified") == modified


def test_values_other_than_the_old_ones_are_left_alone(old_site):
	kept = raw_row("CIMS Follow-Up", follow_up_type="Meeting", status="Completed", result="Success")
	rename_option_values.execute()
	assert frappe.db.get_value("CIMS Follow-Up", kept, ["follow_up_type", "status", "result"]) == (
		"Meeting",
		"Completed",
		"Success",
	)


def test_the_patch_is_listed_to_run_on_migrate():
	patches = (frappe.get_app_path("cims_app", "patches.txt"),)
	with open(patches[0]) as handle:
		assert "cims_app.patches.v0_1.rename_option_values" in handle.read().split()
