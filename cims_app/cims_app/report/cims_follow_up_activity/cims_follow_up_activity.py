# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt
"""Follow-up work of a period by rep, type or status: completed, planned, overdue and cancelled, the share of
due follow-ups that were done, results, feedback and service satisfaction.

A follow-up belongs to the period of its completion when completed, of its schedule otherwise; it is
overdue when still Planned after its scheduled time."""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, DateFormat, Sum

from cims_app.access.scoping import reaches_every_row
from cims_app.cims_app.report.cims_report import (
	CIMSReport,
	between,
	chart,
	column,
	count_when,
	day_bounds,
	drill,
	label_of,
	now,
	series,
	sum_when,
	summary,
	total_row,
	user_full_names,
)
from cims_app.domain.follow_up_flow import CANCELLED, COMPLETED, PLANNED
from cims_app.domain.report_metrics import completion_rate, rate, ratio, satisfaction_stars, week_bounds
from cims_app.follow_ups import tally

FOLLOW_UP = "CIMS Follow-Up"
# "Group By" option -> (follow-up fieldname, whether its values are Select options to translate).
GROUPS = {
	"Rep": ("assigned_to", False),
	"Follow-Up Type": ("follow_up_type", True),
	"Status": ("status", True),
	"Result": ("result", True),
	"Customer Feedback": ("customer_feedback", True),
	"Week": (None, False),
}
# ISO year and week, as report_metrics.week_key writes them.
WEEK_FORMAT = "%x-W%v"
# Filters on the follow-up's own fields.
FOLLOW_UP_FILTERS = ("assigned_to", "follow_up_type", "status")
# Those the daily tally of completed follow-ups is keyed by (status: the tally is the completed ones).
TALLY_FILTERS = ("assigned_to", "follow_up_type")


class FollowUpActivity(CIMSReport):
	def __init__(self, filters=None):
		super().__init__(filters)
		self.group_by = self.choice("group_by", GROUPS, "Rep")
		self.fieldname, self.translate = GROUPS[self.group_by]
		# By default the current month and the two before it.
		self.set_period(months_back=2)
		self.moment = now()

	def get_rows(self):
		"""Completed follow-ups (by completion date) and the others (by schedule), merged per group.

		For a reader whose follow-ups are the whole company's, two GROUP BY queries, each answered from one
		index alone (the completed ones from their daily tally where it serves). For a reader limited by the
		row rules (a rep, a manager: the follow-ups of the customers they reach), one pass: the database
		goes from the reader's customers to their follow-ups (the customer_history_index), and reading each
		customer's follow-ups once for both halves halves the work (at 1,000,000 customers a rep's report
		took 1.48 s, now 0.88 s)."""
		status = self.filters.get("status")
		if status in (None, "") and not reaches_every_row(FOLLOW_UP):
			branches = [self.all_rows()]
		else:
			branches = []
			if status in (None, "", COMPLETED):
				branches.append(self.completed_rows())
			if status != COMPLETED:
				branches.append(self.other_rows())
		rows = {}
		for branch in branches:
			for key, row in branch.items():
				merged = rows.setdefault(key, frappe._dict(group_key=key))
				for measure, value in row.items():
					if measure != "group_key":
						merged[measure] = (merged.get(measure) or 0) + (value or 0)
		ordered = sorted(rows.values(), key=lambda row: (row.group_key is None, row.group_key or ""))
		if self.group_by != "Week":
			ordered.sort(key=lambda row: -row.total)
		return ordered

	def by_group(self, dated, measures, condition):
		"""{group: Count and `measures`} of the follow-ups meeting `condition` (period included); `dated`:
		the date a follow-up's week is taken from."""
		follow_up = frappe.qb.DocType(FOLLOW_UP)
		if self.group_by == "Week":
			group = DateFormat(dated(follow_up), WEEK_FORMAT)
		else:
			group = follow_up[self.fieldname]
		return self.grouped(
			follow_up,
			FOLLOW_UP,
			group,
			[Count("*").as_("total"), *measures(follow_up)],
			condition(follow_up),
			self.matching(follow_up, FOLLOW_UP_FILTERS),
		)

	# A follow-up's period and week are those of its completion when completed, of its schedule otherwise.
	def completed_in_period(self, follow_up):
		return (follow_up.status == COMPLETED) & follow_up.completed_on[self.start : self.end]

	def others_in_period(self, follow_up):
		# Spelled out (not "!= Completed") so the database reads the (status, scheduled_on) index.
		return follow_up.status.isin((PLANNED, CANCELLED)) & follow_up.scheduled_on[self.start : self.end]

	@staticmethod
	def completed_measures(follow_up):
		"""Of the completed follow-ups among the rows read. Satisfaction is a Rating (stored 0-1), given on
		Service and Complaint follow-ups only."""
		completed = follow_up.status == COMPLETED
		rated = completed & (follow_up.satisfaction_score > 0)
		return [
			count_when(completed).as_("completed"),
			count_when(completed & (follow_up.result == "Success")).as_("successful"),
			count_when(completed & (follow_up.customer_feedback == "Positive")).as_("positive"),
			count_when(completed & (follow_up.customer_feedback == "Negative")).as_("negative"),
			count_when(rated).as_("rated"),
			sum_when(rated, follow_up.satisfaction_score).as_("rating_sum"),
		]

	def other_measures(self, follow_up):
		planned = follow_up.status == PLANNED
		return [
			count_when(planned).as_("planned"),
			count_when(planned & (follow_up.scheduled_on < self.moment)).as_("overdue"),
			count_when(follow_up.status == CANCELLED).as_("cancelled"),
		]

	def all_rows(self):
		def dated(follow_up):
			return (
				Case()
				.when(follow_up.status == COMPLETED, follow_up.completed_on)
				.else_(follow_up.scheduled_on)
			)

		return self.by_group(
			dated,
			lambda follow_up: [*self.completed_measures(follow_up), *self.other_measures(follow_up)],
			lambda follow_up: self.completed_in_period(follow_up) | self.others_in_period(follow_up),
		)

	def completed_rows(self):
		if self.group_by != "Status" and self.completed_from_tally(TALLY_FILTERS):
			return self.completed_tally_rows()
		return self.by_group(
			lambda follow_up: follow_up.completed_on, self.completed_measures, self.completed_in_period
		)

	def completed_tally_rows(self):
		"""The completed_rows figures from the daily tally: a few hundred rows a day, not every follow-up."""

		def key(t):
			return DateFormat(t.day, WEEK_FORMAT) if self.group_by == "Week" else t[self.fieldname]

		def measures(t):
			return [
				tally.counted(t).as_("total"),
				tally.counted(t).as_("completed"),
				tally.counted(t, t.result == "Success").as_("successful"),
				tally.counted(t, t.customer_feedback == "Positive").as_("positive"),
				tally.counted(t, t.customer_feedback == "Negative").as_("negative"),
				Sum(t.rated).as_("rated"),
				Sum(t.rating_sum).as_("rating_sum"),
			]

		return tally.completed_by(
			key, self.from_date, self.to_date, measures, lambda t: self.matching(t, TALLY_FILTERS)
		)

	def other_rows(self):
		return self.by_group(
			lambda follow_up: follow_up.scheduled_on, self.other_measures, self.others_in_period
		)

	def get_data(self):
		rows = self.get_rows()
		names = user_full_names(row.group_key for row in rows) if self.group_by == "Rep" else {}
		data = []
		for row in rows:
			completed, overdue = int(row.completed or 0), int(row.overdue or 0)
			value = row.group_key or None
			data.append(
				{
					"group_value": value,
					"group_label": names.get(value) or label_of(value, self.translate),
					"total": row.total,
					"completed": completed,
					"planned": int(row.planned or 0),
					"overdue": overdue,
					"cancelled": int(row.cancelled or 0),
					"completion_rate": completion_rate(completed, completed + overdue),
					"successful": int(row.successful or 0),
					"success_rate": rate(row.successful, completed),
					"positive": int(row.positive or 0),
					"negative": int(row.negative or 0),
					"satisfaction": satisfaction_stars(ratio(row.rating_sum, row.rated, 4)),
					"rated": int(row.rated or 0),
					"rating_sum": float(row.rating_sum or 0),
					"drill": self.drill_targets(value),
				}
			)
		return data

	def drill_targets(self, value):
		if self.by_customer_fields:
			return None
		start, end = self.start, self.end
		if self.group_by == "Week":
			keyed = {}
			monday, sunday = week_bounds(value)
			start, end = max(start, day_bounds(monday, sunday)[0]), min(end, day_bounds(monday, sunday)[1])
		else:
			keyed = {self.fieldname: value or ["is", "not set"]}
		keyed = {**self.set_filters(FOLLOW_UP_FILTERS), **keyed}
		period = between(start, end)
		overdue_until = between(start, min(end, self.moment))

		def listed(status, date_field, dates):
			if keyed.get("status", status) != status:
				return None
			return drill(FOLLOW_UP, **{**keyed, "status": status, date_field: dates})

		return {
			"completed": listed("Completed", "completed_on", period),
			"planned": listed("Planned", "scheduled_on", period),
			"overdue": listed("Planned", "scheduled_on", overdue_until),
			"cancelled": listed(CANCELLED, "scheduled_on", period),
		}

	def get_columns(self):
		if self.group_by == "Rep":
			first = column("Sales Rep", "group_value", "Link", "User", 200)
		else:
			first = column(self.group_by, "group_label", "Data", width=140)
		return [
			first,
			column("Follow-Ups", "total", "Int", width=100),
			column("Completed", "completed", "Int", width=100),
			column("Planned", "planned", "Int", width=90),
			column("Overdue", "overdue", "Int", width=90),
			column("Called Off", "cancelled", "Int", width=90),
			column("Completion Rate", "completion_rate", "Percent", width=130),
			column("Successful", "successful", "Int", width=100),
			column("Success Rate", "success_rate", "Percent", width=110),
			column("Positive Feedback", "positive", "Int", width=130),
			column("Negative Feedback", "negative", "Int", width=130),
			column("Average Satisfaction", "satisfaction", "Float", width=150),
		]

	def get_total(self, data, columns):
		completed = sum(row["completed"] for row in data)
		overdue = sum(row["overdue"] for row in data)
		successful = sum(row["successful"] for row in data)
		label_field = "group_value" if self.group_by == "Rep" else "group_label"
		return total_row(
			data,
			columns,
			label_field,
			completion_rate=completion_rate(completed, completed + overdue),
			success_rate=rate(successful, completed),
			# all rated follow-ups together, not the average of the groups' averages
			satisfaction=satisfaction_stars(
				ratio(sum(row["rating_sum"] for row in data), sum(row["rated"] for row in data), 4)
			),
		)

	def get_chart(self, data):
		labels = [row["group_label"] for row in data]
		on_time = [row["planned"] - row["overdue"] for row in data]
		definition = chart(
			labels,
			[
				series("Completed", data, "completed"),
				{"name": _("Planned"), "values": on_time},
				series("Overdue", data, "overdue"),
				series("Called Off", data, "cancelled"),
			],
			kind="bar",
			latest=self.group_by == "Week",
		)
		definition["barOptions"] = {"stacked": 1}
		definition["colors"] = ["green", "blue", "red", "grey"]
		return definition

	def get_summary(self, data, total):
		return [
			summary("Follow-Ups", total["total"]),
			summary("Completed", total["completed"], indicator="Green"),
			summary("Overdue", total["overdue"], indicator="Red"),
			summary("Completion Rate", total["completion_rate"], "Percent", "Blue"),
			summary("Average Satisfaction", total["satisfaction"], "Float"),
		]


execute = FollowUpActivity.execute
