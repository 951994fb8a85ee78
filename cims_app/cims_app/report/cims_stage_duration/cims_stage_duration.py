# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt
"""How long customers stay in each lifecycle stage and opportunities in each sales stage.

Completed stays come from CIMS Stage Change (one row per move, with the days spent in the stage it left
and who moved it); current stays from the records now in each stage (days since they entered it)."""

import frappe
from frappe import _
from frappe.query_builder import CustomFunction
from frappe.query_builder.functions import Count, Max, Sum
from pypika.terms import PseudoColumn

from cims_app.cims_app.report.cims_report import (
	CIMSReport,
	between,
	chart,
	column,
	count_when,
	customer_route_filters,
	drill,
	in_order,
	label_of,
	now,
	sales_stage_order,
	series,
	sum_when,
	summary,
	user_full_names,
)
from cims_app.domain.report_metrics import SECONDS_PER_DAY, ratio

STAGE_CHANGE, CUSTOMER, OPPORTUNITY = "CIMS Stage Change", "CIMS Customer", "CIMS Opportunity"
LIFECYCLE_STAGES = (
	"Potential Customer",
	"Intent Customer",
	"Active Customer",
	"Paused Customer",
	"Churned Customer",
)
# "Stage Type" option -> (the DocType whose stage moves, its stage field, the field holding when it entered it).
STAGE_TYPES = {
	"Lifecycle Stage": (CUSTOMER, "lifecycle_stage", "lifecycle_stage_changed_on"),
	"Sales Stage": (OPPORTUNITY, "sales_stage", "stage_changed_on"),
}
GROUP_BY = ("Stage", "Stage and Mover")
TIMESTAMPDIFF = CustomFunction("TIMESTAMPDIFF", ["unit", "start", "end"])


class StageDuration(CIMSReport):
	def __init__(self, filters=None):
		super().__init__(filters)
		unknown = _("Unknown stage type or grouping")
		self.stage_type = self.choice("stage_type", STAGE_TYPES, "Lifecycle Stage", unknown)
		self.group_by = self.choice("group_by", GROUP_BY, "Stage", unknown)
		self.doctype, self.stage_field, self.entered_field = STAGE_TYPES[self.stage_type]
		self.set_period()
		self.moment = now()

	def get_moves(self):
		"""Completed stays: moves out of each stage in the period, by stage and mover."""
		change = frappe.qb.DocType(STAGE_CHANGE)
		query = (
			frappe.qb.from_(change)
			.select(
				change.from_stage,
				change.changed_by,
				Count("*").as_("moves"),
				Sum(change.days_in_previous_stage).as_("days"),
				Max(change.days_in_previous_stage).as_("longest"),
			)
			.where(change.reference_doctype == self.doctype)
			.where(change.changed_on[self.start : self.end])
			.where(change.from_stage.isnotnull())
			.where(self.matching(change, ("changed_by",)))
			.groupby(change.from_stage, change.changed_by)
		)
		return self.scoped(query, change, STAGE_CHANGE).run(as_dict=True)

	def get_current(self):
		"""Current stays: records now in each stage and how long they have been there."""
		table = frappe.qb.DocType(self.doctype)
		stage = table[self.stage_field]
		entered = table[self.entered_field]
		seconds_in_stage = TIMESTAMPDIFF(PseudoColumn("SECOND"), entered, self.moment)
		query = (
			frappe.qb.from_(table)
			.select(
				stage.as_("stage"),
				Count("*").as_("current"),
				sum_when(entered.isnotnull(), seconds_in_stage).as_("seconds"),
				count_when(entered.isnotnull()).as_("dated"),
				Max(seconds_in_stage).as_("longest_seconds"),
			)
			.groupby(stage)
		)
		if self.doctype == OPPORTUNITY:
			query = query.where(table.status == "In Progress")
		rows = self.scoped(query, table, self.doctype).run(as_dict=True)
		return {row.stage: row for row in rows if row.stage}

	def stage_order(self, present):
		return in_order(
			present, LIFECYCLE_STAGES if self.stage_type == "Lifecycle Stage" else sales_stage_order()
		)

	def get_data(self):
		self.moves = moves = self.get_moves()
		self.current = current = self.get_current() if self.group_by == "Stage" else {}
		translate = self.stage_type == "Lifecycle Stage"
		if self.group_by == "Stage and Mover":
			names = user_full_names(row.changed_by for row in moves)
			order = {
				stage: index
				for index, stage in enumerate(self.stage_order({row.from_stage for row in moves}))
			}
			rows = sorted(moves, key=lambda row: (order[row.from_stage], -row.moves, row.changed_by or ""))
			return [
				{
					"stage": row.from_stage,
					"stage_label": label_of(row.from_stage, translate),
					"changed_by": row.changed_by,
					"full_name": names.get(row.changed_by),
					"moves": row.moves,
					"average_days": ratio(row.days, row.moves, 1),
					"longest_days": round(float(row.longest or 0), 1),
					"drill": {"moves": self.moves_drill(row.from_stage, row.changed_by)},
				}
				for row in rows
			]

		by_stage = {}
		for row in moves:
			stage = by_stage.setdefault(
				row.from_stage, {"moves": 0, "days": 0.0, "longest": 0.0, "movers": {}}
			)
			stage["moves"] += row.moves
			stage["days"] += float(row.days or 0)
			stage["longest"] = max(stage["longest"], float(row.longest or 0))
			stage["movers"][row.changed_by] = stage["movers"].get(row.changed_by, 0) + row.moves
		names = user_full_names(user for stage in by_stage.values() for user in stage["movers"])
		data = []
		for name in self.stage_order(set(by_stage) | set(current)):
			stage = by_stage.get(name) or {"moves": 0, "days": 0.0, "longest": 0.0, "movers": {}}
			now_in = current.get(name) or frappe._dict()
			top = max(stage["movers"].items(), key=lambda item: (item[1], item[0] or ""), default=(None, 0))
			data.append(
				{
					"stage": name,
					"stage_label": label_of(name, translate),
					"moves": stage["moves"],
					"average_days": ratio(stage["days"], stage["moves"], 1),
					"longest_days": round(stage["longest"], 1) if stage["moves"] else None,
					"current": now_in.get("current") or 0,
					"average_current_days": ratio(
						now_in.get("seconds"), (now_in.get("dated") or 0) * SECONDS_PER_DAY, 1
					),
					"longest_current_days": ratio(now_in.get("longest_seconds"), SECONDS_PER_DAY, 1),
					"top_mover": names.get(top[0]) if top[0] else None,
					"top_mover_moves": top[1] or None,
					"drill": {"moves": self.moves_drill(name), "current": self.current_drill(name)},
				}
			)
		return data

	def moves_drill(self, stage, changed_by=None):
		if self.by_customer_fields:
			return None
		return drill(
			STAGE_CHANGE,
			reference_doctype=self.doctype,
			from_stage=stage,
			changed_by=changed_by or self.filters.get("changed_by"),
			changed_on=between(self.start, self.end),
		)

	def current_drill(self, stage):
		if self.doctype == CUSTOMER:
			return drill(CUSTOMER, **{**customer_route_filters(self.filters), "lifecycle_stage": stage})
		if self.by_customer_fields:
			return None
		return drill(OPPORTUNITY, sales_stage=stage, status="In Progress")

	def get_columns(self):
		stage = column(self.stage_type, "stage_label", "Data", width=150)
		if self.group_by == "Stage and Mover":
			return [
				stage,
				column("Moved By", "changed_by", "Link", "User", 200),
				column("Full Name", "full_name", "Data", width=120),
				column("Moves Out", "moves", "Int", width=100),
				column("Average Days in Stage", "average_days", "Float", width=170),
				column("Longest Days in Stage", "longest_days", "Float", width=170),
			]
		return [
			stage,
			column("Moves Out", "moves", "Int", width=100),
			column("Average Days in Stage", "average_days", "Float", width=170),
			column("Longest Days in Stage", "longest_days", "Float", width=170),
			column("Currently in Stage", "current", "Int", width=140),
			column("Average Current Days", "average_current_days", "Float", width=170),
			column("Longest Current Days", "longest_current_days", "Float", width=170),
			column("Moved Most By", "top_mover", "Data", width=140),
			column("Their Moves", "top_mover_moves", "Int", width=100),
		]

	def get_chart(self, data):
		if self.group_by == "Stage and Mover":
			return None
		datasets = [series("Average Days in Stage", data, "average_days", empty=0)]
		datasets.append(series("Average Current Days", data, "average_current_days", empty=0))
		return chart([row["stage_label"] for row in data], datasets, kind="bar")

	def get_summary(self, data, total):
		moves, current = self.moves, self.current
		total_moves = sum(row.moves for row in moves)
		items = [
			summary("Stage Moves", total_moves),
			summary(
				"Average Days in Stage",
				ratio(sum(float(row.days or 0) for row in moves), total_moves, 1),
				"Float",
				"Blue",
			),
			summary("Movers", len({row.changed_by for row in moves})),
		]
		if current:
			items.append(summary("Records in a Stage", sum(row.current for row in current.values())))
		return items


execute = StageDuration.execute
