"""Data upkeep: each customer's data is due for a check a tier cadence after the last check (monthly for
High Value, quarterly for High Potential, half-yearly otherwise); the account manager hears when it is due."""

import functools

import frappe
from frappe.utils import getdate, nowdate

from cims_app.customers.upkeep import upkeep_cadence
from cims_app.db.bulk_update import job_reference, write_changes
from cims_app.domain.due_dates import maintenance_due_on
from cims_app.domain.errors import _
from cims_app.reminders.delivery import Reminder, send

RULE = "data_upkeep"


def remind_data_upkeep() -> dict:
	"""Recompute maintenance_due_on of every customer and tell the owners of those due (once per due date)."""
	today = getdate(nowdate())
	months, regular = upkeep_cadence()
	rows = frappe.db.sql(
		"""
		SELECT name, customer_name, value_tier, last_maintained_on, DATE(creation), maintenance_due_on,
			account_manager, lifecycle_stage != 'Churned Customer'
		FROM `tabCIMS Customer`
		"""
	)
	# The cadence counts from the last check, or from the creation when there was none.
	due_on_for = functools.cache(lambda start, tier: maintenance_due_on(start, start, tier, months, regular))
	current, computed, due = {}, {}, []
	for name, customer_name, tier, last_maintained_on, created_on, stored_due_on, owner, live in rows:
		due_on = due_on_for(last_maintained_on or created_on, tier)
		current[name] = (stored_due_on,)
		computed[name] = (due_on,)
		if due_on <= today and owner and live:
			due.append((name, customer_name, owner, due_on))
	changed = write_changes(
		"CIMS Customer",
		["maintenance_due_on"],
		current,
		computed,
		job_reference("cims_app.jobs.upkeep.remind_data_upkeep"),
	)
	sent = send(
		Reminder(
			rule=RULE,
			reference_doctype="CIMS Customer",
			reference_name=name,
			due=due_on,
			recipient=owner,
			message=_("Information of {0} is due for a check (since {1}): confirm or update it"),
			params=(customer_name, due_on.isoformat()),
		)
		for name, customer_name, owner, due_on in due
	)
	return {"changed": changed, "due": len(due), "notified": sent}
