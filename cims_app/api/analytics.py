"""Figures behind the CIMS workspace's number cards, each over the rows the user may read.

A custom Number Card calls its method with the card's filters and shows `value` formatted as `fieldtype`;
clicking it follows `route` (and `route_options`). The formulas are report_metrics', as in the reports.
Every card counts through `permitted`, so a rep's or manager's figures are their own book: public-pool
customers (and what hangs off them) are not counted; the pool has its page (公海客户).
"""

import datetime

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Sum
from frappe.utils import add_months, get_first_day, getdate, now_datetime, nowdate

from cims_app.access.permissions import MANAGER, own_book_condition
from cims_app.access.scoping import permitted
from cims_app.domain.report_metrics import ratio, satisfaction_stars
from cims_app.domain.report_metrics import win_rate as compute_win_rate

CUSTOMER, OPPORTUNITY, FOLLOW_UP = "CIMS Customer", "CIMS Opportunity", "CIMS Follow-Up"
CLOSED_OPPORTUNITY_STATUSES = ("Won", "Lost")
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


@frappe.whitelist()
def follow_ups_due_today(filters=None) -> dict:
	"""Planned follow-ups scheduled for today (those already past are in the overdue card too)."""
	frappe.has_permission(FOLLOW_UP, "read", throw=True)
	follow_up = frappe.qb.DocType(FOLLOW_UP)
	start = datetime.datetime.combine(getdate(nowdate()), datetime.time.min)
	end = datetime.datetime.combine(getdate(nowdate()), datetime.time.max)
	query = (
		frappe.qb.from_(follow_up)
		.select(Count("*").as_("due"))
		.where(follow_up.status == "Planned")
		.where(follow_up.scheduled_on[start:end])
	)
	row = permitted(query, FOLLOW_UP).run(as_dict=True)[0]
	return {
		"value": row.due or 0,
		"fieldtype": "Int",
		"route": ["List", FOLLOW_UP],
		"route_options": {"status": "Planned", "scheduled_on": ["Between", [nowdate(), nowdate()]]},
	}


@frappe.whitelist()
def new_customers_this_month(filters=None) -> dict:
	"""Customers created since the first of this month."""
	frappe.has_permission(CUSTOMER, "read", throw=True)
	customer = frappe.qb.DocType(CUSTOMER)
	since = get_first_day(getdate(nowdate()))
	query = frappe.qb.from_(customer).select(Count("*").as_("new")).where(customer.creation >= since)
	row = permitted(query, CUSTOMER).run(as_dict=True)[0]
	return {
		"value": row.new or 0,
		"fieldtype": "Int",
		"route": ["List", CUSTOMER],
		"route_options": _own_book({"creation": [">=", str(since)]}),
	}


@frappe.whitelist()
def high_churn_risk(filters=None) -> dict:
	"""Customers at high churn risk that have not churned yet."""
	frappe.has_permission(CUSTOMER, "read", throw=True)
	customer = frappe.qb.DocType(CUSTOMER)
	query = (
		frappe.qb.from_(customer)
		.select(Count("*").as_("at_risk"))
		.where(customer.churn_risk == "High")
		.where(customer.lifecycle_stage != "Churned Customer")
	)
	row = permitted(query, CUSTOMER).run(as_dict=True)[0]
	return {
		"value": row.at_risk or 0,
		"fieldtype": "Int",
		"route": ["List", CUSTOMER],
		"route_options": _own_book({"churn_risk": "High", "lifecycle_stage": ["!=", "Churned Customer"]}),
	}


@frappe.whitelist()
def open_weighted_pipeline(filters=None) -> dict:
	"""Weighted amount of the opportunities not closed yet (neither won nor lost)."""
	frappe.has_permission(OPPORTUNITY, "read", throw=True)
	opportunity = frappe.qb.DocType(OPPORTUNITY)
	query = (
		frappe.qb.from_(opportunity)
		.select(Sum(opportunity.weighted_amount).as_("pipeline"))
		.where(opportunity.status.notin(CLOSED_OPPORTUNITY_STATUSES))
	)
	row = permitted(query, OPPORTUNITY).run(as_dict=True)[0]
	return {
		"value": float(row.pipeline or 0),
		"fieldtype": "Currency",
		"route": ["query-report", "CIMS Pipeline Forecast"],
	}


def _own_book(route_options: dict) -> dict:
	"""A rep's click on a customer card opens their own customers, the ones the card counted (a manager's
	book, their teams' customers, is not one list filter)."""
	if own_book_condition(CUSTOMER) and MANAGER not in frappe.get_roles():
		route_options["account_manager"] = frappe.session.user
	return route_options
