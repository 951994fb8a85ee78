# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt
"""The open pipeline by expected close month (or stage, or owner): expected and probability-weighted
amounts, next to what was already won in each month, so forecast = won + weighted open."""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, DateFormat, Sum

from cims_app.cims_app.report.cims_report import (
	apply_customer_filters,
	between,
	chart,
	column,
	customer_filters_set,
	day_bounds,
	drill,
	label_of,
	money,
	permitted,
	summary,
	total_row,
)
from cims_app.domain.report_metrics import month_bounds, month_keys, rate

OPPORTUNITY = "CIMS Opportunity"
GROUP_BY = ("Month", "Sales Stage", "Opportunity Owner")
MONTH_FORMAT = "%Y-%m"


@frappe.read_only()
def execute(filters=None):
	return PipelineForecast(filters).run()


class PipelineForecast:
	def __init__(self, filters=None):
		self.filters = frappe._dict(filters or {})
		self.group_by = self.filters.get("group_by") or "Month"
		if self.group_by not in GROUP_BY:
			frappe.throw(_("Unknown grouping {0}").format(self.group_by))
		today = frappe.utils.getdate(frappe.utils.nowdate())
		self.today = today
		# By default this month and the five after it.
		self.from_date = frappe.utils.getdate(
			self.filters.get("from_date") or frappe.utils.get_first_day(today)
		)
		self.to_date = frappe.utils.getdate(
			self.filters.get("to_date") or frappe.utils.get_last_day(frappe.utils.add_months(today, 5))
		)
		if self.from_date > self.to_date:
			frappe.throw(_("From Date must be before To Date"))

	def run(self):
		columns = self.get_columns()
		data = self.get_data()
		total = self.get_total(data, columns)
		return (
			columns,
			[*data, total] if data else [],
			None,
			self.get_chart(data),
			self.get_summary(data, total),
		)

	def base_query(self, opportunity, measures, key=None):
		query = frappe.qb.from_(opportunity).select(*measures)
		if key is not None:
			query = query.select(key.as_("group_key")).groupby(key)
		for fieldname in ("owner_user", "sales_stage", "campaign"):
			if self.filters.get(fieldname):
				query = query.where(opportunity[fieldname] == self.filters.get(fieldname))
		if customer_filters_set(self.filters):
			customer = frappe.qb.DocType("CIMS Customer")
			query = query.join(customer).on(customer.name == opportunity.customer)
			query = apply_customer_filters(query, customer, self.filters)
		return query

	def key_for(self, opportunity, date_field):
		if self.group_by == "Month":
			return DateFormat(opportunity[date_field], MONTH_FORMAT)
		return opportunity["sales_stage" if self.group_by == "Sales Stage" else "owner_user"]

	def get_open(self):
		opportunity = frappe.qb.DocType(OPPORTUNITY)
		query = self.base_query(
			opportunity,
			[
				Count("*").as_("open_count"),
				Sum(opportunity.expected_amount).as_("expected_amount"),
				Sum(opportunity.weighted_amount).as_("weighted_amount"),
			],
			self.key_for(opportunity, "expected_close_date"),
		)
		query = query.where(opportunity.status == "In Progress").where(
			opportunity.expected_close_date[self.from_date : self.to_date]
		)
		return {row.group_key: row for row in permitted(query, OPPORTUNITY).run(as_dict=True)}

	def get_won(self):
		opportunity = frappe.qb.DocType(OPPORTUNITY)
		query = self.base_query(
			opportunity,
			[Count("*").as_("won_count"), Sum(opportunity.won_amount).as_("won_amount")],
			self.key_for(opportunity, "closed_on"),
		)
		query = query.where(opportunity.status == "Won").where(
			opportunity.closed_on[self.from_date : self.to_date]
		)
		return {row.group_key: row for row in permitted(query, OPPORTUNITY).run(as_dict=True)}

	def get_overdue(self):
		"""Open opportunities whose expected close date has passed, or that have none."""
		opportunity = frappe.qb.DocType(OPPORTUNITY)
		overdue = opportunity.expected_close_date < self.today
		undated = opportunity.expected_close_date.isnull()
		query = self.base_query(
			opportunity,
			[
				Sum(Case().when(overdue, 1).else_(0)).as_("overdue_count"),
				Sum(Case().when(overdue, opportunity.weighted_amount).else_(0)).as_("overdue_weighted"),
				Sum(Case().when(undated, 1).else_(0)).as_("undated_count"),
			],
		).where(opportunity.status == "In Progress")
		query = query.where(overdue | undated)
		rows = permitted(query, OPPORTUNITY).run(as_dict=True)
		return rows[0] if rows else frappe._dict()

	def group_keys(self, open_rows, won_rows):
		if self.group_by == "Month":
			return month_keys(self.from_date, self.to_date)
		if self.group_by == "Sales Stage":
			order = frappe.get_all("CIMS Sales Stage", order_by="sequence asc", pluck="name")
			present = set(open_rows) | set(won_rows)
			return [stage for stage in order if stage in present] + sorted(
				(key for key in present if key not in order), key=lambda key: key or ""
			)
		return sorted(set(open_rows) | set(won_rows), key=lambda key: (key is None, key or ""))

	def get_data(self):
		open_rows, won_rows = self.get_open(), self.get_won()
		self.overdue = self.get_overdue()
		data = []
		for key in self.group_keys(open_rows, won_rows):
			opened = open_rows.get(key) or frappe._dict()
			won = won_rows.get(key) or frappe._dict()
			weighted, won_amount = money(opened.get("weighted_amount")), money(won.get("won_amount"))
			data.append(
				{
					"group_key": key if key else None,
					"group_label": label_of(key),
					"open_count": opened.get("open_count") or 0,
					"expected_amount": money(opened.get("expected_amount")),
					"weighted_amount": weighted,
					"won_count": won.get("won_count") or 0,
					"won_amount": won_amount,
					"forecast": round(weighted + won_amount, 2),
					"drill": self.drill_targets(key),
				}
			)
		return data

	def drill_targets(self, key):
		if self.group_by == "Month":
			start, end = month_bounds(key)
			start, end = max(start, self.from_date), min(end, self.to_date)
			keyed = {}
		else:
			start, end = self.from_date, self.to_date
			keyed = {
				"sales_stage" if self.group_by == "Sales Stage" else "owner_user": key or ["is", "not set"]
			}
		if customer_filters_set(self.filters):
			return None  # the opportunity list cannot filter on the customer's team, region or industry
		for fieldname in ("owner_user", "sales_stage", "campaign"):
			if self.filters.get(fieldname):
				keyed.setdefault(fieldname, self.filters.get(fieldname))
		return {
			"open_count": drill(
				OPPORTUNITY, **keyed, status="In Progress", expected_close_date=between(start, end)
			),
			"won_count": drill(OPPORTUNITY, **keyed, status="Won", closed_on=between(start, end)),
		}

	def get_columns(self):
		if self.group_by == "Month":
			first = column("Expected Close Month", "group_key", "Data", width=150)
		elif self.group_by == "Sales Stage":
			first = column("Sales Stage", "group_key", "Link", "CIMS Sales Stage", 140)
		else:
			first = column("Opportunity Owner", "group_key", "Link", "User", 200)
		return [
			first,
			column("Open Opportunities", "open_count", "Int", width=140),
			column("Expected Amount", "expected_amount", "Currency", width=150),
			column("Weighted Amount", "weighted_amount", "Currency", width=150),
			column("Won Deals", "won_count", "Int", width=100),
			column("Won Amount", "won_amount", "Currency", width=140),
			column("Forecast", "forecast", "Currency", width=150),
		]

	def get_total(self, data, columns):
		return total_row(data, columns, "group_key", group_label=_("Total"))

	def get_chart(self, data):
		return chart(
			[row["group_label"] for row in data],
			[
				{"name": _("Expected Amount"), "values": [row["expected_amount"] for row in data]},
				{"name": _("Weighted Amount"), "values": [row["weighted_amount"] for row in data]},
				{"name": _("Won Amount"), "values": [row["won_amount"] for row in data]},
			],
			kind="bar",
			fieldtype="Currency",
		)

	def get_summary(self, data, total):
		if not data:
			return []
		return [
			summary("Open Opportunities", total["open_count"]),
			summary("Weighted Amount", total["weighted_amount"], "Currency", "Blue"),
			summary("Forecast", total["forecast"], "Currency", "Green"),
			summary(
				"Average Probability",
				rate(total["weighted_amount"], total["expected_amount"]),
				"Percent",
			),
			summary(
				"Overdue Open Opportunities", int(self.overdue.get("overdue_count") or 0), indicator="Red"
			),
			summary(
				"Overdue Weighted Amount", money(self.overdue.get("overdue_weighted")), "Currency", "Red"
			),
			summary(
				"Without Expected Close Date", int(self.overdue.get("undated_count") or 0), indicator="Orange"
			),
		]
