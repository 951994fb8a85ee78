"""Texts written for a reader come out in the reader's language, not the site's (SPEC §1.5).

A text for one person (a bell, an e-mail, an SMS, a ToDo) is rendered in that person's language
(User.language, else the site's) when it is created, by cims_app.reminders.delivery. A text read by many (a
customer's churn reasons) is stored language-neutral, as codes and values
(cims_app.domain.churn.encode_reasons), and rendered when it is read, in the language of whoever reads
it: the customer form's Churn Reasons, the REST resource, the CIMS Churn Risk report.
"""

import contextvars
from collections.abc import Callable, Iterable
from contextlib import contextmanager

import frappe

from cims_app.domain.churn import decode_reasons

LIST_SEPARATOR = "; "
# (template, language) -> translated template, while `translations_cached` is on (None: off).
_translated: contextvars.ContextVar[dict | None] = contextvars.ContextVar("cims_translated", default=None)


@contextmanager
def translations_cached():
	"""Within it, each (template, language) is translated once: a job rendering 100,000 reminders asks the
	framework (and its cache) a handful of times instead of 100,000. Translations saved meanwhile show from
	the next call on."""
	token = _translated.set({})
	try:
		yield
	finally:
		_translated.reset(token)


def translated(message: str, lang: str | None) -> str:
	cache = _translated.get()
	if cache is None:
		return frappe._(message, lang=lang)
	key = (message, lang or getattr(frappe.local, "lang", None))
	if (text := cache.get(key)) is None:
		text = cache[key] = frappe._(message, lang=lang)
	return text


def escape_html(text):
	"""frappe.utils.escape_html (& " ' > < as entities, anything but text unchanged) by C-level replaces,
	about ten times faster on the texts of a batch of reminders."""
	if not isinstance(text, str):
		return text
	return (
		text.replace("&", "&amp;")
		.replace('"', "&quot;")
		.replace("'", "&apos;")
		.replace(">", "&gt;")
		.replace("<", "&lt;")
	)


def render(
	message: str, params: Iterable = (), lang: str | None = None, escape: Callable | None = None
) -> str:
	"""`message` (an English template) in `lang` (the current user's when None), filled with `params`.

	A value that is itself a message (anything with `message` and `params`, such as a churn Reason) is
	rendered in the same language, a tuple or list of them joined with "; "; `escape` (e.g. escape_html)
	is applied to plain text values.
	"""
	values = [_value(param, lang, escape) for param in params]
	return translated(message, lang).format(*values)


def _value(param, lang: str | None, escape: Callable | None):
	if hasattr(param, "message") and hasattr(param, "params"):
		return render(param.message, param.params, lang, escape)
	if isinstance(param, list | tuple):
		return LIST_SEPARATOR.join(str(_value(item, lang, escape)) for item in param)
	if escape and isinstance(param, str):
		return escape(param)
	return param


def churn_reasons_text(stored: str | None, lang: str | None = None, separator: str = "\n") -> str:
	"""A customer's stored churn reasons in `lang` (the reader's when None), one per line.

	Text stored by an older version (already written out) is returned as it is.
	"""
	reasons = decode_reasons(stored)
	if reasons is None:
		return str(stored)
	return separator.join(render(reason.message, reason.params, lang) for reason in reasons)


def reader_languages(users: Iterable[str]) -> dict[str, str]:
	"""User → the language they read in: their own, else the site's, else English (one query)."""
	names = sorted({user for user in users if user})
	if not names:
		return {}
	site = frappe.db.get_default("lang") or "en"
	rows = frappe.get_all("User", filters={"name": ("in", names)}, fields=["name", "language"])
	languages = {row.name: row.language or site for row in rows}
	return {user: languages.get(user, site) for user in names}
