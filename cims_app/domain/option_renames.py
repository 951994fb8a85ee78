"""Renamed option values inside what sites store about them: saved filters and Select option lists.

A saved filter is the Desk's JSON: a list of `[doctype, fieldname, operator, value, hidden?]` or
`[fieldname, operator, value]` rows, or a dict `{fieldname: value}` / `{fieldname: [operator, value]}`.
"""

from collections.abc import Mapping

# fieldname → {old value: new value}, the shape of cims_app.domain.vocabulary.LEGACY_FIELDS[doctype].
Renames = Mapping[str, Mapping[str, str]]

LIST_OPERATORS = frozenset({"in", "not in"})


def rename_value(value: object, renames: Mapping[str, str], operator: str = "=") -> object:
	"""`value` with every old option replaced: a string, a list of strings, or "a,b" for in / not in."""
	if isinstance(value, str):
		if value in renames:
			return renames[value]
		if operator.lower() in LIST_OPERATORS and "," in value:
			return ",".join(renames.get(part.strip(), part.strip()) for part in value.split(","))
		return value
	if isinstance(value, list | tuple):
		return type(value)(renames.get(item, item) if isinstance(item, str) else item for item in value)
	return value


def _rename_row(row: list, doctype: str, renames: Renames) -> list:
	if len(row) >= 4 and row[0] == doctype and isinstance(row[1], str) and row[1] in renames:
		field, operator = row[1], str(row[2])
		return [*row[:3], rename_value(row[3], renames[field], operator), *row[4:]]
	if len(row) == 3 and isinstance(row[0], str) and row[0] in renames:
		field, operator = row[0], str(row[1])
		return [field, row[1], rename_value(row[2], renames[field], operator)]
	return row


def rename_in_filters(filters: object, doctype: str, renames: Renames) -> object:
	"""Saved `filters` on `doctype` with the old values of its renamed fields replaced."""
	if isinstance(filters, list):
		return [
			_rename_row(list(row), doctype, renames) if isinstance(row, list | tuple) else row
			for row in filters
		]
	if isinstance(filters, dict):
		renamed = {}
		for field, value in filters.items():
			if field in renames and isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
				value = [value[0], rename_value(value[1], renames[field], value[0])]
			elif field in renames:
				value = rename_value(value, renames[field])
			renamed[field] = value
		return renamed
	return filters


def rename_in_options(options: str, renames: Mapping[str, str]) -> str:
	"""A Select field's newline-separated options (or a single default value) with old options replaced."""
	return "\n".join(renames.get(option, option) for option in options.split("\n"))
