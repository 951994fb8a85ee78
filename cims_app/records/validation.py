"""Apply the pure rules of `cims_app.domain` to documents and turn violations into translated errors."""

from collections.abc import Callable

import frappe
from frappe import _

from cims_app.domain.errors import RuleViolation
from cims_app.domain.vocabulary import LEGACY_FIELDS


def violation_message(error: RuleViolation) -> str:
	return _(error.message).format(*error.params)


def throw_violation(error: RuleViolation, doc=None) -> None:
	"""Refuse the change with the rule's message, prefixed by the field's label when known."""
	message = violation_message(error)
	if doc is not None and error.field and (df := doc.meta.get_field(error.field)):
		message = _("{0}: {1}").format(_(df.label), message)
	frappe.throw(message, title=_("Invalid Value"), exc=frappe.ValidationError)


def run_rule(rule: Callable, *args, doc=None, **kwargs):
	"""Call a domain rule; a violation becomes a translated ValidationError."""
	try:
		return rule(*args, **kwargs)
	except RuleViolation as error:
		throw_violation(error, doc)


def normalise_fields(doc, rules: dict[str, Callable]) -> None:
	"""Replace each non-empty field by its normalised form, refusing invalid values."""
	for fieldname, rule in rules.items():
		value = doc.get(fieldname)
		if value in (None, ""):
			continue
		doc.set(fieldname, run_rule(rule, value, field=fieldname, doc=doc))


def rename_legacy_options(doc, method=None) -> None:
	"""before_validate: the English of a renamed option ("Call", "Open", "Pending"...), sent by an older
	client, a script or an integration, is saved as the option it became, on the document and its rows."""
	for row in (doc, *doc.get_all_children()):
		for fieldname, renames in LEGACY_FIELDS.get(row.doctype, {}).items():
			value = row.get(fieldname)
			if isinstance(value, str) and value in renames:
				row.set(fieldname, renames[value])


def get_setting(fieldname: str, default=None):
	value = frappe.db.get_single_value("CIMS Settings", fieldname)
	return default if value in (None, "") else value
