"""Reminders reach people once: bell, e-mail through the Email Queue, SMS, ToDo; the follow-up due rule."""

import datetime

import frappe
import pytest

import cims_app.reminders.delivery as reminders
from cims_app.jobs.follow_up_due import remind_due_follow_ups
from cims_app.reminders.delivery import Reminder, send
from tests.integration.job_support import (
	bells,
	commits,  # autouse fixture: job commits become savepoints
	frozen_clock,
	lose_uncommitted_work,
	make_email_account,
	make_follow_up,
	make_user,
	open_todos,
	queued_emails,
	reminder_logs,
)
from tests.integration.support import make_customer, valid_mobile

NOW = datetime.datetime(2026, 6, 15, 10, 0, 0, 250000)
TODAY = NOW.date()


def reminder(customer, user, rule="test_rule", **values) -> Reminder:
	return Reminder(
		**{
			"rule": rule,
			"reference_doctype": "CIMS Customer",
			"reference_name": customer,
			"due": TODAY,
			"recipient": user,
			"message": "Check {0}",
			"params": (customer,),
			**values,
		}
	)


# The reminders module


def test_reminder_rings_the_bell_once_however_often_it_is_sent():
	user, customer = make_user(), make_customer().name
	assert send([reminder(customer, user)]) == 1
	assert send([reminder(customer, user)]) == 0
	assert [(b.subject, b.document_name) for b in bells(user)] == [(f"Check {customer}", customer)]
	assert len(reminder_logs("test_rule", customer)) == 1


def test_same_reminder_for_another_recipient_rule_or_due_date_is_sent_again():
	first, second, customer = make_user(), make_user(), make_customer().name
	send([reminder(customer, first)])
	assert send([reminder(customer, second)]) == 1
	assert send([reminder(customer, first, rule="other_rule")]) == 1
	assert send([reminder(customer, first, due=TODAY + datetime.timedelta(days=1))]) == 1
	assert len(bells(first)) == 3


def test_reminder_is_emailed_when_an_outgoing_account_exists_one_digest_per_recipient():
	user = make_user()
	customers = [make_customer().name for _ in range(3)]
	send([reminder(customers[0], user)])
	assert queued_emails(user) == []  # no outgoing account yet: bell only

	make_email_account()
	send([reminder(c, user, rule="emailed") for c in customers])
	emails = queued_emails(user)
	assert len(emails) == 1
	assert all(c in emails[0].message for c in customers)
	send([reminder(c, user, rule="emailed") for c in customers])
	assert len(queued_emails(user)) == 1


def test_reminder_is_texted_when_sms_settings_name_a_gateway(monkeypatch):
	mobile = valid_mobile()
	user, customer = make_user(mobile_no=mobile), make_customer().name
	sent = []
	monkeypatch.setattr(reminders.frappe, "enqueue", lambda method, **kwargs: sent.append((method, kwargs)))
	send([reminder(customer, user)], sms=True)
	assert sent == []  # no gateway configured

	frappe.db.set_single_value("SMS Settings", "sms_gateway_url", "http://127.0.0.1:9/sms")
	send([reminder(customer, user, rule="texted")], sms=True)
	assert len(sent) == 1
	method, kwargs = sent[0]
	assert method == "frappe.core.doctype.sms_settings.sms_settings.send_sms"
	assert kwargs["receiver_list"] == [mobile]
	assert kwargs["msg"] == f"Check {customer}"
	assert kwargs["enqueue_after_commit"] is True


def test_reminder_with_a_todo_assigns_the_record_to_the_recipient():
	user, customer = make_user(), make_customer().name
	send([reminder(customer, user, todo="Call back", todo_date=TODAY + datetime.timedelta(days=2))])
	send([reminder(customer, user, todo="Call back", todo_date=TODAY + datetime.timedelta(days=2))])
	todos = open_todos(customer)
	assert [(t.allocated_to, t.description, t.date) for t in todos] == [
		(user, "Call back", TODAY + datetime.timedelta(days=2))
	]
	assert frappe.parse_json(frappe.db.get_value("CIMS Customer", customer, "_assign")) == [user]


def test_reminders_to_disabled_users_are_dropped():
	user, customer = make_user(), make_customer().name
	frappe.db.set_value("User", user, "enabled", 0)
	assert send([reminder(customer, user)]) == 0
	assert bells(user) == []


def test_job_killed_halfway_sends_the_rest_and_nothing_twice_when_run_again(monkeypatch, commits):  # noqa: F811
	user = make_user()
	customers = [make_customer().name for _ in range(5)]
	batches = []
	real_send_batch = reminders._send_batch

	def dies_in_second_batch(batch, users, channels):
		batches.append(len(batch))
		if len(batches) == 2:
			real_send_batch(batch, users, channels)
			raise RuntimeError("worker killed")
		return real_send_batch(batch, users, channels)

	monkeypatch.setattr(reminders, "_send_batch", dies_in_second_batch)
	with pytest.raises(RuntimeError):
		send([reminder(c, user) for c in customers], batch_size=2)
	lose_uncommitted_work()
	assert len(bells(user)) == 2  # the first batch was committed

	monkeypatch.setattr(reminders, "_send_batch", real_send_batch)
	assert send([reminder(c, user) for c in customers], batch_size=2) == 3
	assert sorted(b.document_name for b in bells(user)) == sorted(customers)
	assert len(reminder_logs("test_rule")) == 5


def test_each_batch_is_committed_with_its_notifications(commits):  # noqa: F811
	user = make_user()
	customers = [make_customer().name for _ in range(5)]
	before = len(commits)
	send([reminder(c, user) for c in customers], batch_size=2)
	assert len(commits) - before == 3


# Follow-up due rule


@pytest.mark.parametrize(
	("minutes_from_now", "reminded"),
	[(-61, False), (-59, True), (0, True), (59, True), (60, True), (61, False)],
)
def test_planned_follow_up_due_within_the_window_reminds_its_owner(minutes_from_now, reminded):
	rep = make_user()
	with frozen_clock(NOW):
		follow_up = make_follow_up(
			make_customer().name,
			assigned_to=rep,
			scheduled_on=NOW + datetime.timedelta(minutes=minutes_from_now),
		)
		remind_due_follow_ups()
	assert len(bells(rep, follow_up.name)) == int(reminded)


def test_follow_up_due_reminder_is_sent_once_over_repeated_runs_and_emailed():
	rep = make_user()
	make_email_account()
	with frozen_clock(NOW):
		follow_up = make_follow_up(
			make_customer().name, assigned_to=rep, scheduled_on=NOW + datetime.timedelta(minutes=30)
		)
		assert remind_due_follow_ups() == 1
	with frozen_clock(NOW + datetime.timedelta(minutes=5)):
		assert remind_due_follow_ups() == 0
	assert len(bells(rep, follow_up.name)) == 1
	assert "is due at 2026-06-15 10:30" in bells(rep, follow_up.name)[0].subject
	assert len(queued_emails(rep)) == 1


def test_rescheduled_follow_up_is_reminded_again_for_its_new_time():
	rep = make_user()
	with frozen_clock(NOW):
		follow_up = make_follow_up(
			make_customer().name, assigned_to=rep, scheduled_on=NOW + datetime.timedelta(minutes=30)
		)
		remind_due_follow_ups()
		follow_up.scheduled_on = NOW + datetime.timedelta(minutes=50)
		follow_up.save()
		remind_due_follow_ups()
	assert len(bells(rep, follow_up.name)) == 2


def test_completed_or_cancelled_follow_ups_are_not_reminded():
	rep = make_user()
	with frozen_clock(NOW):
		follow_up = make_follow_up(
			make_customer().name, assigned_to=rep, scheduled_on=NOW + datetime.timedelta(minutes=30)
		)
		follow_up.status = "Called Off"
		follow_up.save()
		assert remind_due_follow_ups() == 0


def test_reminder_window_comes_from_settings():
	rep = make_user()
	frappe.db.set_single_value("CIMS Settings", "reminder_window_minutes", 120)
	with frozen_clock(NOW):
		follow_up = make_follow_up(
			make_customer().name, assigned_to=rep, scheduled_on=NOW + datetime.timedelta(minutes=90)
		)
		remind_due_follow_ups()
	assert len(bells(rep, follow_up.name)) == 1


def test_follow_up_without_owner_reminds_the_account_manager():
	rep = make_user()
	customer = make_customer(account_manager=rep).name
	with frozen_clock(NOW):
		follow_up = make_follow_up(customer, scheduled_on=NOW + datetime.timedelta(minutes=10))
		frappe.db.set_value("CIMS Follow-Up", follow_up.name, "assigned_to", None)
		remind_due_follow_ups()
	assert len(bells(rep, follow_up.name)) == 1
