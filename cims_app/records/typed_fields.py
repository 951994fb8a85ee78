"""Every CIMS record's typed fields are checked before anything uses them: junk is a translated 4xx naming
the field, never a server error.

The framework casts a value to its field type only when it writes the row, after link validation,
permission rules and the controllers' hooks have already used it, and it never checks that the value
fits the column. So a list in a Link, "1e309" in a Currency, "[]" in a Date or a lone surrogate in any
text reached them as TypeError, decimal.InvalidOperation or a MariaDB error (HTTP 500). `TypedFields`,
mixed into every CIMS controller, checks and normalises each field of the record and of its child rows
first thing in insert() and save() (so on every path: form, REST, import, jobs), by the rules of
`cims_app.domain.field_values`, and refuses table values that are not rows as they are set.
"""

import datetime
from collections.abc import Iterable, Mapping

import frappe
from frappe import _
from frappe.model.base_document import BaseDocument
from frappe.model.docstatus import DocStatus
from frappe.utils.nestedset import NestedSet

from cims_app.domain import field_values as rules
from cims_app.domain.errors import RuleViolation
from cims_app.records.validation import rename_legacy_options, violation_message

_TABLE_TYPES = ("Table", "Table MultiSelect")


class TypedFields:
	"""Mixin for CIMS controllers (before Document / NestedSet in the bases)."""

	def insert(self, *args, **kwargs):
		check_field_values(self)
		keep_tree_position(self)
		return super().insert(*args, **kwargs)

	def save(self, *args, **kwargs):
		check_field_values(self)
		keep_tree_position(self)
		return super().save(*args, **kwargs)

	def db_insert(self, *args, **kwargs):
		_check_fields(self, options=False)  # again: what the hooks computed must fit its columns too
		return super().db_insert(*args, **kwargs)

	def db_update(self, *args, **kwargs):
		_check_fields(self, options=False)
		return super().db_update(*args, **kwargs)

	def extend(self, key, value):
		"""Rows of a child table must be rows (dicts or documents), not text or numbers (the framework's
		extend() would iterate a string character by character and fail on each)."""
		if key in self._table_fieldnames:
			value = table_rows(self, key, value)
		return super().extend(key, value)


def table_rows(doc, fieldname: str, value) -> list:
	"""The rows in `value` for a table field, or a ValidationError naming the field."""
	rows = None
	if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping):
		rows = list(value)
	if rows is None or not all(isinstance(row, Mapping | BaseDocument) for row in rows):
		_refuse(doc, fieldname, _("Must be a list of rows"))
	return rows


def keep_tree_position(doc) -> None:
	"""A tree node's lft, rgt and old parent are the tree's own bookkeeping, never taken from the caller:
	the framework trusts them to place the node (given ones skip placing a new node, or fail on None)."""
	if not isinstance(doc, NestedSet):
		return
	fields = ["lft", "rgt", getattr(doc, "nsm_oldparent_field", "old_parent")]
	stored = None if doc.is_new() else frappe.db.get_value(doc.doctype, doc.name, fields, as_dict=True)
	for fieldname in fields:
		doc.set(fieldname, stored.get(fieldname) if stored else None)


def check_field_values(doc) -> None:
	"""Check and normalise the typed fields of `doc` and of its child rows."""
	rename_legacy_options(doc)  # "Call", "Open"...: the English of a renamed option is still accepted
	_check_fields(doc)
	for child in doc.get_all_children():
		if isinstance(child, BaseDocument):
			_check_fields(child)


def _check_fields(doc, options: bool = True) -> None:
	type_map = frappe.db.type_map
	for fieldname, label in (("idx", _("Row Number")), ("docstatus", _("Document Status"))):
		# Standard columns a caller may send too; the framework stores them as it gets them.
		value = doc.get(fieldname)
		if value is None:
			continue
		try:
			checked = rules.int_value(value, fieldname) or 0
		except RuleViolation as error:
			_refuse(doc, fieldname, violation_message(error), label)
		if not isinstance(value, int) or checked != value:
			doc.set(fieldname, DocStatus(checked) if fieldname == "docstatus" else checked)
	for df in doc.meta.fields:
		value = doc.get(df.fieldname)
		if value is None or df.fieldtype in _TABLE_TYPES:
			continue  # (a virtual field is checked too: the framework formats a given value for the Version)
		column = type_map.get(df.fieldtype)
		if not column:
			continue  # layout and display fields have no column
		try:
			checked = _check_value(df, column, value, options)
		except RuleViolation as error:
			_refuse(doc, df.fieldname, violation_message(error))
		if checked is not value:
			doc.set(df.fieldname, checked)


def _check_value(df, column: tuple, value, options: bool = True):
	kind, size = column
	field = df.fieldname
	if df.fieldtype == "Select":
		if not options or frappe.flags.in_import:  # imports skip the options, as the framework's check does
			return rules.text_value(value, field, max_chars=_varchar_length(df, size))
		return rules.choice_value(value, (df.options or "").split("\n"), field, _varchar_length(df, size))
	if kind == "varchar":
		return rules.text_value(value, field, max_chars=_varchar_length(df, size))
	if kind == "text":
		return rules.text_value(value, field, max_bytes=rules.TEXT_BYTES)
	if kind in ("longtext", "json"):
		return value if kind == "json" else rules.text_value(value, field)
	if df.fieldtype == "Check":
		return rules.check_value(value, field)
	if kind in ("int", "bigint"):
		return rules.int_value(value, field, big=kind == "bigint" or int(df.get("length") or 0) > 11)
	if df.fieldtype == "Rating":
		return rules.rating_value(value, field)
	if kind == "decimal":
		return rules.float_value(value, field)
	if kind == "date":
		return _iso(rules.date_value(value, field), value)
	if kind == "datetime":
		return _iso(rules.datetime_value(value, field), value)
	if kind == "time":
		return _iso(rules.time_value(value, field), value)
	return value


def _varchar_length(df, size) -> int:
	return int(df.get("length") or 0) or int(size or 0) or frappe.db.VARCHAR_LEN


def _iso(moment, value):
	"""Text stays text, in the ISO form the database reads; date and time objects stay as they are."""
	if moment is None:
		return None
	if not isinstance(value, str):
		return value
	return moment.isoformat(sep=" ") if isinstance(moment, datetime.datetime) else moment.isoformat()


def _refuse(doc, fieldname: str, message: str, label: str | None = None) -> None:
	label = label or _(doc.meta.get_label(fieldname))
	if doc.get("parentfield") and doc.get("parenttype"):
		table = _(frappe.get_meta(doc.parenttype).get_label(doc.parentfield))
		label = _("{0}, row {1}: {2}").format(table, doc.get("idx") or "", label)
	frappe.throw(
		_("{0}: {1}").format(label, message),
		title=_("Invalid Value"),
		exc=frappe.ValidationError,
	)
