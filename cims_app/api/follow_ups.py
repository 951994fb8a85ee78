"""Follow-up views: the customer form's follow-up timeline and the follow-up calendar.

Both read through frappe.get_list, so the row-level rules of CIMS Follow-Up apply to whoever asks.
"""

import datetime

import frappe
from frappe import _
from frappe.utils import get_datetime, getdate, now_datetime, strip_html

FOLLOW_UP = "CIMS Follow-Up"
WHEN = "ifnull(`tabCIMS Follow-Up`.`completed_on`, `tabCIMS Follow-Up`.`scheduled_on`)"
EXCERPT_CHARS = 140
STATUS_COLOURS = {"Planned": "#2490ef", "Completed": "#29cd42", "Called Off": "#98a1a9"}
OVERDUE_COLOUR = "#e24c4c"
CALENDAR_MINUTES = 30


@frappe.whitelist()
def get_timeline(
	customer: str,
	from_date: str | None = None,
	to_date: str | None = None,
	assigned_to: str | None = None,
	status: str | None = None,
	limit: int = 100,
) -> dict:
	"""The customer's follow-ups, latest first, filtered by date (completed, else scheduled), owner and
	status; with the owners found on the customer's follow-ups for the filter."""
	frappe.has_permission("CIMS Customer", "read", customer, throw=True)
	filters = [[FOLLOW_UP, "customer", "=", customer]]
	if status:
		filters.append([FOLLOW_UP, "status", "=", status])
	if assigned_to:
		filters.append([FOLLOW_UP, "assigned_to", "=", assigned_to])
	if from_date:
		filters.append([FOLLOW_UP, WHEN, ">=", get_datetime(getdate(from_date))])
	if to_date:
		filters.append([FOLLOW_UP, WHEN, "<", get_datetime(getdate(to_date) + datetime.timedelta(days=1))])
	rows = frappe.get_list(
		FOLLOW_UP,
		filters=filters,
		fields=[
			"name",
			"status",
			"follow_up_type",
			"scheduled_on",
			"completed_on",
			"assigned_to",
			"result",
			"customer_feedback",
			"content",
			"next_action",
			"stage_after",
		],
		order_by=f"{WHEN} desc",
		limit_page_length=max(1, min(int(limit or 100), 500)),
	)
	now = now_datetime()
	for row in rows:
		row.when = row.completed_on or row.scheduled_on
		row.overdue = row.status == "Planned" and row.scheduled_on and get_datetime(row.scheduled_on) < now
		row.content = _excerpt(row.content)
		row.assigned_to_name = frappe.utils.get_fullname(row.assigned_to) if row.assigned_to else ""
	owners = frappe.get_list(
		FOLLOW_UP,
		filters={"customer": customer, "assigned_to": ("is", "set")},
		fields=["assigned_to"],
		group_by="assigned_to",
		order_by="assigned_to asc",
		pluck="assigned_to",
	)
	return {"items": rows, "owners": [{"value": o, "label": frappe.utils.get_fullname(o)} for o in owners]}


def _excerpt(html: str | None) -> str:
	text = " ".join(strip_html(html or "").split())
	return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


@frappe.whitelist()
def get_events(start: str, end: str, filters: str | list | None = None) -> list[dict]:
	"""Follow-ups scheduled between `start` and `end` for the calendar view, coloured by status (planned
	ones past due in red), titled with their type and customer."""
	filters = frappe.parse_json(filters) if filters else []
	filters = [*filters, [FOLLOW_UP, "scheduled_on", "between", [get_datetime(start), get_datetime(end)]]]
	rows = frappe.get_list(
		FOLLOW_UP,
		filters=filters,
		fields=["name", "scheduled_on", "customer", "customer_name", "follow_up_type", "status"],
		order_by="scheduled_on asc",
		limit_page_length=0,
	)
	now = now_datetime()
	events = []
	for row in rows:
		starts_on = get_datetime(row.scheduled_on)
		overdue = row.status == "Planned" and starts_on < now
		events.append(
			{
				"name": row.name,
				"scheduled_on": row.scheduled_on,
				"ends_on": starts_on + datetime.timedelta(minutes=CALENDAR_MINUTES),
				"title": f"{_(row.follow_up_type)} · {row.customer_name or row.customer}",
				"status": row.status,
				"color": OVERDUE_COLOUR if overdue else STATUS_COLOURS.get(row.status),
				"allDay": 0,
			}
		)
	return events
