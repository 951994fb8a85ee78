"""Stored values of renamed options take the new English (Call → Phone Call, Open → In Progress, ...).

Options were renamed where the framework's Chinese of the old English read wrong (SPEC §1.5,
cims_app.domain.vocabulary.LEGACY_VALUES). One UPDATE per field moves the records; the Desk's saved
state that names those values follows: workflow actions waiting on an approval, Customize Form
property setters, Kanban columns, number card and dashboard chart filters, Report Builder reports,
saved list filters and each user's last list, report and Kanban filters. Idempotent: a second run finds
no old value.
"""

import json

import frappe
from frappe.query_builder import Case, DocType

from cims_app.domain.option_renames import rename_in_filters, rename_in_options
from cims_app.domain.vocabulary import LEGACY_FIELDS


def execute() -> None:
	for doctype, fields in LEGACY_FIELDS.items():
		if frappe.db.table_exists(doctype):
			rename_column_values(doctype, fields)
	rename_workflow_action_states()
	rename_property_setters()
	rename_kanban_columns()
	for kind, doctype_field, columns in (
		("Number Card", "document_type", ("filters_json", "dynamic_filters_json")),
		("Dashboard Chart", "document_type", ("filters_json", "dynamic_filters_json")),
		("List Filter", "reference_doctype", ("filters",)),
	):
		rename_saved_filters(kind, doctype_field, columns)
	rename_report_builder_filters()
	rename_user_settings_filters()


def rename_column_values(doctype: str, fields: dict[str, dict[str, str]]) -> None:
	"""One set-based UPDATE per table (one pass however many of its columns were renamed): every old value
	of each column becomes its new one."""
	fields = {name: renames for name, renames in fields.items() if frappe.db.has_column(doctype, name)}
	if not fields:
		return
	table = DocType(doctype)
	query, holds_old = frappe.qb.update(table), None
	for fieldname, renames in fields.items():
		column = table[fieldname]
		case = Case()
		for old, new in renames.items():
			case = case.when(column == old, new)
		query = query.set(column, case.else_(column))
		condition = column.isin(list(renames))
		holds_old = condition if holds_old is None else holds_old | condition
	query.where(holds_old).run()


def rename_workflow_action_states() -> None:
	"""Open Workflow Actions of a renamed workflow state (an approval request waiting as "Pending")."""
	action = DocType("Workflow Action")
	for doctype, fields in LEGACY_FIELDS.items():
		state_field = frappe.db.get_value(
			"Workflow", {"document_type": doctype, "is_active": 1}, "workflow_state_field"
		)
		renames = fields.get(state_field or "")
		if not renames:
			continue
		for old, new in renames.items():
			(
				frappe.qb.update(action)
				.set(action.workflow_state, new)
				.where((action.reference_doctype == doctype) & (action.workflow_state == old))
			).run()


def rename_property_setters() -> None:
	"""Options and defaults set in Customize Form on a renamed field."""
	setter = DocType("Property Setter")
	rows = (
		frappe.qb.from_(setter)
		.select(setter.name, setter.doc_type, setter.field_name, setter.value)
		.where(setter.doc_type.isin(list(LEGACY_FIELDS)) & setter.property.isin(["options", "default"]))
	).run(as_dict=True)
	for row in rows:
		renames = LEGACY_FIELDS[row.doc_type].get(row.field_name)
		if renames and row.value and (value := rename_in_options(row.value, renames)) != row.value:
			frappe.db.set_value("Property Setter", row.name, "value", value, update_modified=False)


def rename_kanban_columns() -> None:
	"""Columns of Kanban boards grouped by a renamed field, and the boards' saved filters."""
	for board in frappe.get_all(
		"Kanban Board",
		filters={"reference_doctype": ("in", list(LEGACY_FIELDS))},
		fields=["name", "reference_doctype", "field_name", "filters"],
	):
		renames = LEGACY_FIELDS[board.reference_doctype]
		if column_renames := renames.get(board.field_name):
			column = DocType("Kanban Board Column")
			for old, new in column_renames.items():
				(
					frappe.qb.update(column)
					.set(column.column_name, new)
					.where((column.parent == board.name) & (column.column_name == old))
				).run()
		_save_renamed_json("Kanban Board", board.name, "filters", board.filters, board.reference_doctype)


def rename_saved_filters(kind: str, doctype_field: str, columns: tuple[str, ...]) -> None:
	"""Filters saved on records of `kind` (number cards, charts, list filters) about a renamed field."""
	if not frappe.db.table_exists(kind):
		return
	for row in frappe.get_all(
		kind,
		filters={doctype_field: ("in", list(LEGACY_FIELDS))},
		fields=["name", doctype_field, *columns],
	):
		for column in columns:
			_save_renamed_json(kind, row.name, column, row.get(column), row.get(doctype_field))


def rename_report_builder_filters() -> None:
	"""Report Builder reports saved on a CIMS DocType keep their filters in `json`."""
	for report in frappe.get_all(
		"Report",
		filters={"ref_doctype": ("in", list(LEGACY_FIELDS)), "report_type": "Report Builder"},
		fields=["name", "ref_doctype", "json"],
	):
		settings = _loads(report.json)
		if not isinstance(settings, dict) or "filters" not in settings:
			continue
		filters = rename_in_filters(
			settings["filters"], report.ref_doctype, LEGACY_FIELDS[report.ref_doctype]
		)
		if filters != settings["filters"]:
			settings["filters"] = filters
			frappe.db.set_value("Report", report.name, "json", json.dumps(settings), update_modified=False)


def rename_user_settings_filters() -> None:
	"""Each user's last filters of the list, report and Kanban views of a renamed field's DocType."""
	rows = frappe.db.sql(
		"SELECT `user`, `doctype`, `data` FROM `__UserSettings` WHERE `doctype` IN %(doctypes)s",
		{"doctypes": tuple(LEGACY_FIELDS)},
		as_dict=True,
	)
	for row in rows:
		settings = _loads(row.data)
		if not isinstance(settings, dict):
			continue
		changed = False
		for view in settings.values():
			if isinstance(view, dict) and isinstance(view.get("filters"), list):
				filters = rename_in_filters(view["filters"], row.doctype, LEGACY_FIELDS[row.doctype])
				if filters != view["filters"]:
					view["filters"], changed = filters, True
		if changed:
			frappe.db.sql(
				"UPDATE `__UserSettings` SET `data` = %(data)s WHERE `user` = %(user)s AND `doctype` = %(doctype)s",
				{"data": json.dumps(settings), "user": row.user, "doctype": row.doctype},
			)
	frappe.cache.delete_key("_user_settings")


def _save_renamed_json(kind: str, name: str, column: str, text: str | None, doctype: str) -> None:
	filters = _loads(text)
	if filters is None:
		return
	renamed = rename_in_filters(filters, doctype, LEGACY_FIELDS[doctype])
	if renamed != filters:
		frappe.db.set_value(kind, name, column, json.dumps(renamed), update_modified=False)


def _loads(text: str | None):
	if not text:
		return None
	try:
		return json.loads(text)
	except ValueError:
		return None
