"""Write computed values to many rows at once: one UPDATE ... JOIN JSON_TABLE statement per chunk.
(Bulk INSERTs: cims_app.importer.bulk.insert_rows.)

Jobs compute new values in Python with the pure rules of `cims_app.domain` and hand over only the
rows whose values changed; this writes them without a Document per row and without touching
`modified` (the values are derived, as `frappe.db.set_value(..., update_modified=False)` would write).
"""

import datetime
import json
from decimal import Decimal

import frappe

CHUNK_ROWS = 5000

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


def changed_rows(current: dict, computed: dict) -> list[tuple]:
	"""Rows (name, *values) of `computed` whose values differ from `current` (both name -> tuple of values)."""
	return [(name, *values) for name, values in computed.items() if not _same(current.get(name), values)]


def _same(old: tuple | None, new: tuple) -> bool:
	if old is None:
		return False
	if old == new:  # the usual case, and cheap (Decimal("1.5") == 1.5 holds)
		return True
	return all(a == b or _comparable(a) == _comparable(b) for a, b in zip(old, new, strict=True))


def _comparable(value):
	if value in (None, ""):
		return None
	if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
		return round(Decimal(str(value)), 6)
	if isinstance(value, datetime.datetime):
		return value.replace(microsecond=0)
	return value
