# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt
"""The sales funnel of the opportunities created in a period: how many reached each stage, what is still
open there, and how many went on from one stage to the next."""

import frappe
from frappe.query_builder.functions import Count, Sum

from cims_app.cims_app.report.cims_report import (
	CIMSReport,
	between,
	chart,
	column,
	drill,
	money,
	series,
	summary,
	total_row,
)
from cims_app.domain.report_metrics import funnel, rate, ratio, win_rate

OPPORTUNITY = "CIMS Opportunity"
# Filters on the opportunity's own fields.
OPPORTUNITY_FILTERS = ("owner_user", "campaign")


class SalesFunnel(CIMSReport):
	def __init__(self, filters=None):
		super().__init__(filters)
		self.set_period()

	def load_stages(self):
		stages = frappe.get_all(
			"CIMS Sales Stage",
			fields=["name", "sequence", "probability", "is_won", "is_lost"],
			order_by="sequence asc, name asc",
		)
		self.stages = [stage for stage in stages if not stage.is_lost]
		self.sequence = {stage.name: stage.sequence for stage in self.stages}
		self.probability = {stage.name: stage.probability for stage in self.stages}
		won = [stage for stage in self.stages if stage.is_won]
		self.won_stage = won[0].name if won else (self.stages[-1].name if self.stages else None)

	def get_counts(self):
		opportunity = frappe.qb.DocType(OPPORTUNITY)
		query = (
			frappe.qb.from_(opportunity)
			.select(
				opportunity.sales_stage,
				opportunity.status,
				Count("*").as_("opportunities"),
				Sum(opportunity.expected_amount).as_("expected_amount"),
				Sum(opportunity.weighted_amount).as_("weighted_amount"),
				Sum(opportunity.won_amount).as_("won_amount"),
			)
			.where(opportunity.creation[self.start : self.end])
			.where(self.matching(opportunity, OPPORTUNITY_FILTERS))
			.groupby(opportunity.sales_stage, opportunity.status)
		)
		return self.scoped(query, opportunity, OPPORTUNITY).run(as_dict=True)

	def furthest_stage(self, stage, status):
		"""Where an opportunity counts in the funnel: won ones at least at the won stage, unknown at the start."""
		if stage not in self.sequence:
			stage = self.stages[0].name
		if status == "Won" and self.won_stage and self.sequence[stage] < self.sequence[self.won_stage]:
			stage = self.won_stage
		return stage

	def get_data(self):
		self.load_stages()
		counts = self.get_counts()
		at_stage, open_count, open_amount, weighted, lost = {}, {}, {}, {}, {}
		self.opportunities = self.won = self.lost = 0
		self.won_amount = 0.0
		for row in counts if self.stages else []:
			stage = self.furthest_stage(row.sales_stage, row.status)
			at_stage[stage] = at_stage.get(stage, 0) + row.opportunities
			self.opportunities += row.opportunities
			if row.status == "In Progress":
				open_count[stage] = open_count.get(stage, 0) + row.opportunities
				open_amount[stage] = open_amount.get(stage, 0) + money(row.expected_amount)
				weighted[stage] = weighted.get(stage, 0) + money(row.weighted_amount)
			elif row.status == "Lost":
				lost[stage] = lost.get(stage, 0) + row.opportunities
				self.lost += row.opportunities
			elif row.status == "Won":
				self.won += row.opportunities
				self.won_amount += money(row.won_amount)

		period = between(self.from_date, self.to_date)
		data = []
		for step in funnel([stage.name for stage in self.stages], at_stage):
			stage = step["stage"]
			data.append(
				{
					"sales_stage": stage,
					"probability": self.probability.get(stage),
					"reached": step["reached"],
					"stage_conversion": step["stage_conversion"],
					"overall_conversion": step["overall_conversion"],
					"open_count": open_count.get(stage, 0),
					"open_amount": money(open_amount.get(stage)),
					"weighted_amount": money(weighted.get(stage)),
					"lost_count": lost.get(stage, 0),
					"drill": {
						"open_count": drill(
							OPPORTUNITY, **self.list_filters(stage, "In Progress"), creation=period
						),
						"lost_count": drill(OPPORTUNITY, **self.list_filters(stage, "Lost"), creation=period),
					},
				}
			)
		# Every stage is charted; without opportunities the table is empty.
		self.stage_rows = data
		return data if self.opportunities else []

	def list_filters(self, stage, status):
		return {"sales_stage": stage, "status": status, **self.set_filters(OPPORTUNITY_FILTERS)}

	def get_columns(self):
		return [
			column("Sales Stage", "sales_stage", "Link", "CIMS Sales Stage", 140),
			column("Probability", "probability", "Percent", width=100),
			column("Reached", "reached", "Int", width=100) | {"no_total": 1},
			column("Stage Conversion", "stage_conversion", "Percent", width=130),
			column("Overall Conversion", "overall_conversion", "Percent", width=140),
			column("Open Opportunities", "open_count", "Int", width=140),
			column("Open Amount", "open_amount", "Currency", width=140),
			column("Weighted Amount", "weighted_amount", "Currency", width=140),
			column("Lost Here", "lost_count", "Int", width=100),
		]

	def get_total(self, data, columns):
		# The funnel's overall conversion is the share of opportunities that were won.
		return total_row(
			data,
			columns,
			"sales_stage",
			reached=self.opportunities,
			overall_conversion=rate(self.won, self.opportunities),
		)

	def get_chart(self, data):
		return chart(
			[row["sales_stage"] for row in self.stage_rows],
			[series("Reached", self.stage_rows, "reached")],
			kind="bar",
		)

	def get_summary(self, data, total):
		return [
			summary("Opportunities", self.opportunities),
			summary("Won", self.won, indicator="Green"),
			summary("Lost", self.lost, indicator="Red"),
			summary("Win Rate", win_rate(self.won, self.lost), "Percent", "Blue"),
			summary("Won Amount", self.won_amount, "Currency", "Green"),
			summary("Average Deal Size", ratio(self.won_amount, self.won), "Currency"),
		]


execute = SalesFunnel.execute
