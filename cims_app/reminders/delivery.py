"""Every reminder of the app goes out through `send`: a bell, an e-mail, an SMS and a ToDo, each at most once.

One CIMS Reminder Log row per (rule, reference, due moment, recipient) records that a reminder went out;
its unique `dedupe_key` makes a rerun send nothing new. The log rows of a batch and everything they
send (Notification Log, Email Queue, ToDo rows) are written in one transaction and committed together,
so a job killed halfway simply runs again: what was committed is skipped, the rest is sent.
SMS leave after the commit (an SMS cannot be rolled back), through a background job.
"""

import datetime
import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import frappe
from frappe.utils import get_url_to_form, getdate, now_datetime, strip_html

from cims_app.db.bulk_insert import insert_rows
from cims_app.db.bulk_update import update_rows
from cims_app.domain.errors import _
from cims_app.reminders.reader_texts import escape_html, render, translations_cached

BATCH_SIZE = 2000
LOOKUP_CHUNK = 5000


@dataclass
class Reminder:
	"""One reminder to one person about one record.

	`message` is an English template (HTML allowed) filled with `params` after translation into the
	recipient's language; a param that is itself a message (a churn Reason), or a tuple of them, is
	translated too. `todo` opens a ToDo for the recipient: an English template filled with `todo_params`,
	written in the recipient's language. `due` (date or datetime) is part of the once-only key; its date is
	logged.
	A reminder to an outside address (`email_to`, e.g. a contact's greeting) carries its own finished
	`email_subject` and `email_body` and is e-mailed only.
	"""

	rule: str
	reference_doctype: str
	reference_name: str
	due: datetime.date | datetime.datetime
	recipient: str | None = None
	message: str = ""
	params: tuple = ()
	todo: str | None = None
	todo_params: tuple = ()
	todo_date: datetime.date | None = None
	email_to: str | None = None
	email_subject: str | None = None
	email_body: str | None = None

	@functools.cached_property
	def dedupe_key(self) -> str:
		due = self.due.isoformat(sep=" ") if isinstance(self.due, datetime.datetime) else str(self.due)
		who = self.recipient or self.email_to or ""
		parts = (self.rule, self.reference_doctype, self.reference_name, due, who)
		return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


def send(
	reminders: Iterable[Reminder],
	*,
	sms: bool = False,
	commit: bool = True,
	batch_size: int = BATCH_SIZE,
) -> int:
	"""Send the reminders not sent before; return how many were new.

	Bells always; e-mail when an outgoing Email Account exists; SMS (when `sms`) when SMS Settings
	name a gateway. Reminders to disabled or unknown users are dropped. Commits after each batch
	unless `commit` is False.
	"""
	reminders = list({r.dedupe_key: r for r in reminders}.values())
	reminders = _not_sent_before(reminders)
	users = _recipients({r.recipient for r in reminders if r.recipient})
	reminders = [r for r in reminders if r.email_to or r.recipient in users]
	if not reminders:
		return 0
	channels = Channels.detect(sms)
	sent = 0
	with translations_cached():
		for start in range(0, len(reminders), batch_size):
			sent += _send_batch(reminders[start : start + batch_size], users, channels)
			if commit:
				frappe.db.commit()
	return sent


def _not_sent_before(reminders: list[Reminder]) -> list[Reminder]:
	"""Drop the reminders whose key is logged already (a cheap look-up by the unique key, so a rerun
	writes nothing)."""
	logged = set()
	keys = [r.dedupe_key for r in reminders]
	log = frappe.qb.DocType("CIMS Reminder Log")
	for start in range(0, len(keys), LOOKUP_CHUNK):
		chunk = keys[start : start + LOOKUP_CHUNK]
		logged.update(
			frappe.qb.from_(log).select(log.dedupe_key).where(log.dedupe_key.isin(chunk)).run(pluck=True)
		)
	return [r for r in reminders if r.dedupe_key not in logged]


@dataclass
class Channels:
	email: bool
	sms: bool

	@classmethod
	def detect(cls, sms: bool) -> "Channels":
		from frappe.email.doctype.email_account.email_account import EmailAccount

		return cls(
			email=bool(EmailAccount.find_outgoing()),
			sms=sms and bool(frappe.db.get_single_value("SMS Settings", "sms_gateway_url")),
		)


def _recipients(names: set[str]) -> dict[str, frappe._dict]:
	if not names:
		return {}
	default_lang = frappe.db.get_default("lang") or "en"
	rows = frappe.get_all(
		"User",
		filters={"name": ("in", sorted(names)), "enabled": 1},
		fields=["name", "email", "language", "mobile_no"],
	)
	return {row.name: frappe._dict(row, language=row.language or default_lang) for row in rows}


def _send_batch(batch: list[Reminder], users: dict, channels: Channels) -> int:
	"""Log the batch's reminders (INSERT IGNORE: a key logged before, or by a concurrent run, loses) and
	send only those whose log row this call wrote."""
	now = now_datetime()
	by_key = {r.dedupe_key: r for r in batch}
	names = {key: frappe.generate_hash(length=20) for key in by_key}
	logged = insert_rows(
		"CIMS Reminder Log",
		[
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"rule",
			"reference_doctype",
			"reference_name",
			"due_date",
			"recipient",
			"sent_on",
			"dedupe_key",
		],
		[
			(
				names[key],
				now,
				now,
				"Administrator",
				"Administrator",
				r.rule,
				r.reference_doctype,
				r.reference_name,
				getdate(r.due),
				r.recipient,
				now,
				key,
			)
			for key, r in by_key.items()
		],
		ignore_duplicates=True,
	)
	if logged == len(names):  # the usual case: every row went in
		won = set(names.values())
	else:
		log = frappe.qb.DocType("CIMS Reminder Log")
		won = set(
			frappe.qb.from_(log).select(log.name).where(log.name.isin(list(names.values()))).run(pluck=True)
		)
	new = [r for key, r in by_key.items() if names[key] in won]
	if not new:
		return 0

	internal = [r for r in new if r.recipient]
	texts = {id(r): _text(r, users[r.recipient].language) for r in internal}
	_insert_bells(internal, texts, now)
	_insert_todos([r for r in internal if r.todo], users, now)
	if channels.email:
		_queue_digests(internal, texts, users)
		for r in new:
			if r.email_to:
				frappe.sendmail(
					recipients=[r.email_to],
					subject=r.email_subject,
					message=r.email_body,
					reference_doctype=r.reference_doctype,
					reference_name=r.reference_name,
					now=False,
				)
	if channels.sms:
		_queue_sms(internal, texts, users)
	return len(new)


def translate(message: str, lang: str, *params) -> str:
	"""`message` (an English template) in `lang`, filled with `params` (messages among them translated too)."""
	return render(message, params, lang)


def _text(reminder: Reminder, lang: str) -> str:
	return render(reminder.message, reminder.params, lang, escape=escape_html)


def _insert_bells(reminders: list[Reminder], texts: dict, now: datetime.datetime) -> None:
	if not reminders:
		return
	insert_rows(
		"Notification Log",
		[
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"subject",
			"for_user",
			"type",
			"document_type",
			"document_name",
			"read",
		],
		[
			(
				frappe.generate_hash(length=20),
				now,
				now,
				"Administrator",
				"Administrator",
				texts[id(r)],
				r.recipient,
				"Alert",
				r.reference_doctype,
				r.reference_name,
				0,
			)
			for r in reminders
		],
	)
	# What Notification Log.after_insert does per row, once per recipient.
	recipients = sorted({r.recipient for r in reminders})
	settings = frappe.qb.DocType("Notification Settings")
	frappe.qb.update(settings).set(settings.seen, 0).where(settings.name.isin(recipients)).run()
	for user in recipients:
		frappe.publish_realtime("notification", after_commit=True, user=user)


def _insert_todos(reminders: list[Reminder], users: dict, now: datetime.datetime) -> None:
	if not reminders:
		return
	insert_rows(
		"ToDo",
		[
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"status",
			"priority",
			"date",
			"description",
			"reference_type",
			"reference_name",
			"allocated_to",
			"assigned_by",
		],
		[
			(
				frappe.generate_hash(length=10),
				now,
				now,
				"Administrator",
				"Administrator",
				"Open",
				"Medium",
				r.todo_date or getdate(r.due),
				render(r.todo, r.todo_params, users[r.recipient].language, escape=escape_html),
				r.reference_doctype,
				r.reference_name,
				r.recipient,
				"Administrator",
			)
			for r in reminders
		],
	)
	by_doctype = defaultdict(set)
	for r in reminders:
		by_doctype[r.reference_doctype].add(r.reference_name)
	for doctype, names in by_doctype.items():
		refresh_assignments(doctype, names)


def refresh_assignments(doctype: str, names: Iterable[str]) -> None:
	"""Rewrite `_assign` (the list view's "Assigned To") of `names` from their open ToDos, as ToDo.on_update
	does for one document."""
	names = sorted(set(names))
	if not names:
		return
	todo = frappe.qb.DocType("ToDo")
	rows = (
		frappe.qb.from_(todo)
		.select(todo.reference_name, todo.allocated_to)
		.where(
			(todo.reference_type == doctype)
			& todo.reference_name.isin(names)
			& todo.status.notin(["Cancelled", "Closed"])
			& todo.allocated_to.isnotnull()
		)
		.orderby(todo.creation)
	).run()
	assigned = defaultdict(list)
	for name, user in rows:
		if user not in assigned[name]:
			assigned[name].append(user)
	update_rows(
		doctype, ["_assign"], [(name, json.dumps(assigned[name]) if assigned[name] else "") for name in names]
	)


def _queue_digests(reminders: list[Reminder], texts: dict, users: dict) -> None:
	"""One e-mail per recipient per batch, listing its new reminders with links."""
	by_user = defaultdict(list)
	for r in reminders:
		by_user[r.recipient].append(r)
	for user, items in by_user.items():
		info = users[user]
		if not info.email:
			continue
		if len(items) == 1:
			subject = strip_html(texts[id(items[0])])
		else:
			subject = translate(_("{0} new CIMS reminders"), info.language, len(items))
		lines = "".join(
			f'<li><a href="{escape_html(get_url_to_form(r.reference_doctype, r.reference_name))}">'
			f"{texts[id(r)]}</a></li>"
			for r in items
		)
		frappe.sendmail(
			recipients=[info.email],
			subject=subject,
			message=f"<ul>{lines}</ul>",
			reference_doctype=items[0].reference_doctype if len(items) == 1 else None,
			reference_name=items[0].reference_name if len(items) == 1 else None,
			now=False,
		)


def _queue_sms(reminders: list[Reminder], texts: dict, users: dict) -> None:
	by_number = defaultdict(list)
	for r in reminders:
		if number := users[r.recipient].mobile_no:
			by_number[number].append(strip_html(texts[id(r)]))
	for number, lines in by_number.items():
		frappe.enqueue(
			"frappe.core.doctype.sms_settings.sms_settings.send_sms",
			receiver_list=[number],
			msg="\n".join(lines),
			success_msg=False,
			enqueue_after_commit=True,
		)
