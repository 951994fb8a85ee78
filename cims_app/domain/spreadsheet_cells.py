"""Values written into exported spreadsheets: never let a cell become a formula (SPEC §6)."""

# A spreadsheet treats a cell starting with one of these as a formula (or DDE call).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
	"""Prefix a text value that a spreadsheet would run as a formula with an apostrophe; others pass as they are."""
	if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
		return "'" + value
	return value
