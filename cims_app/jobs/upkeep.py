"""Data upkeep: each customer's data is due for a check a tier cadence after the last check (monthly for
High Value, quarterly for High Potential, half-yearly otherwise); the account manager hears when it is due."""

import frappe
from frappe.utils import getdate, nowdate

from cims_app.domain.customer_rules import HIGH_POTENTIAL, HIGH_VALUE
from cims_app.domain.due_dates import maintenance_due_on
from cims_app.domain.errors import _
from cims_app.jobs.bulk_update import changed_rows, update_rows
from cims_app.reminders import Reminder, send
from cims_app.validation import get_setting

RULE = "data_upkeep"


def upkeep_cadence() -> tuple[dict, int]:
	months = {
		HIGH_VALUE: int(get_setting("upkeep_high_value_months", 1)),
		HIGH_POTENTIAL: int(get_setting("upkeep_high_potential_months", 3)),
	}
	return months, int(get_setting("upkeep_regular_months", 6))


def remind_data_upkeep() -> dict:
	"""Recompute maintenance_due_on of every customer and tell the owners of those due (once per due date)."""
	today = getdate(nowdate())
	months, regular = upkeep_cadence()
	rows = frappe.db.sql(
		"""
		SELECT name, customer_name, value_tier, last_maintained_on, creation, maintenance_due_on,
			account_manager, lifecycle_stage
		FROM `tabCIMS Customer`
		""",
		as_dict=True,
	)
	current, computed, due = {}, {}, []
	for row in rows:
		due_on = maintenance_due_on(
			getdate(row.last_maintained_on) if row.last_maintained_on else None,
			getdate(row.creation),
			row.value_tier,
			months,
			regular,
		)
		current[row.name] = (row.maintenance_due_on,)
		computed[row.name] = (due_on,)
		if due_on <= today and row.account_manager and row.lifecycle_stage != "Churned Customer":
			due.append((row, due_on))
	changed = update_rows("CIMS Customer", ["maintenance_due_on"], changed_rows(current, computed))
	sent = send(
		Reminder(
			rule=RULE,
			reference_doctype="CIMS Customer",
			reference_name=row.name,
			due=due_on,
			recipient=row.account_manager,
			message=_("Information of {0} is due for a check (since {1}): confirm or update it"),
			params=(row.customer_name, due_on.isoformat()),
		)
		for row, due_on in due
	)
	return {"changed": changed, "due": len(due), "notified": sent}
