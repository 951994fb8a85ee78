"""Value tiers: annual and cumulative won amounts, 6-month growth and the tier of every customer.

One GROUP BY over won opportunities, the tier rule of cims_app.domain.customer_rules per customer in
Python, and one bulk UPDATE of the customers whose values changed, with a Version row each. An approved tier override
(`value_tier_override`) wins over the computed tier.
"""

import datetime
import functools

import frappe
from frappe.utils import getdate, nowdate

from cims_app.db.bulk_update import job_reference, write_changes
from cims_app.domain.customer_rules import amount_growth_percent, classification_label, compute_value_tier
from cims_app.domain.due_dates import amount_periods
from cims_app.records.validation import get_setting

FIELDS = ["annual_amount", "cumulative_amount", "amount_growth_6m", "value_tier", "classification_label"]


def won_amounts_sql(today: datetime.date) -> tuple[str, dict]:
	"""A derived table per customer: cumulative, last-12-months, last and prior 6-months won amounts and the
	count of open opportunities (one pass over the opportunities)."""
	periods = amount_periods(today)
	sql = """
		SELECT o.customer,
			SUM(CASE WHEN o.status = 'Won' THEN IFNULL(o.won_amount, 0) ELSE 0 END) AS cumulative,
			SUM(CASE WHEN o.status = 'Won' AND o.closed_on BETWEEN %(year_start)s AND %(today)s
				THEN IFNULL(o.won_amount, 0) ELSE 0 END) AS annual,
			SUM(CASE WHEN o.status = 'Won' AND o.closed_on BETWEEN %(half_start)s AND %(today)s
				THEN IFNULL(o.won_amount, 0) ELSE 0 END) AS last_half,
			SUM(CASE WHEN o.status = 'Won' AND o.closed_on >= %(prior_half_start)s AND o.closed_on < %(half_start)s
				THEN IFNULL(o.won_amount, 0) ELSE 0 END) AS prior_half,
			MAX(CASE WHEN o.status = 'Won' THEN o.closed_on END) AS last_won_on,
			SUM(o.status = 'In Progress') AS open_count
		FROM `tabCIMS Opportunity` o
		GROUP BY o.customer
	"""
	return sql, {"today": today, **periods}


def tier_thresholds() -> dict:
	return {
		"high_value_min": get_setting("high_value_min_amount", 500000),
		"high_potential_min": get_setting("high_potential_min_amount", 100000),
		"growth_min": get_setting("high_potential_min_growth", 20),
	}


def update_value_tiers() -> int:
	"""Recompute amounts, growth, tier and classification label; returns the number of customers changed."""
	amounts, values = won_amounts_sql(getdate(nowdate()))
	rows = frappe.db.sql(
		f"""
		SELECT c.name, c.industry, c.lifecycle_stage, c.need_type, c.value_tier_override,
			c.annual_amount, c.cumulative_amount, c.amount_growth_6m, c.value_tier, c.classification_label,
			a.annual, a.cumulative, a.last_half, a.prior_half
		FROM `tabCIMS Customer` c
		LEFT JOIN ({amounts}) a ON a.customer = c.name
		""",
		values,
	)
	thresholds = tier_thresholds()
	tier_of = functools.cache(lambda annual, growth: compute_value_tier(annual, growth, **thresholds))
	label_of = functools.cache(classification_label)
	current, computed = {}, {}
	for (
		name,
		industry,
		stage,
		need_type,
		override,
		*stored,
		annual,
		cumulative,
		last_half,
		prior_half,
	) in rows:
		annual = annual or 0
		growth = amount_growth_percent(last_half or 0, prior_half or 0)
		tier = override or tier_of(annual, growth)
		current[name] = tuple(stored)
		# Percent columns are NOT NULL: no growth to measure is stored as 0.
		computed[name] = (
			annual,
			cumulative or 0,
			growth or 0,
			tier,
			label_of(industry, tier, stage, need_type),
		)
	return write_changes(
		"CIMS Customer", FIELDS, current, computed, job_reference("cims_app.jobs.tiers.update_value_tiers")
	)
