"""The site's own automations that run when a record is entered by hand, which a bulk write must run too
(SPEC §6: an import behaves like typing the rows in; the follow-ups a plan creates are new follow-ups like
any other).

Saving a new record through the form (Document.insert) runs, besides the DocType's controller and the
app's own hooks: enabled Server Scripts of type DocType Event (Before Insert / Validate / Save, After
Insert / Save), Notifications on New, Save or a method, Webhooks on after_insert / on_update, the
framework's Assignment Rules, Energy Point Rules and Milestone Trackers, the document hooks (`doc_events`)
of other installed apps, for the DocType or for "*", and its naming (a Document Naming Rule, a series with
parts from the record). The bulk writers (the customer import, the follow-up plans) write rows with
multi-row INSERTs, which run none of them; they ask here first. cims_app's own hooks and the framework's
generic "*" handlers (which act only through the rules listed above) are not automations of the site: the
bulk path reproduces the former and the latter do nothing without a rule.

Automations that act after the record is written (After Insert / After Save scripts, Notifications,
Webhooks, Assignment Rules, Energy Point Rules, Milestone Trackers, other apps' after_insert / on_update /
on_change hooks) are replayed on each record the bulk path wrote (`SiteAutomations.run_after_write`), as
Document.insert runs them after its own write. Those that act before the write (Before Insert / Validate /
Save scripts, other apps' before hooks, the naming) may change, name or refuse the record: with any of
them, records are saved one by one through Document.insert.
"""

import frappe
from frappe import _

from cims_app.db.bulk_insert import default_series, series_takes_record_values

# Document methods an insert runs, and the names the framework's automations give them.
BEFORE_WRITE = ("before_insert", "before_naming", "before_validate", "validate", "before_save")
AFTER_WRITE = ("after_insert", "on_update", "on_change")
INSERT_METHODS = BEFORE_WRITE + AFTER_WRITE
BEFORE_SCRIPT_EVENTS = ("Before Insert", "Before Validate", "Before Save")
SERVER_SCRIPT_EVENTS = (*BEFORE_SCRIPT_EVENTS, "After Insert", "After Save")
NOTIFICATION_EVENTS = ("New", "Save")
WEBHOOK_EVENTS = ("after_insert", "on_update")
OWN_APPS = ("frappe", "cims_app")


def site_automations(doctype: str) -> list[str]:
	"""What would run for a record of `doctype` entered by hand beyond the app itself: a description of each
	automation, [] when there is none (a few indexed queries)."""
	return SiteAutomations(doctype).descriptions


class SiteAutomations:
	"""The site's automations for one DocType, read once for a bulk write (an import run, a plans run)."""

	def __init__(self, doctype: str):
		self.doctype = doctype
		self.found = _automations(doctype)
		self.kinds = {kind for _description, _method, kind in self.found}
		self._calls: dict | None = None

	@property
	def descriptions(self) -> list[str]:
		return [description for description, _method, _kind in self.found]

	@property
	def before_write(self) -> list[str]:
		"""Those that act before a record is written (and may change or refuse it): records of the DocType
		must then be saved one by one."""
		return [
			description
			for description, method, _kind in self.found
			if method in BEFORE_WRITE or method in BEFORE_SCRIPT_EVENTS
		]

	def run_after_write(self, names: list[str]) -> None:
		"""Run the after-write automations on records written in bulk, as Document.insert runs them after its
		own write (after_insert, on_update, on_change): other apps' and the framework's document hooks
		(assignment rules, energy points, milestones), Notifications, Webhooks and Server Scripts. Only the
		kinds the site has are run: cims_app's own hooks, whose work the bulk path did, and the framework's
		generic handlers when no rule of theirs exists for the DocType (they would do nothing) are left out."""
		from frappe.core.doctype.server_script.server_script_utils import run_server_script_for_doc_event
		from frappe.integrations.doctype.webhook import run_webhooks

		if not self.found:
			return
		calls = self._handlers()
		for name in names:
			doc = frappe.get_doc(self.doctype, name)
			for method in AFTER_WRITE:
				for handler in calls[method]:
					handler(doc, method)
				if "notification" in self.kinds:
					doc.run_notifications(method)
				if "webhook" in self.kinds:
					run_webhooks(doc, method)
				if "script" in self.kinds:
					run_server_script_for_doc_event(doc, method)

	def _handlers(self) -> dict[str, list]:
		"""The document hooks to call for each after-write method."""
		if self._calls is None:
			others = set(other_apps_hooks(self.doctype))
			doc_events = frappe.get_doc_hooks()
			self._calls = {
				method: [
					frappe.get_attr(handler)
					for handler in (doc_events.get(self.doctype, {}).get(method) or [])
					+ (doc_events.get("*", {}).get(method) or [])
					if (handler, method) in others or ("rule" in self.kinds and handler.startswith("frappe."))
				]
				for method in AFTER_WRITE
			}
		return self._calls


def _automations(doctype: str) -> list[tuple[str, str, str]]:
	"""(description, the event or method it runs on, its kind) of each automation of the site for
	`doctype`; kinds: script, notification, webhook, rule (assignment, energy point, milestone), hook,
	naming."""
	found = []
	if _server_scripts_enabled():
		for row in frappe.get_all(
			"Server Script",
			filters={
				"script_type": "DocType Event",
				"reference_doctype": doctype,
				"doctype_event": ("in", SERVER_SCRIPT_EVENTS),
				"disabled": 0,
			},
			fields=["name", "doctype_event"],
		):
			found.append((_("Server Script {0}").format(row.name), row.doctype_event, "script"))
	for row in frappe.get_all(
		"Notification",
		filters={"enabled": 1, "document_type": doctype, "event": ("in", (*NOTIFICATION_EVENTS, "Method"))},
		fields=["name", "event", "method"],
	):
		if row.event != "Method" or row.method in INSERT_METHODS:
			method = row.method if row.event == "Method" else "on_update"
			found.append((_("Notification {0}").format(row.name), method, "notification"))
	for name in frappe.get_all(
		"Webhook",
		filters={"enabled": 1, "webhook_doctype": doctype, "webhook_docevent": ("in", WEBHOOK_EVENTS)},
		pluck="name",
	):
		found.append((_("Webhook {0}").format(name), "on_update", "webhook"))
	for name in frappe.get_all(
		"Assignment Rule", filters={"disabled": 0, "document_type": doctype}, pluck="name"
	):
		found.append((_("Assignment Rule {0}").format(name), "on_update", "rule"))
	if _energy_points_enabled():
		for name in frappe.get_all(
			"Energy Point Rule", filters={"enabled": 1, "reference_doctype": doctype}, pluck="name"
		):
			found.append((_("Energy Point Rule {0}").format(name), "on_change", "rule"))
	for name in frappe.get_all(
		"Milestone Tracker", filters={"disabled": 0, "document_type": doctype}, pluck="name"
	):
		found.append((_("Milestone Tracker {0}").format(name), "on_change", "rule"))
	found.extend(
		(_("Document hook {0}").format(handler), method, "hook")
		for handler, method in other_apps_hooks(doctype)
	)
	found.extend(_naming(doctype))
	return found


def _naming(doctype: str) -> list[tuple[str, str, str]]:
	"""How the form would name a new record, where that depends on the record (kind "naming", before the
	write): a Document Naming Rule (its conditions are on the record's fields, and it comes before the
	DocType's own naming), or a default naming series with parts taken from the record."""
	found = [
		(_("Document Naming Rule {0}").format(f"{rule.name} ({rule.prefix})"), "before_naming", "naming")
		for rule in frappe.get_all(
			"Document Naming Rule",
			filters={"document_type": doctype, "disabled": 0},
			fields=["name", "prefix"],
			order_by="priority desc",
		)
	]
	series = default_series(doctype)
	if "#" in series and series_takes_record_values(doctype, series):
		found.append((_("naming series {0}").format(series), "before_naming", "naming"))
	return found


def other_apps_hooks(doctype: str) -> list[tuple[str, str]]:
	"""(handler, method) of other installed apps' doc_events that an insert of `doctype` runs (for it or for
	"*")."""
	own = set()
	for app in OWN_APPS:
		own.update(_handlers(frappe.get_hooks("doc_events", app_name=app) or {}, doctype))
	return sorted(set(_handlers(frappe.get_doc_hooks(), doctype)) - own)


def _handlers(doc_events: dict, doctype: str) -> list[tuple[str, str]]:
	handlers = []
	for key in (doctype, "*"):
		events = doc_events.get(key) or {}
		for method in INSERT_METHODS:
			value = events.get(method) or []
			handlers.extend((handler, method) for handler in ([value] if isinstance(value, str) else value))
	return handlers


def _server_scripts_enabled() -> bool:
	from frappe.utils import safe_exec

	return safe_exec.is_safe_exec_enabled()


def _energy_points_enabled() -> bool:
	from frappe.social.doctype.energy_point_settings.energy_point_settings import is_energy_point_enabled

	return bool(is_energy_point_enabled())
