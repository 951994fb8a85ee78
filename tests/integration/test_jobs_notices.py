"""Daily notices: data upkeep, birthdays (with greetings), contract renewals, stale opportunities, the
high-intent callback escalation, and account expiry."""

import datetime
from email import message_from_string
from email.header import decode_header, make_header

import frappe
import pytest

from cims_app.jobs.accounts import disable_expired_accounts
from cims_app.jobs.birthdays import remind_birthdays
from cims_app.jobs.contracts import remind_contract_renewals
from cims_app.jobs.high_intent import escalate_missed_callbacks
from cims_app.jobs.opportunities import remind_stale_opportunities
from cims_app.jobs.upkeep import remind_data_upkeep
from tests.integration.job_support import (
	bells,
	commits,  # autouse fixture: job commits become savepoints
	completed_follow_up,
	customer_with,
	frozen_clock,
	make_email_account,
	make_opportunity,
	make_user,
	open_todos,
	queued_emails,
	set_values,
	unique_suffix,
)
from tests.integration.support import make_customer, valid_id_number

NOW = datetime.datetime(2026, 6, 15, 9, 0, 0, 250000)
TODAY = NOW.date()


def days(n: int) -> datetime.timedelta:
	return datetime.timedelta(days=n)


# Data upkeep


@pytest.mark.parametrize(
	("tier", "months", "last_maintained", "due"),
	[
		("High Value Customer", 1, datetime.date(2026, 5, 15), datetime.date(2026, 6, 15)),
		("High Potential Customer", 3, datetime.date(2026, 3, 15), datetime.date(2026, 6, 15)),
		("Regular Customer", 6, datetime.date(2025, 12, 15), datetime.date(2026, 6, 15)),
	],
)
def test_maintenance_falls_due_a_tier_cadence_after_the_last_check(tier, months, last_maintained, due):
	rep = make_user()
	with frozen_clock(NOW):
		customer = customer_with(account_manager=rep, value_tier=tier, last_maintained_on=last_maintained)
		remind_data_upkeep()
	assert frappe.db.get_value("CIMS Customer", customer.name, "maintenance_due_on") == due
	assert len(bells(rep, customer.name)) == 1


@pytest.mark.parametrize(("day", "told"), [(-1, False), (0, True), (1, True)])
def test_owner_is_told_from_the_day_maintenance_is_due_once(day, told):
	rep = make_user()
	with frozen_clock(NOW):
		customer = customer_with(
			account_manager=rep, value_tier="High Value Customer", last_maintained_on=TODAY - days(30)
		)
	# Maintained 2026-05-16: due 2026-06-16.
	with frozen_clock(NOW + days(1 + day)):
		remind_data_upkeep()
		remind_data_upkeep()
	assert len(bells(rep, customer.name)) == int(told)


def test_checking_the_data_moves_the_due_date_and_tells_again_when_next_due():
	rep = make_user()
	with frozen_clock(NOW):
		customer = customer_with(
			account_manager=rep, value_tier="High Value Customer", last_maintained_on=TODAY - days(40)
		)
		remind_data_upkeep()
		set_values("CIMS Customer", customer.name, last_maintained_on=TODAY)
		assert remind_data_upkeep()["notified"] == 0
	assert frappe.db.get_value("CIMS Customer", customer.name, "maintenance_due_on") == datetime.date(
		2026, 7, 15
	)
	with frozen_clock(NOW + days(30)):
		assert remind_data_upkeep()["notified"] >= 1
	assert len(bells(rep, customer.name)) == 2


def test_upkeep_cadence_comes_from_settings():
	frappe.db.set_single_value("CIMS Settings", "upkeep_regular_months", 12)
	with frozen_clock(NOW):
		customer = customer_with(value_tier="Regular Customer", last_maintained_on=datetime.date(2026, 1, 31))
		remind_data_upkeep()
	assert frappe.db.get_value("CIMS Customer", customer.name, "maintenance_due_on") == datetime.date(
		2027, 1, 31
	)


def test_a_customer_is_due_for_a_check_from_its_first_save_and_the_job_rewrites_none_of_those():
	frappe.db.set_single_value("CIMS Settings", "upkeep_regular_months", 4)
	with frozen_clock(NOW):
		remind_data_upkeep()  # whatever other tests left
		customer = make_customer(value_tier="Regular Customer")
		assert customer.maintenance_due_on == datetime.date(2026, 10, 15)  # the settings' 4 months
		customer.last_maintained_on = datetime.date(2026, 7, 1)
		customer.save()
		assert customer.maintenance_due_on == datetime.date(2026, 11, 1)
		assert remind_data_upkeep()["changed"] == 0


def test_upkeep_rerun_changes_nothing():
	with frozen_clock(NOW):
		customer_with(value_tier="Regular Customer", last_maintained_on=TODAY)
		remind_data_upkeep()
		assert remind_data_upkeep()["changed"] == 0


# Birthdays


def contact_of(customer: str, birthday, email: str | None = None) -> str:
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": "小明",
			"last_name": "王",
			"cims_birthday": birthday,
			"email_ids": [{"email_id": email, "is_primary": 1}] if email else [],
			"links": [{"link_doctype": "CIMS Customer", "link_name": customer}],
		}
	).insert()
	return contact.name


@pytest.mark.parametrize(("days_ahead", "told"), [(-1, False), (0, True), (3, True), (4, False)])
def test_owner_is_told_of_a_contacts_birthday_within_the_notice_days(days_ahead, told):
	rep = make_user()
	with frozen_clock(NOW):
		customer = customer_with(account_manager=rep)
		contact = contact_of(customer.name, datetime.date(1985, 6, 15) + days(days_ahead))
		remind_birthdays()
		remind_birthdays()
	subjects = [b.subject for b in bells(rep, contact)]
	assert len(subjects) == int(told)
	if told:
		assert subjects[0].startswith("Birthday of 王小明 (")


def test_birthday_notice_is_sent_once_over_the_notice_days():
	rep = make_user()
	with frozen_clock(NOW):
		customer = customer_with(account_manager=rep)
		contact = contact_of(customer.name, datetime.date(1985, 6, 18))
	for day in range(4):
		with frozen_clock(NOW + days(day)):
			remind_birthdays()
	assert len(bells(rep, contact)) == 1


def test_individual_customers_birthday_is_announced_too():
	rep = make_user()
	with frozen_clock(NOW):
		customer = frappe.get_doc(
			{
				"doctype": "CIMS Customer",
				"customer_name": f"张三{unique_suffix()}",
				"customer_type": "Individual",
				"id_number": valid_id_number("19900617"),
				"account_manager": rep,
			}
		).insert()
		remind_birthdays()
	assert len(bells(rep, customer.name)) == 1


def test_birthday_greeting_is_queued_to_the_contact_on_the_day_when_a_template_is_set():
	make_email_account()
	template = frappe.get_doc(
		{
			"doctype": "Email Template",
			"name": f"生日祝福{unique_suffix()}",
			"subject": "生日快乐，{{ person_name }}",
			"response": "祝{{ person_name }}生日快乐！",
		}
	).insert()
	frappe.db.set_single_value("CIMS Settings", "birthday_greeting_template", template.name)
	email = f"friend-{unique_suffix()}@example.com"
	with frozen_clock(NOW - days(3)):
		customer = customer_with(account_manager=make_user())
		contact = contact_of(customer.name, datetime.date(1985, 6, 15), email)
		remind_birthdays()
	assert queued_emails(email) == []  # notice days: the owner hears, the contact not yet
	with frozen_clock(NOW):
		assert remind_birthdays()["greeted"] == 1
		assert remind_birthdays()["greeted"] == 0
	emails = queued_emails(email)
	assert len(emails) == 1
	message = message_from_string(emails[0].message)
	assert str(make_header(decode_header(message["Subject"]))) == "生日快乐，王小明"
	assert (emails[0].reference_doctype, emails[0].reference_name) == ("Contact", contact)


def test_no_greeting_without_a_template():
	make_email_account()
	email = f"friend-{unique_suffix()}@example.com"
	with frozen_clock(NOW):
		customer = customer_with(account_manager=make_user())
		contact_of(customer.name, datetime.date(1985, 6, 15), email)
		assert remind_birthdays()["greeted"] == 0
	assert queued_emails(email) == []


def test_leap_day_birthday_is_announced_on_28_february_of_common_years():
	rep = make_user()
	with frozen_clock(datetime.datetime(2027, 2, 26, 9, 0, 0, 250000)):
		customer = customer_with(account_manager=rep)
		contact = contact_of(customer.name, datetime.date(1992, 2, 29))
		remind_birthdays()
	assert "2027-02-28" in bells(rep, contact)[0].subject


# Contract renewal


@pytest.mark.parametrize(("days_left", "told"), [(-1, False), (0, True), (30, True), (31, False)])
def test_contract_ending_within_the_notice_days_tells_the_owner_and_opens_a_todo(days_left, told):
	rep = make_user()
	with frozen_clock(NOW):
		customer = customer_with(account_manager=rep, contract_end_date=TODAY + days(days_left))
		remind_contract_renewals()
		remind_contract_renewals()
	assert len(bells(rep, customer.name)) == int(told)
	todos = open_todos(customer.name)
	assert len(todos) == int(told)
	if told:
		assert (todos[0].allocated_to, todos[0].date) == (rep, TODAY + days(days_left))


def test_renewed_contract_is_announced_again_for_its_new_end_date():
	rep = make_user()
	with frozen_clock(NOW):
		customer = customer_with(account_manager=rep, contract_end_date=TODAY + days(10))
		remind_contract_renewals()
		set_values("CIMS Customer", customer.name, contract_end_date=TODAY + days(20))
		assert remind_contract_renewals() == 1


# Stale opportunities


@pytest.mark.parametrize(("days_in_stage", "stale"), [(6, False), (7, False), (8, True)])
def test_open_opportunity_in_a_stage_longer_than_its_stale_days_reminds_its_owner(days_in_stage, stale):
	rep = make_user()
	with frozen_clock(NOW - days(days_in_stage)):
		opportunity = make_opportunity(
			customer_with(account_manager=rep).name, sales_stage="方案提交", owner_user=rep
		)
	with frozen_clock(NOW):
		remind_stale_opportunities()
		remind_stale_opportunities()
	assert len(bells(rep, opportunity.name)) == int(stale)


def test_stages_without_stale_days_and_closed_opportunities_are_left_alone():
	rep = make_user()
	never_stale = frappe.get_doc(
		{
			"doctype": "CIMS Sales Stage",
			"stage_name": f"阶段{unique_suffix()}",
			"sequence": 0,
			"stale_after_days": 0,
		}
	).insert()
	with frozen_clock(NOW - days(60)):
		customer = customer_with(account_manager=rep).name
		make_opportunity(customer, sales_stage=never_stale.name, owner_user=rep)
		lost = make_opportunity(customer, sales_stage="方案提交", owner_user=rep)
		lost.update({"status": "Lost", "lost_reason": "价格"})
		lost.save()
	with frozen_clock(NOW):
		assert remind_stale_opportunities() == 0


def test_moving_the_opportunity_on_restarts_the_stale_clock():
	rep = make_user()
	with frozen_clock(NOW - days(10)):
		opportunity = make_opportunity(
			customer_with(account_manager=rep).name, sales_stage="方案提交", owner_user=rep
		)
	with frozen_clock(NOW):
		remind_stale_opportunities()
		opportunity.reload()
		opportunity.sales_stage = "商务谈判"
		opportunity.save()
	with frozen_clock(NOW + days(14)):
		assert remind_stale_opportunities() == 0
	with frozen_clock(NOW + days(15)):
		assert remind_stale_opportunities() == 1
	assert len(bells(rep, opportunity.name)) == 2


# High-intent callback


def sales_team(manager: str, *members: str) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "CIMS Sales Team",
				"team_name": f"团队{unique_suffix()}",
				"manager": manager,
				"members": [{"user": m} for m in members],
			}
		)
		.insert()
		.name
	)


@pytest.mark.parametrize(("hours", "escalated"), [(23, False), (24, True), (25, True)])
def test_high_intent_customer_without_completed_follow_up_is_escalated_to_the_team_manager(hours, escalated):
	rep, manager = make_user(), make_user("CIMS Sales Manager")
	with frozen_clock(NOW):
		customer = customer_with(account_manager=rep, sales_team=sales_team(manager, rep), high_intent_on=NOW)
	with frozen_clock(NOW + datetime.timedelta(hours=hours)):
		escalate_missed_callbacks()
		escalate_missed_callbacks()
	assert len(bells(manager, customer.name)) == int(escalated)
	assert bells(rep, customer.name) == []


def test_completed_follow_up_after_the_marking_prevents_the_escalation():
	manager = make_user("CIMS Sales Manager")
	with frozen_clock(NOW):
		customer = customer_with(sales_team=sales_team(manager), high_intent_on=NOW)
		completed_follow_up(
			customer.name, completed_on=NOW - datetime.timedelta(hours=1)
		)  # before: does not count
		completed_follow_up(customer.name, completed_on=NOW + datetime.timedelta(hours=3))
	with frozen_clock(NOW + days(2)):
		assert escalate_missed_callbacks() == 0


def test_customer_without_a_team_escalates_to_its_account_manager_and_a_new_marking_escalates_again():
	rep = make_user()
	with frozen_clock(NOW):
		customer = customer_with(account_manager=rep, high_intent_on=NOW)
	with frozen_clock(NOW + days(2)):
		escalate_missed_callbacks()
		set_values("CIMS Customer", customer.name, high_intent_on=NOW + days(2))
	with frozen_clock(NOW + days(4)):
		escalate_missed_callbacks()
	assert len(bells(rep, customer.name)) == 2


def test_callback_hours_come_from_settings():
	rep = make_user()
	frappe.db.set_single_value("CIMS Settings", "high_intent_callback_hours", 2)
	with frozen_clock(NOW):
		customer = customer_with(account_manager=rep, high_intent_on=NOW)
	with frozen_clock(NOW + datetime.timedelta(hours=2)):
		escalate_missed_callbacks()
	assert "within 2 hours" in bells(rep, customer.name)[0].subject


# Account expiry


@pytest.mark.parametrize(("valid_until", "disabled"), [(1, False), (0, False), (-1, True)])
def test_user_past_valid_until_is_disabled(valid_until, disabled):
	user = make_user(cims_valid_until=TODAY + days(valid_until))
	with frozen_clock(NOW):
		expired = disable_expired_accounts()
		assert disable_expired_accounts() == []
	assert (user in expired) == disabled
	assert frappe.db.get_value("User", user, "enabled") == int(not disabled)


def test_user_without_valid_until_stays_enabled():
	user = make_user()
	with frozen_clock(NOW):
		disable_expired_accounts()
	assert frappe.db.get_value("User", user, "enabled") == 1
