"""The site's own automations that run when a record is entered by hand (SPEC §6: an import behaves like
typing the rows in).

Saving a new record through the form (Document.insert) runs, besides the DocType's controller and the
app's own hooks: enabled Server Scripts of type DocType Event (Before Insert / Validate / Save, After
Insert / Save), Notifications on New, Save or a method, Webhooks on after_insert / on_update, the
framework's Assignment Rules, Energy Point Rules and Milestone Trackers, and the document hooks
(`doc_events`) of other installed apps, for the DocType or for "*". The bulk importer writes rows with
multi-row INSERTs, which run none of them; it asks here first, and saves records one by one through
Document.insert when any exists. cims_app's own hooks and the framework's generic "*" handlers (which act
only through the rules listed above) are not automations of the site: the bulk path reproduces the
former and the latter do nothing without a rule.
"""

import frappe
from frappe import _

# Document methods an insert runs, and the names the framework's automations give them.
INSERT_METHODS = (
	"before_insert",
	"before_naming",
	"before_validate",
	"validate",
	"before_save",
	"after_insert",
	"on_update",
	"on_change",
)
SERVER_SCRIPT_EVENTS = ("Before Insert", "Before Validate", "Before Save", "After Insert", "After Save")
NOTIFICATION_EVENTS = ("New", "Save")
WEBHOOK_EVENTS = ("after_insert", "on_update")
OWN_APPS = ("frappe", "cims_app")


def site_automations(doctype: str) -> list[str]:
	"""What would run for a record of `doctype` entered by hand beyond the app itself: a description of each
	automation, [] when there is none (a few indexed queries)."""
	found = []
	if _server_scripts_enabled():
		for name in frappe.get_all(
			"Server Script",
			filters={
				"script_type": "DocType Event",
				"reference_doctype": doctype,
				"doctype_event": ("in", SERVER_SCRIPT_EVENTS),
				"disabled": 0,
			},
			pluck="name",
		):
			found.append(_("Server Script {0}").format(name))
	for row in frappe.get_all(
		"Notification",
		filters={"enabled": 1, "document_type": doctype, "event": ("in", (*NOTIFICATION_EVENTS, "Method"))},
		fields=["name", "event", "method"],
	):
		if row.event != "Method" or row.method in INSERT_METHODS:
			found.append(_("Notification {0}").format(row.name))
	for name in frappe.get_all(
		"Webhook",
		filters={"enabled": 1, "webhook_doctype": doctype, "webhook_docevent": ("in", WEBHOOK_EVENTS)},
		pluck="name",
	):
		found.append(_("Webhook {0}").format(name))
	for name in frappe.get_all(
		"Assignment Rule", filters={"disabled": 0, "document_type": doctype}, pluck="name"
	):
		found.append(_("Assignment Rule {0}").format(name))
	if _energy_points_enabled():
		for name in frappe.get_all(
			"Energy Point Rule", filters={"enabled": 1, "reference_doctype": doctype}, pluck="name"
		):
			found.append(_("Energy Point Rule {0}").format(name))
	for name in frappe.get_all(
		"Milestone Tracker", filters={"disabled": 0, "document_type": doctype}, pluck="name"
	):
		found.append(_("Milestone Tracker {0}").format(name))
	found.extend(_("Document hook {0}").format(handler) for handler in other_apps_hooks(doctype))
	return found


def other_apps_hooks(doctype: str) -> list[str]:
	"""Handlers of other installed apps' doc_events that an insert of `doctype` runs (for it or for "*")."""
	own = set()
	for app in OWN_APPS:
		own.update(_handlers(frappe.get_hooks("doc_events", app_name=app) or {}, doctype))
	return sorted(set(_handlers(frappe.get_doc_hooks(), doctype)) - own)


def _handlers(doc_events: dict, doctype: str) -> list[str]:
	handlers = []
	for key in (doctype, "*"):
		events = doc_events.get(key) or {}
		for method in INSERT_METHODS:
			value = events.get(method) or []
			handlers.extend([value] if isinstance(value, str) else value)
	return handlers


def _server_scripts_enabled() -> bool:
	from frappe.utils import safe_exec

	return safe_exec.is_safe_exec_enabled()


def _energy_points_enabled() -> bool:
	from frappe.social.doctype.energy_point_settings.energy_point_settings import is_energy_point_enabled

	return bool(is_energy_point_enabled())
