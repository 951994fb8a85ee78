"""Data upkeep: when a customer's data is next due for a check (SPEC §5), with the cadence of CIMS Settings.

The due date is kept wherever a customer is written (the form's save, the bulk import, the demo data),
so that it is on the record from the start and the daily job (cims_app.jobs.upkeep) only rewrites the
ones whose cadence changed since; the rule itself is cims_app.domain.due_dates.maintenance_due_on.
"""

import datetime

from frappe.utils import getdate

from cims_app.domain.customer_rules import HIGH_POTENTIAL, HIGH_VALUE
from cims_app.domain.due_dates import maintenance_due_on
from cims_app.records.validation import get_setting


def upkeep_cadence() -> tuple[dict, int]:
	"""Months between checks by tier, and for every other tier (CIMS Settings)."""
	months = {
		HIGH_VALUE: int(get_setting("upkeep_high_value_months", 1)),
		HIGH_POTENTIAL: int(get_setting("upkeep_high_potential_months", 3)),
	}
	return months, int(get_setting("upkeep_regular_months", 6))


def due_on(
	last_maintained_on, created_on, value_tier: str | None, cadence: tuple[dict, int] | None = None
) -> datetime.date:
	"""The next check of a customer last checked on `last_maintained_on` (None: never, counted from
	`created_on`); dates may be given as text. `cadence` is upkeep_cadence() read once for many customers."""
	months, regular = cadence or upkeep_cadence()
	return maintenance_due_on(
		getdate(last_maintained_on) if last_maintained_on else None,
		getdate(created_on),
		value_tier,
		months,
		regular,
	)
