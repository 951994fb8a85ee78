"""Birthdays: a customer contact's (`cims_birthday`) or an individual customer's birthday within
`birthday_notice_days` tells the account manager; on the day itself, when CIMS Settings names a greeting
Email Template, the greeting is queued to the contact's (or customer's) e-mail address."""

import frappe
from frappe.utils import getdate, nowdate

from cims_app.domain.due_dates import birthday_due, birthday_month_days
from cims_app.domain.errors import _
from cims_app.records.validation import get_setting
from cims_app.reminders.delivery import Reminder, send

NOTICE_RULE = "birthday"
GREETING_RULE = "birthday_greeting"


def remind_birthdays() -> dict:
	today = getdate(nowdate())
	days = int(get_setting("birthday_notice_days", 3))
	month_days = tuple(birthday_month_days(today, days))
	people = _contacts(month_days) + _individual_customers(month_days)
	notices, greetings = [], []
	template = get_setting("birthday_greeting_template")
	for person in people:
		birthday = birthday_due(getdate(person.birthday), today, days)
		if not birthday:
			continue
		if person.account_manager:
			notices.append(
				Reminder(
					rule=NOTICE_RULE,
					reference_doctype=person.doctype,
					reference_name=person.name,
					due=birthday,
					recipient=person.account_manager,
					message=_("Birthday of {0} ({1}) on {2}"),
					params=(person.person_name, person.customer_name, birthday.isoformat()),
				)
			)
		if template and birthday == today and person.email:
			greetings.append(_greeting(template, person, birthday))
	return {"notified": send(notices), "greeted": send(greetings)}


def _contacts(month_days: tuple) -> list:
	return frappe.db.sql(
		"""
		SELECT 'Contact' AS doctype, ct.name, ct.cims_birthday AS birthday, ct.email_id AS email,
			ct.first_name, ct.last_name,
			TRIM(CONCAT(IFNULL(ct.last_name, ''), IFNULL(ct.first_name, ''))) AS person_name,
			cu.name AS customer, cu.customer_name, cu.account_manager
		FROM `tabContact` ct
		-- the contacts of those days first (one pass over the contacts), then their links: left to itself
		-- the optimizer read every customer link and each one's contact (1.0 s instead of 0.12 s at 150,000)
		STRAIGHT_JOIN `tabDynamic Link` dl ON dl.parent = ct.name AND dl.parenttype = 'Contact'
			AND dl.link_doctype = 'CIMS Customer'
		JOIN `tabCIMS Customer` cu ON cu.name = dl.link_name
		WHERE DATE_FORMAT(ct.cims_birthday, '%%m-%%d') IN %(month_days)s
			AND cu.lifecycle_stage != 'Churned Customer'
		""",
		{"month_days": month_days},
		as_dict=True,
	)


def _individual_customers(month_days: tuple) -> list:
	return frappe.db.sql(
		"""
		SELECT 'CIMS Customer' AS doctype, cu.name, cu.birthday, cu.email_id AS email,
			cu.customer_name AS first_name, '' AS last_name, cu.customer_name AS person_name,
			cu.name AS customer, cu.customer_name, cu.account_manager
		FROM `tabCIMS Customer` cu
		WHERE cu.customer_type = 'Individual' AND DATE_FORMAT(cu.birthday, '%%m-%%d') IN %(month_days)s
			AND cu.lifecycle_stage != 'Churned Customer'
		""",
		{"month_days": month_days},
		as_dict=True,
	)


def _greeting(template_name: str, person, birthday) -> Reminder:
	template = frappe.get_cached_doc("Email Template", template_name)
	context = {**person, "birthday": birthday}
	return Reminder(
		rule=GREETING_RULE,
		reference_doctype=person.doctype,
		reference_name=person.name,
		due=birthday,
		email_to=person.email,
		email_subject=template.get_formatted_subject(context),
		email_body=template.get_formatted_response(context),
	)
