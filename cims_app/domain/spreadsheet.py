"""Spreadsheet safety: values that a spreadsheet would run as a formula when a user opens an export."""

# A cell whose text starts with one of these is evaluated as a formula by Excel, LibreOffice or
# Google Sheets (OWASP "CSV injection"); tab and carriage return hide such a prefix in some readers.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISING_PREFIX = "'"


def is_formula_like(value: object) -> bool:
	"""Whether `value` is text a spreadsheet would treat as a formula (numbers never are)."""
	return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise_cell(value: object) -> object:
	"""The value to write into an exported cell: formula-like text gets a leading apostrophe.

	"=HYPERLINK(...)" → "'=HYPERLINK(...)", "-5" (text) → "'-5"; numbers, dates, None and other
	text pass unchanged, so the value a user sees differs only by the apostrophe.
	"""
	return NEUTRALISING_PREFIX + value if is_formula_like(value) else value


def neutralise_rows(rows):
	"""Every row of `rows` (sequences of cell values) with each cell neutralised, as lists."""
	return [[neutralise_cell(value) for value in row] for row in rows]
