"""Write computed values to many rows at once: one UPDATE ... JOIN JSON_TABLE statement per chunk, and the
Version rows that keep those changes in each record's history. (Bulk INSERTs:
cims_app.db.bulk_insert.insert_rows.)

Jobs compute new values in Python with the pure rules of `cims_app.domain` and hand over only the
rows whose values changed; this writes them without a Document per row and without touching
`modified` (the values are derived, as `frappe.db.set_value(..., update_modified=False)` would write).
Every set-based change of a record's fields goes through `record_versions` (or `write_changes`, which
does both), so that it is in the record's history as a framework save would put it (SPEC §1.4).
"""

import datetime
import json
from decimal import Decimal

import frappe
from frappe.utils import escape_html, now_datetime
from frappe.utils.response import json_handler

from cims_app.db.bulk_insert import hash_name, insert_rows

CHUNK_ROWS = 5000
# docstatus and idx are left to the table's default, 0.
VERSION_COLUMNS = ("name", "creation", "modified", "owner", "modified_by", "ref_doctype", "docname", "data")

# JSON_TABLE column types by Frappe fieldtype (anything else is text).
_SQL_TYPES = {
	"Int": "BIGINT",
	"Check": "INT",
	"Currency": "DECIMAL(21,9)",
	"Float": "DECIMAL(21,9)",
	"Percent": "DECIMAL(21,9)",
	"Date": "DATE",
	"Datetime": "DATETIME(6)",
	"Data": "VARCHAR(140)",
	"Link": "VARCHAR(140)",
	"Select": "VARCHAR(140)",
}


def _json_value(value):
	if isinstance(value, datetime.datetime):
		return value.strftime("%Y-%m-%d %H:%M:%S.%f")
	if isinstance(value, datetime.date):
		return value.isoformat()
	if isinstance(value, Decimal):
		return str(value)
	return value


def _sql_type(doctype: str, fieldname: str) -> str:
	field = frappe.get_meta(doctype).get_field(fieldname)
	return _SQL_TYPES.get(field.fieldtype, "LONGTEXT") if field else "LONGTEXT"


def update_rows(doctype: str, fields: list[str], rows: list[tuple]) -> int:
	"""Set `fields` of the rows named by the first item of each tuple in `rows` to the other items.

	`fields` are trusted fieldnames of `doctype` (never user text); returns the number of rows sent.
	"""
	if not rows:
		return 0
	columns = ", ".join(
		["`name` VARCHAR(140) PATH '$[0]'"]
		+ [
			f"`v{index}` {_sql_type(doctype, field)} PATH '$[{index + 1}]'"
			for index, field in enumerate(fields)
		]
	)
	assignments = ", ".join(f"t.`{field}` = v.`v{index}`" for index, field in enumerate(fields))
	query = (
		f"UPDATE `tab{doctype}` t JOIN JSON_TABLE(%s, '$[*]' COLUMNS ({columns})) v "
		f"ON v.`name` = t.`name` SET {assignments}"
	)
	for start in range(0, len(rows), CHUNK_ROWS):
		chunk = rows[start : start + CHUNK_ROWS]
		payload = json.dumps([[_json_value(value) for value in row] for row in chunk], ensure_ascii=False)
		frappe.db.sql(query, (payload,))
	return len(rows)


def write_changes(
	doctype: str, fields: list[str], current: dict, computed: dict, reference: dict | None = None
) -> int:
	"""Write the rows of `computed` whose values differ from `current` (both name -> tuple of values in the
	order of `fields`) and a Version row for each, listing the fields that changed; returns how many rows
	changed."""
	rows = changed_rows(current, computed)
	update_rows(doctype, fields, rows)
	empty = (None,) * len(fields)
	record_versions(
		doctype,
		{
			name: dict(zip(fields, zip(current.get(name, empty), values, strict=True), strict=True))
			for name, *values in rows
		},
		reference,
	)
	return len(rows)


def record_versions(doctype: str, changes: dict[str, dict], reference: dict | None = None) -> int:
	"""One Version row per record for a set-based change, with the `data` a framework save writes
	(frappe.core.doctype.version.version.get_diff), in a few bulk INSERTs.

	`changes` maps a record's name to {fieldname: (old, new)}; fields whose old and new values are the
	same are left out, and a record with nothing left gets no row. `reference` is the framework's
	`updater_reference` ({"doctype", "docname", "label"}: what the change came through, shown in the
	timeline). The Version's owner is the session user (Administrator in scheduled jobs). Returns the
	number of rows written.
	"""
	if not changes:
		return 0
	order = _field_order(doctype)
	now = now_datetime()
	user = frappe.session.user
	# Everything of `data` but "changed" is the same for every row: serialised once.
	rest = {
		"added": [],
		"removed": [],
		"row_changed": [],
		"data_import": None,
		"updater_reference": reference,
	}
	if impersonator := (frappe.session.data or {}).get("impersonated_by"):
		rest["impersonated_by"] = impersonator
	tail = "," + _dumps(rest)[1:]
	rows = []
	for name, fields in changes.items():
		items = (
			sorted(fields.items(), key=lambda item: order.get(item[0], 0))
			if len(fields) > 1
			else fields.items()
		)
		changed = [
			[field, old, new]
			for field, (old, new) in items
			if not (old == new or _comparable(old, exact=True) == _comparable(new, exact=True))
		]
		if changed:
			rows.append(
				(hash_name(), now, now, user, user, doctype, name, '{"changed":' + _dumps(changed) + tail)
			)
	insert_rows("Version", VERSION_COLUMNS, rows)
	return len(rows)


def _dumps(value) -> str:
	"""JSON as frappe.as_json writes a Version's data (dates and times as text, decimals as numbers)."""
	return json.dumps(value, default=_json_default, separators=(",", ":"), ensure_ascii=False)


def _json_default(value):
	if isinstance(value, datetime.date | datetime.time):
		return str(value)
	if isinstance(value, Decimal):
		return float(value)
	return json_handler(value)


def job_reference(method: str) -> dict:
	"""The `updater_reference` of changes a scheduled job makes: its Scheduled Job Type (named as the
	framework names it from the method path) and a label in the site's language (the timeline shows the
	label as stored)."""
	lang = frappe.db.get_default("lang") or "en"
	return {
		"doctype": "Scheduled Job Type",
		"docname": ".".join(method.split(".")[-2:]),
		"label": frappe._("via a scheduled job", lang=lang),
	}


def record_reference(doctype: str, name: str, label: str) -> dict:
	"""The `updater_reference` of changes that come through another record (a contact, a follow-up): the
	timeline links it with `label` as the link's text, unescaped, so the label is escaped here."""
	return {"doctype": doctype, "docname": name, "label": escape_html(label)}


def _field_order(doctype: str) -> dict[str, int]:
	"""Fields in the order of the form, as get_diff lists them."""
	return {df.fieldname: index for index, df in enumerate(frappe.get_meta(doctype).fields)}


def changed_rows(current: dict, computed: dict) -> list[tuple]:
	"""Rows (name, *values) of `computed` whose values differ from `current` (both name -> tuple of values)."""
	return [(name, *values) for name, values in computed.items() if not _same(current.get(name), values)]


def _same(old: tuple | None, new: tuple) -> bool:
	if old is None:
		return False
	if old == new:  # the usual case, and cheap (Decimal("1.5") == 1.5 holds)
		return True
	return all(a == b or _comparable(a) == _comparable(b) for a, b in zip(old, new, strict=True))


def _comparable(value, exact: bool = False):
	"""`value` as compared for a change: empty is None, numbers to 6 places, times to the second (`exact`:
	to the microsecond, as a Version lists them)."""
	if value in (None, ""):
		return None
	if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
		return round(Decimal(str(value)), 6)
	if isinstance(value, datetime.datetime) and not exact:
		return value.replace(microsecond=0)
	return value
