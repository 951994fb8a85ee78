"""Figures behind the CIMS workspace's custom number cards, each over the rows the user may read.

A custom Number Card calls its method with the card's filters and shows `value` formatted as `fieldtype`;
clicking it follows `route` (and `route_options`). The formulas are report_metrics', as in the reports.
"""

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Sum
from frappe.utils import add_months, getdate, now_datetime, nowdate

from cims_app.cims_app.report.cims_report import permitted
from cims_app.domain.report_metrics import ratio, satisfaction_stars
from cims_app.domain.report_metrics import win_rate as compute_win_rate

OPPORTUNITY, FOLLOW_UP = "CIMS Opportunity", "CIMS Follow-Up"
# Cards look back a rolling year, like the reports' default period.
LOOKBACK_MONTHS = 12


def _since():
	return add_months(getdate(nowdate()), -LOOKBACK_MONTHS)


@frappe.whitelist()
def win_rate(filters=None) -> dict:
	"""Won as a share of the opportunities closed (won or lost) in the last 12 months."""
	frappe.has_permission(OPPORTUNITY, "read", throw=True)
	opportunity = frappe.qb.DocType(OPPORTUNITY)
	query = (
		frappe.qb.from_(opportunity)
		.select(
			Sum(Case().when(opportunity.status == "Won", 1).else_(0)).as_("won"),
			Sum(Case().when(opportunity.status == "Lost", 1).else_(0)).as_("lost"),
		)
		.where(opportunity.status.isin(("Won", "Lost")))
		.where(opportunity.closed_on >= _since())
	)
	row = permitted(query, OPPORTUNITY).run(as_dict=True)[0]
	return {
		"value": compute_win_rate(row.won or 0, row.lost or 0) or 0,
		"fieldtype": "Percent",
		"route": ["query-report", "CIMS Sales Funnel"],
	}


@frappe.whitelist()
def overdue_follow_ups(filters=None) -> dict:
	"""Planned follow-ups whose scheduled time has passed."""
	frappe.has_permission(FOLLOW_UP, "read", throw=True)
	follow_up = frappe.qb.DocType(FOLLOW_UP)
	moment = now_datetime()
	query = (
		frappe.qb.from_(follow_up)
		.select(Count("*").as_("overdue"))
		.where(follow_up.status == "Planned")
		.where(follow_up.scheduled_on < moment)
	)
	row = permitted(query, FOLLOW_UP).run(as_dict=True)[0]
	return {
		"value": row.overdue or 0,
		"fieldtype": "Int",
		"route": ["List", FOLLOW_UP],
		"route_options": {"status": "Planned", "scheduled_on": ["<", str(moment)]},
	}


@frappe.whitelist()
def average_satisfaction(filters=None) -> dict:
	"""Customers' satisfaction (stars out of 5) on follow-ups completed with a rating in the last 12 months."""
	frappe.has_permission(FOLLOW_UP, "read", throw=True)
	follow_up = frappe.qb.DocType(FOLLOW_UP)
	query = (
		frappe.qb.from_(follow_up)
		.select(Count("*").as_("rated"), Sum(follow_up.satisfaction_score).as_("total"))
		.where(follow_up.status == "Completed")
		.where(follow_up.satisfaction_score > 0)
		.where(follow_up.completed_on >= _since())
	)
	row = permitted(query, FOLLOW_UP).run(as_dict=True)[0]
	return {
		"value": satisfaction_stars(ratio(row.total, row.rated, 4)) or 0,
		"fieldtype": "Float",
		"precision": 1,
		"route": ["query-report", "CIMS Follow-Up Activity"],
		"route_options": {"group_by": "Follow-Up Type"},
	}
