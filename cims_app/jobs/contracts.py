"""Contract renewal: a contract ending within `contract_renewal_notice_days` tells the account manager and
opens a ToDo for the renewal, once per contract end date."""

import datetime

import frappe
from frappe.utils import getdate, nowdate

from cims_app.domain.errors import _
from cims_app.records.validation import get_setting
from cims_app.reminders.delivery import Reminder, send

RULE = "contract_renewal"


def remind_contract_renewals() -> int:
	today = getdate(nowdate())
	days = int(get_setting("contract_renewal_notice_days", 30))
	rows = frappe.db.sql(
		"""
		SELECT name, customer_name, contract_end_date, account_manager FROM `tabCIMS Customer`
		WHERE contract_end_date BETWEEN %(today)s AND %(until)s
			AND lifecycle_stage != 'Churned Customer' AND IFNULL(account_manager, '') != ''
		""",
		{"today": today, "until": today + datetime.timedelta(days=days)},
		as_dict=True,
	)
	return send(
		Reminder(
			rule=RULE,
			reference_doctype="CIMS Customer",
			reference_name=row.name,
			due=row.contract_end_date,
			recipient=row.account_manager,
			message=_("The contract of {0} ends on {1}: plan the renewal"),
			params=(row.customer_name, row.contract_end_date.isoformat()),
			todo=_("Renew the contract of {0} (ends on {1})"),
			todo_params=(row.customer_name, row.contract_end_date.isoformat()),
			todo_date=row.contract_end_date,
		)
		for row in rows
	)
