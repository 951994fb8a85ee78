"""Daily job: prospects nobody has followed up for CIMS Settings.public_pool_idle_days go to the public pool."""

import frappe
from frappe.query_builder import DocType
from frappe.query_builder.functions import Coalesce
from frappe.utils import getdate, nowdate

from cims_app.access.permissions import Exists
from cims_app.customers.assignment import release_to_pool
from cims_app.db.bulk_update import job_reference
from cims_app.domain.assignment_rules import POOL_STAGES, pool_idle_cutoff
from cims_app.records.validation import get_setting

CUSTOMER = "CIMS Customer"


def release_idle_customers_to_pool(today=None) -> int:
	"""Potential and Intent customers with an account manager, taken over before the cutoff and with no
	follow-up created, completed or planned since, lose their account manager, get `in_public_pool` and
	`pool_released_on`. 0 idle days switches the pool off. A rerun the same day releases nothing new.
	Returns how many customers were released."""
	today = getdate(today or nowdate())
	cutoff = pool_idle_cutoff(today, get_setting("public_pool_idle_days", 60))
	if cutoff is None:
		return 0
	c = DocType(CUSTOMER)
	fu = DocType("CIMS Follow-Up")
	recent_follow_up = (
		frappe.qb.from_(fu)
		.select(1)
		.where(
			(fu.customer == c.name)
			& ((fu.creation >= cutoff) | (fu.completed_on >= cutoff) | (fu.scheduled_on >= cutoff))
		)
	)
	idle = (
		frappe.qb.from_(c)
		.select(c.name)
		.where(
			c.lifecycle_stage.isin(POOL_STAGES)
			& (c.in_public_pool == 0)
			& (Coalesce(c.account_manager, "") != "")
			& (Coalesce(c.last_follow_up_on, c.creation) < cutoff)
			& (Coalesce(c.account_manager_since, c.creation) < cutoff)
			& Exists(recent_follow_up, negate=True)
		)
		.run(pluck=True)
	)
	return release_to_pool(
		idle, today, job_reference("cims_app.jobs.public_pool.release_idle_customers_to_pool")
	)
