"""Stale opportunities: an open opportunity in one sales stage for longer than the stage's
`stale_after_days` reaches its owner (or the customer's account manager) once per stage stay."""

import datetime

import frappe
from frappe.utils import getdate, nowdate

from cims_app.domain.errors import _
from cims_app.reminders.delivery import Reminder, send

RULE = "stale_opportunity"


def remind_stale_opportunities() -> int:
	today = getdate(nowdate())
	rows = frappe.db.sql(
		"""
		SELECT o.name, o.opportunity_title, o.sales_stage, o.customer_name,
			DATE(COALESCE(o.stage_changed_on, o.creation)) AS entered_on, s.stale_after_days,
			COALESCE(NULLIF(o.owner_user, ''), c.account_manager) AS recipient
		FROM `tabCIMS Opportunity` o
		JOIN `tabCIMS Sales Stage` s ON s.name = o.sales_stage
		LEFT JOIN `tabCIMS Customer` c ON c.name = o.customer
		WHERE o.status = 'In Progress' AND s.stale_after_days > 0
			AND DATE(COALESCE(o.stage_changed_on, o.creation)) < %(today)s - INTERVAL s.stale_after_days DAY
		""",
		{"today": today},
		as_dict=True,
	)
	return send(
		Reminder(
			rule=RULE,
			reference_doctype="CIMS Opportunity",
			reference_name=row.name,
			due=row.entered_on + datetime.timedelta(days=row.stale_after_days + 1),
			recipient=row.recipient,
			message=_("Opportunity {0} of {1} has been in stage {2} for {3} days (limit {4})"),
			params=(
				row.opportunity_title,
				row.customer_name,
				row.sales_stage,
				(today - row.entered_on).days,
				row.stale_after_days,
			),
		)
		for row in rows
		if row.recipient
	)
