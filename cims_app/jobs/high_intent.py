"""High-intent callback: a customer marked high intent (e.g. at a campaign) with no completed follow-up
within `high_intent_callback_hours` is escalated to the manager of its sales team (or to its account
manager when it has no team), once per marking."""

import datetime

import frappe
from frappe.utils import now_datetime

from cims_app.domain.errors import _
from cims_app.jobs.recipients import team_managers
from cims_app.records.validation import get_setting
from cims_app.reminders.delivery import Reminder, send

RULE = "high_intent_callback"


def escalate_missed_callbacks() -> int:
	hours = int(get_setting("high_intent_callback_hours", 24))
	rows = frappe.db.sql(
		"""
		SELECT c.name, c.customer_name, c.high_intent_on, c.account_manager, c.sales_team
		FROM `tabCIMS Customer` c
		WHERE c.high_intent_on <= %(deadline)s
			AND NOT EXISTS (
				SELECT 1 FROM `tabCIMS Follow-Up` fu
				WHERE fu.customer = c.name AND fu.status = 'Completed' AND fu.completed_on >= c.high_intent_on
			)
		""",
		{"deadline": now_datetime() - datetime.timedelta(hours=hours)},
		as_dict=True,
	)
	managers = team_managers(rows)
	return send(
		[
			Reminder(
				rule=RULE,
				reference_doctype="CIMS Customer",
				reference_name=row.name,
				due=row.high_intent_on,
				recipient=managers.get(row.name) or row.account_manager,
				message=_(
					"{0} was marked high intent on {1} and has had no completed follow-up within {2} hours"
				),
				params=(row.customer_name, row.high_intent_on.strftime("%Y-%m-%d %H:%M"), hours),
			)
			for row in rows
			if managers.get(row.name) or row.account_manager
		],
		sms=True,
	)
