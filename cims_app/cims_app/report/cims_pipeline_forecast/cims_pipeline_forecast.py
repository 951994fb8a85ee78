# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt
"""The open pipeline by expected close month (or stage, or owner): expected and probability-weighted
amounts, next to what was already won in each month, so forecast = won + weighted open."""

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Sum

from cims_app.cims_app.report.cims_report import (
	CIMSReport,
	between,
	chart,
	column,
	count_when,
	drill,
	in_order,
	label_of,
	money,
	month_bucket,
	sales_stage_order,
	series,
	sum_when,
	summary,
	total_row,
	unset_last,
)
from cims_app.domain.report_metrics import month_keys, rate

OPPORTUNITY = "CIMS Opportunity"
GROUP_BY = ("Month", "Sales Stage", "Opportunity Owner")
# Filters on the opportunity's own fields.
OPPORTUNITY_FILTERS = ("owner_user", "sales_stage", "campaign")


class PipelineForecast(CIMSReport):
	def __init__(self, filters=None):
		super().__init__(filters)
		self.group_by = self.choice("group_by", GROUP_BY, "Month")
		self.today = frappe.utils.getdate(frappe.utils.nowdate())
		# By default this month and the five after it.
		self.set_period(months_back=0, months_ahead=5)
		self.opportunity = frappe.qb.DocType(OPPORTUNITY)

	def by_group(self, date_field, measures, *conditions):
		"""{group: `measures`} of the opportunities meeting `conditions`, dated in the period by `date_field`."""
		opportunity = self.opportunity
		if self.group_by == "Month":
			key = month_bucket(opportunity[date_field])
		else:
			key = opportunity["sales_stage" if self.group_by == "Sales Stage" else "owner_user"]
		return self.grouped(
			opportunity,
			OPPORTUNITY,
			key,
			measures,
			*conditions,
			opportunity[date_field][self.from_date : self.to_date],
			self.matching(opportunity, OPPORTUNITY_FILTERS),
		)

	def get_open(self):
		opportunity = self.opportunity
		return self.by_group(
			"expected_close_date",
			[
				Count("*").as_("open_count"),
				Sum(opportunity.expected_amount).as_("expected_amount"),
				Sum(opportunity.weighted_amount).as_("weighted_amount"),
			],
			opportunity.status == "In Progress",
		)

	def get_won(self):
		opportunity = self.opportunity
		return self.by_group(
			"closed_on",
			[Count("*").as_("won_count"), Sum(opportunity.won_amount).as_("won_amount")],
			opportunity.status == "Won",
		)

	def get_overdue(self):
		"""Open opportunities whose expected close date has passed, or that have none."""
		opportunity = self.opportunity
		overdue = opportunity.expected_close_date < self.today
		undated = opportunity.expected_close_date.isnull()
		query = (
			frappe.qb.from_(opportunity)
			.select(
				count_when(overdue).as_("overdue_count"),
				sum_when(overdue, opportunity.weighted_amount).as_("overdue_weighted"),
				count_when(undated).as_("undated_count"),
			)
			.where(self.matching(opportunity, OPPORTUNITY_FILTERS))
			.where(opportunity.status == "In Progress")
			.where(overdue | undated)
		)
		rows = self.scoped(query, opportunity, OPPORTUNITY).run(as_dict=True)
		return rows[0] if rows else frappe._dict()

	def group_keys(self, open_rows, won_rows):
		if self.group_by == "Month":
			return month_keys(self.from_date, self.to_date)
		if self.group_by == "Sales Stage":
			return in_order(set(open_rows) | set(won_rows), sales_stage_order())
		return unset_last(set(open_rows) | set(won_rows))

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
		if self.by_customer_fields:
			return None
		if self.group_by == "Month":
			start, end = self.month_in_period(key)
			keyed = {}
		else:
			start, end = self.from_date, self.to_date
			keyed = {
				"sales_stage" if self.group_by == "Sales Stage" else "owner_user": key or ["is", "not set"]
			}
		keyed = {**self.set_filters(OPPORTUNITY_FILTERS), **keyed}
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
				series("Expected Amount", data, "expected_amount"),
				series("Weighted Amount", data, "weighted_amount"),
				series("Won Amount", data, "won_amount"),
			],
			kind="bar",
			fieldtype="Currency",
		)

	def get_summary(self, data, total):
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


execute = PipelineForecast.execute
