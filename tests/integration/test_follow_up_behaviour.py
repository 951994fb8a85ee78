"""What saving a follow-up does: status moves, completion rules, the next follow-up with its Event and
ToDo, the customer's follow-up dates, stage_after, templates, the timeline and the calendar."""

import datetime

import frappe
import pytest
from frappe.utils import get_datetime

from cims_app.api.follow_ups import get_events, get_timeline
from cims_app.records.approvals import execute_deletion
from tests.integration.job_support import (
	GOOD_CONTENT,
	commits,  # autouse fixture: job commits become savepoints
	completed_follow_up,
	customer_with,
	frozen_clock,
	make_follow_up,
	make_user,
	open_todos,
)
from tests.integration.support import make_customer

# Microseconds set: Frappe's "modified" check compares text, and a whole second renders without them.
NOW = datetime.datetime(2026, 6, 15, 10, 0, 0, 250000)


def complete(doc, **values):
	doc.update({"status": "Completed", "content": GOOD_CONTENT, "next_action": "发送技术方案", **values})
	doc.save()
	return doc


def delete(follow_up: str) -> None:
	"""Delete as an approved deletion request does when it goes through the document (on_trash runs)."""
	frappe.delete_doc(
		"CIMS Follow-Up", follow_up, ignore_permissions=True, force=True, flags={"cims_approved_delete": True}
	)


def linked_events(follow_up: str) -> list:
	parents = frappe.get_all(
		"Event Participants",
		filters={"reference_doctype": "CIMS Follow-Up", "reference_docname": follow_up},
		pluck="parent",
	)
	return frappe.get_all(
		"Event",
		filters={"name": ("in", parents or [""])},
		fields=["name", "starts_on", "status", "owner", "event_type"],
	)


def customer_dates(customer: str):
	return frappe.db.get_value("CIMS Customer", customer, ["last_follow_up_on", "next_follow_up_on"])


# Status moves


def test_planned_follow_up_is_completed_with_content_and_next_action():
	customer = make_customer()
	follow_up = complete(make_follow_up(customer.name))
	assert follow_up.status == "Completed"
	assert follow_up.completed_on


def test_planned_follow_up_can_be_cancelled():
	follow_up = make_follow_up(make_customer().name)
	follow_up.status = "Called Off"
	follow_up.save()
	assert frappe.db.get_value("CIMS Follow-Up", follow_up.name, "status") == "Called Off"


@pytest.mark.parametrize(
	("closed_as", "moved_to"),
	[
		("Completed", "Planned"),
		("Completed", "Called Off"),
		("Called Off", "Planned"),
		("Called Off", "Completed"),
	],
)
def test_closed_follow_up_cannot_move_to_another_status(closed_as, moved_to):
	follow_up = make_follow_up(make_customer().name)
	if closed_as == "Completed":
		complete(follow_up)
	else:
		follow_up.status = "Called Off"
		follow_up.save()
	follow_up.reload()
	follow_up.update({"status": moved_to, "content": GOOD_CONTENT, "next_action": "再次联系"})
	with pytest.raises(frappe.ValidationError, match="cannot be reopened"):
		follow_up.save()


# Completion rules


def test_completing_needs_content_of_the_configured_minimum_length():
	frappe.db.set_single_value("CIMS Settings", "follow_up_min_content_length", 20)
	customer = make_customer().name
	too_short = "客户确认了报价方案，下周安排技术交流会"  # 19 characters
	with pytest.raises(frappe.ValidationError, match="at least 20 characters, it has 19"):
		complete(make_follow_up(customer), content=too_short)
	assert complete(make_follow_up(customer), content=too_short + "议").status == "Completed"


def test_completing_without_next_action_is_refused():
	with pytest.raises(frappe.ValidationError, match="Next action is required"):
		complete(make_follow_up(make_customer().name), next_action="")


def test_vague_content_is_refused_on_completion():
	with pytest.raises(frappe.ValidationError, match="too vague"):
		complete(make_follow_up(make_customer().name), content="没问题没问题没问题没问题")


# Next follow-up, Event and ToDo


def test_next_follow_up_on_creates_one_planned_follow_up_an_event_and_a_todo_for_its_owner():
	rep = make_user()
	customer = make_customer(account_manager=rep)
	with frozen_clock(NOW):
		follow_up = make_follow_up(customer.name, assigned_to=rep)
		complete(follow_up, next_follow_up_on=NOW + datetime.timedelta(days=7))
		follow_up.save()  # saving again creates nothing more

	planned = frappe.get_all(
		"CIMS Follow-Up",
		filters={"previous_follow_up": follow_up.name},
		fields=["name", "status", "scheduled_on", "assigned_to", "customer"],
	)
	assert len(planned) == 1
	assert planned[0].status == "Planned"
	assert get_datetime(planned[0].scheduled_on) == NOW + datetime.timedelta(days=7)
	assert planned[0].assigned_to == rep

	events = linked_events(planned[0].name)
	assert len(events) == 1
	assert get_datetime(events[0].starts_on) == NOW + datetime.timedelta(days=7)
	assert (events[0].owner, events[0].event_type, events[0].status) == (rep, "Private", "Open")
	customer_participant = frappe.get_all(
		"Event Participants",
		filters={"parent": events[0].name, "reference_doctype": "CIMS Customer"},
		pluck="reference_docname",
	)
	assert customer_participant == [customer.name]

	todos = open_todos(planned[0].name)
	assert len(todos) == 1
	assert todos[0].allocated_to == rep
	assert todos[0].reference_type == "CIMS Follow-Up"
	assert todos[0].date == (NOW + datetime.timedelta(days=7)).date()
	assert "发送技术方案" in todos[0].description


def test_changing_next_follow_up_on_moves_the_planned_follow_up_its_event_and_todo():
	customer = make_customer()
	with frozen_clock(NOW):
		follow_up = complete(
			make_follow_up(customer.name), next_follow_up_on=NOW + datetime.timedelta(days=7)
		)
		follow_up.next_follow_up_on = NOW + datetime.timedelta(days=9)
		follow_up.save()
	planned = frappe.get_all("CIMS Follow-Up", filters={"previous_follow_up": follow_up.name}, pluck="name")
	assert len(planned) == 1
	moved_to = NOW + datetime.timedelta(days=9)
	assert get_datetime(frappe.db.get_value("CIMS Follow-Up", planned[0], "scheduled_on")) == moved_to
	assert get_datetime(linked_events(planned[0])[0].starts_on) == moved_to
	assert open_todos(planned[0])[0].date == moved_to.date()


def test_next_follow_up_on_before_the_follow_up_is_refused():
	with frozen_clock(NOW), pytest.raises(frappe.ValidationError, match="must be later"):
		complete(make_follow_up(make_customer().name), next_follow_up_on=NOW - datetime.timedelta(hours=1))


@pytest.mark.parametrize(
	("closed_as", "event_status"), [("Completed", "Completed"), ("Called Off", "Cancelled")]
)
def test_closing_the_planned_follow_up_closes_its_todo_and_event(closed_as, event_status):
	customer = make_customer()
	with frozen_clock(NOW):
		first = complete(make_follow_up(customer.name), next_follow_up_on=NOW + datetime.timedelta(days=3))
	planned = frappe.get_doc("CIMS Follow-Up", {"previous_follow_up": first.name})
	with frozen_clock(NOW + datetime.timedelta(days=3)):
		if closed_as == "Completed":
			complete(planned)
		else:
			planned.status = "Called Off"
			planned.save()
	assert open_todos(planned.name) == []
	assert linked_events(planned.name)[0].status == event_status


# Customer follow-up dates


def test_customer_follow_up_dates_follow_every_insert_edit_cancel_and_delete():
	customer = make_customer().name
	with frozen_clock(NOW):
		done = completed_follow_up(customer, completed_on=NOW - datetime.timedelta(days=2))
		soon = make_follow_up(customer, scheduled_on=NOW + datetime.timedelta(days=1))
		later = make_follow_up(customer, scheduled_on=NOW + datetime.timedelta(days=5))
	assert customer_dates(customer) == (NOW - datetime.timedelta(days=2), NOW + datetime.timedelta(days=1))

	soon.scheduled_on = NOW + datetime.timedelta(days=8)  # edit: `later` is now the next one
	soon.save()
	assert customer_dates(customer)[1] == NOW + datetime.timedelta(days=5)

	later.status = "Called Off"  # cancel
	later.save()
	assert customer_dates(customer)[1] == NOW + datetime.timedelta(days=8)

	with frozen_clock(NOW + datetime.timedelta(days=8)):
		complete(soon)  # complete: nothing planned any more
	assert customer_dates(customer) == (NOW + datetime.timedelta(days=8), None)

	delete(soon.name)  # delete
	assert customer_dates(customer) == (NOW - datetime.timedelta(days=2), None)
	execute_deletion("CIMS Follow-Up", done.name)  # the approved-deletion path
	assert customer_dates(customer) == (None, None)


def test_moving_a_follow_up_to_another_customer_refreshes_both_customers():
	first, second = make_customer().name, make_customer().name
	with frozen_clock(NOW):
		follow_up = make_follow_up(first, scheduled_on=NOW + datetime.timedelta(days=1))
	follow_up.customer = second
	follow_up.save()
	assert customer_dates(first) == (None, None)
	assert customer_dates(second) == (None, NOW + datetime.timedelta(days=1))


def test_deleting_a_follow_up_that_planned_the_next_one_keeps_the_next_one():
	customer = make_customer().name
	with frozen_clock(NOW):
		first = complete(make_follow_up(customer), next_follow_up_on=NOW + datetime.timedelta(days=2))
	planned = frappe.db.get_value("CIMS Follow-Up", {"previous_follow_up": first.name}, "name")
	delete(first.name)
	assert frappe.db.get_value("CIMS Follow-Up", planned, ["status", "previous_follow_up"]) == (
		"Planned",
		None,
	)


# Stage after


def test_stage_after_moves_the_customer_through_the_lifecycle():
	customer = customer_with("Potential Customer")
	follow_up = make_follow_up(customer.name)
	complete(follow_up, stage_after="Intent Customer")
	assert frappe.db.get_value("CIMS Customer", customer.name, "lifecycle_stage") == "Intent Customer"
	change = frappe.get_all(
		"CIMS Stage Change",
		filters={"reference_name": customer.name, "to_stage": "Intent Customer"},
		fields=["from_stage"],
	)
	assert [c.from_stage for c in change] == ["Potential Customer"]


def test_stage_after_refused_by_the_lifecycle_refuses_the_completion():
	customer = customer_with("Potential Customer")
	with pytest.raises(frappe.ValidationError):
		complete(make_follow_up(customer.name), stage_after="Paused Customer")
	assert frappe.db.get_value("CIMS Customer", customer.name, "lifecycle_stage") == "Potential Customer"


# Templates


def test_template_fills_content_and_next_action_of_an_empty_follow_up():
	template = frappe.get_doc("CIMS Follow-Up Template", "初次电话沟通")
	follow_up = make_follow_up(make_customer().name, template=template.name)
	assert follow_up.content == template.content
	assert follow_up.next_action == template.next_action


def test_template_does_not_overwrite_written_content():
	follow_up = make_follow_up(make_customer().name, template="初次电话沟通", content="<p>自己写的内容</p>")
	assert follow_up.content == "<p>自己写的内容</p>"


# Timeline and calendar


def test_timeline_lists_the_customers_follow_ups_filtered_by_date_owner_and_status():
	rep, other = make_user(), make_user()
	customer = make_customer().name
	with frozen_clock(NOW):
		old = completed_follow_up(customer, completed_on=NOW - datetime.timedelta(days=30), assigned_to=rep)
		recent = completed_follow_up(
			customer, completed_on=NOW - datetime.timedelta(days=2), assigned_to=other
		)
		planned = make_follow_up(customer, scheduled_on=NOW + datetime.timedelta(days=3), assigned_to=rep)
		make_follow_up(make_customer().name, scheduled_on=NOW)  # another customer's

		def names(**filters):
			return [row.name for row in get_timeline(customer, **filters)["items"]]

		assert names() == [planned.name, recent.name, old.name]
		assert names(status="Completed") == [recent.name, old.name]
		assert names(assigned_to=rep) == [planned.name, old.name]
		assert names(from_date="2026-06-01", to_date="2026-06-15") == [recent.name]
		assert names(from_date="2026-06-18", to_date="2026-06-18") == [planned.name]
		owners = {o["value"] for o in get_timeline(customer)["owners"]}
		assert owners == {rep, other}


def test_timeline_marks_overdue_planned_follow_ups():
	customer = make_customer().name
	with frozen_clock(NOW):
		make_follow_up(customer, scheduled_on=NOW - datetime.timedelta(hours=1))
		make_follow_up(customer, scheduled_on=NOW + datetime.timedelta(hours=1))
		assert [row.overdue for row in get_timeline(customer)["items"]] == [False, True]


def test_timeline_needs_read_permission_on_the_customer():
	customer = make_customer().name
	frappe.set_user(make_user("Blogger"))
	with pytest.raises(frappe.PermissionError):
		get_timeline(customer)


def test_calendar_shows_planned_follow_ups_in_the_range_coloured_by_status():
	customer = make_customer().name
	with frozen_clock(NOW):
		overdue = make_follow_up(customer, scheduled_on=NOW - datetime.timedelta(days=1))
		upcoming = make_follow_up(customer, scheduled_on=NOW + datetime.timedelta(days=1))
		make_follow_up(customer, scheduled_on=NOW + datetime.timedelta(days=40))
		events = get_events(
			"2026-06-01 00:00:00",
			"2026-07-01 00:00:00",
			[["CIMS Follow-Up", "status", "=", "Planned"], ["CIMS Follow-Up", "customer", "=", customer]],
		)
	assert [e["name"] for e in events] == [overdue.name, upcoming.name]
	assert events[0]["color"] != events[1]["color"]
	assert events[1]["title"].endswith(frappe.db.get_value("CIMS Customer", customer, "customer_name"))
