# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt
"""Sales results per rep, team, region or month: new customers, completed follow-ups, won deals and amount,
against CIMS Sales Target (prorated to the period) with completion rates and a ranking."""

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Sum

from cims_app.cims_app.report.cims_report import (
	CIMSReport,
	between,
	chart,
	column,
	customer_filters_set,
	customer_route_filters,
	drill,
	label_of,
	money,
	month_bucket,
	months_into_quarter,
	permitted,
	series,
	summary,
	total_row,
	unset_last,
	user_full_names,
)
from cims_app.domain.report_metrics import (
	completion_rate,
	month_keys,
	prorated_target,
	rank_descending,
)
from cims_app.follow_ups import tally

CUSTOMER, FOLLOW_UP, OPPORTUNITY, TARGET = (
	"CIMS Customer",
	"CIMS Follow-Up",
	"CIMS Opportunity",
	"CIMS Sales Target",
)
GROUP_BY = ("Rep", "Sales Team", "Region", "Month")
OWNER_FIELD = {CUSTOMER: "account_manager", FOLLOW_UP: "assigned_to", OPPORTUNITY: "owner_user"}
# Filters on the customer's fields this report offers (the rep filter is `user`, on each record's owner).
CUSTOMER_SIDE = ("sales_team", "region", "industry")


class SalesPerformance(CIMSReport):
	def __init__(self, filters=None):
		super().__init__(filters)
		self.group_by = self.choice("group_by", GROUP_BY, "Rep")
		# By default the current quarter, the period targets are usually reviewed over.
		self.set_period(months_back=months_into_quarter(frappe.utils.getdate()))
		self.customer_filters = frappe._dict({name: self.filters.get(name) for name in CUSTOMER_SIDE})

	# ---- queries: one GROUP BY per measure ------------------------------------------------------------

	def by_group(self, doctype, date_field, measures, condition=None):
		"""{group: `measures`} of the `doctype` records meeting `condition` and dated in the period by
		`date_field`: grouped by owner, by the month of that date, or by their customer's team or region."""
		table = frappe.qb.DocType(doctype)
		customer = table if doctype == CUSTOMER else frappe.qb.DocType(CUSTOMER)
		owner = table[OWNER_FIELD[doctype]]
		if self.group_by == "Rep":
			key = owner
		elif self.group_by == "Month":
			key = month_bucket(table[date_field])
		else:
			key = customer["sales_team" if self.group_by == "Sales Team" else "region"]
		conditions = [table[date_field][self.start : self.end]]
		if condition:
			conditions.append(condition(table))
		if self.filters.get("user"):
			conditions.append(owner == self.filters.user)
		return self.grouped(
			table,
			doctype,
			key,
			measures(table),
			*conditions,
			customer_filters=self.customer_filters,
			join_customer=self.group_by in ("Sales Team", "Region"),
			customer=customer,
		)

	def get_measures(self):
		self.new_customers = self.by_group(CUSTOMER, "creation", lambda t: [Count("*").as_("count")])
		self.follow_ups = self.completed_follow_ups()
		self.won = self.by_group(
			OPPORTUNITY,
			"closed_on",
			lambda t: [Count("*").as_("count"), Sum(t.won_amount).as_("amount")],
			lambda t: t.status == "Won",
		)
		self.targets = self.get_targets()

	def completed_follow_ups(self):
		if self.group_by in ("Rep", "Month") and self.completed_from_tally():
			# from the daily tally (cims_app.follow_ups.tally): a few hundred rows a day, not every follow-up
			def key(t):
				return t.assigned_to if self.group_by == "Rep" else month_bucket(t.day)

			user = self.filters.get("user")
			return tally.completed_by(
				key,
				self.from_date,
				self.to_date,
				lambda t: [tally.counted(t).as_("count")],
				*([lambda t: t.assigned_to == user] if user else []),
			)
		return self.by_group(
			FOLLOW_UP,
			"completed_on",
			lambda t: [Count("*").as_("count")],
			lambda t: t.status == "Completed",
		)

	# ---- targets ----------------------------------------------------------------------------------------

	def target_scope(self):
		"""Which targets apply: ("User", users or None) or ("Sales Team", teams or None); None for regions."""
		if self.group_by == "Region":
			return None
		if self.group_by == "Rep" or self.filters.get("user"):
			if self.filters.get("user"):
				return "User", [self.filters.user]
			if self.filters.get("sales_team"):
				return "User", self.team_members()
			return "User", None
		if self.filters.get("sales_team"):
			return "Sales Team", [self.filters.sales_team]
		return "Sales Team", None

	def team_members(self):
		return frappe.get_all(
			"CIMS Sales Team Member",
			filters={"parenttype": "CIMS Sales Team", "parent": self.filters.sales_team},
			pluck="user",
		)

	def load_targets(self, target_for, owners):
		target = frappe.qb.DocType(TARGET)
		owner = target.user if target_for == "User" else target.sales_team
		query = (
			frappe.qb.from_(target)
			.select(
				owner.as_("owner"),
				target.period_start,
				target.period_end,
				target.target_amount,
				target.target_new_customers,
			)
			.where(target.target_for == target_for)
			.where(target.period_start <= self.to_date)
			.where(target.period_end >= self.from_date)
		)
		if owners is not None:
			if not owners:
				return []
			query = query.where(owner.isin(owners))
		return permitted(query, TARGET).run(as_dict=True)

	def get_targets(self):
		"""{group key: (target amount, target new customers)} prorated to the period (or to each month)."""
		scope = self.target_scope()
		if not scope:
			return {}
		rows = self.load_targets(*scope)
		if not rows and self.group_by == "Month" and scope[0] == "Sales Team":
			# No team targets: the team's (or company's) target is the sum of its reps' targets.
			rows = self.load_targets("User", self.team_members() if self.filters.get("sales_team") else None)
		targets = {}
		for row in rows:
			if self.group_by == "Month":
				parts = [
					(key, *self.month_in_period(key)) for key in month_keys(self.from_date, self.to_date)
				]
			else:
				parts = [(row.owner, self.from_date, self.to_date)]
			for key, start, end in parts:
				amount, customers = targets.get(key, (0.0, 0.0))
				targets[key] = (
					amount + prorated_target(row.target_amount, row.period_start, row.period_end, start, end),
					customers
					+ prorated_target(row.target_new_customers, row.period_start, row.period_end, start, end),
				)
		return targets

	# ---- rows -------------------------------------------------------------------------------------------

	def group_keys(self):
		if self.group_by == "Month":
			return month_keys(self.from_date, self.to_date)
		return unset_last(set(self.new_customers) | set(self.follow_ups) | set(self.won) | set(self.targets))

	def get_data(self):
		self.get_measures()
		keys = self.group_keys()
		names = user_full_names(keys) if self.group_by == "Rep" else {}
		data = []
		for key in keys:
			won = self.won.get(key) or frappe._dict()
			target_amount, target_customers = self.targets.get(key, (None, None))
			new_customers = (self.new_customers.get(key) or frappe._dict()).get("count") or 0
			won_amount = money(won.get("amount"))
			data.append(
				{
					"group_key": key,
					"group_label": label_of(key),
					"full_name": names.get(key),
					"new_customers": new_customers,
					"follow_ups": (self.follow_ups.get(key) or frappe._dict()).get("count") or 0,
					"won_deals": won.get("count") or 0,
					"won_amount": won_amount,
					"target_amount": money(target_amount) if target_amount is not None else None,
					"completion_rate": completion_rate(won_amount, target_amount),
					"target_new_customers": round(target_customers, 1)
					if target_customers is not None
					else None,
					"new_customer_completion": completion_rate(new_customers, target_customers),
					"drill": self.drill_targets(key),
				}
			)
		if self.group_by != "Month":
			for row, rank in zip(data, rank_descending([row["won_amount"] for row in data]), strict=True):
				row["rank"] = rank
			data.sort(key=lambda row: (row["rank"], row["group_label"]))
		return data

	def drill_targets(self, key):
		"""Links to the records behind a rep's or a month's numbers (teams and regions group by customer)."""
		if self.group_by == "Rep":
			if not key:
				return None
			rep, period = key, between(self.from_date, self.to_date)
		elif self.group_by == "Month":
			rep = self.filters.get("user")
			period = between(*self.month_in_period(key))
		else:
			return None

		def owned(doctype):
			return {OWNER_FIELD[doctype]: rep} if rep else {}

		targets = {
			"new_customers": drill(
				CUSTOMER, **owned(CUSTOMER), **customer_route_filters(self.customer_filters), creation=period
			)
		}
		# Follow-up and opportunity lists cannot filter on their customer's team or region.
		if not customer_filters_set(self.customer_filters):
			targets["follow_ups"] = drill(
				FOLLOW_UP, **owned(FOLLOW_UP), status="Completed", completed_on=period
			)
			targets["won_deals"] = drill(OPPORTUNITY, **owned(OPPORTUNITY), status="Won", closed_on=period)
		return targets

	def get_columns(self):
		if self.group_by == "Rep":
			first = [
				column("Sales Rep", "group_key", "Link", "User", 200),
				column("Full Name", "full_name", "Data", width=120),
			]
		elif self.group_by == "Sales Team":
			first = [column("Sales Team", "group_key", "Link", "CIMS Sales Team", 160)]
		elif self.group_by == "Region":
			first = [column("Region", "group_key", "Link", "CIMS Region", 140)]
		else:
			first = [column("Month", "group_key", "Data", width=100)]
		return [
			*first,
			column("New Customers", "new_customers", "Int", width=120),
			column("Completed Follow-Ups", "follow_ups", "Int", width=150),
			column("Won Deals", "won_deals", "Int", width=100),
			column("Won Amount", "won_amount", "Currency", width=140),
			column("Target Amount", "target_amount", "Currency", width=140),
			column("Completion Rate", "completion_rate", "Percent", width=130),
			column("Target New Customers", "target_new_customers", "Float", width=150),
			column("New Customer Completion", "new_customer_completion", "Percent", width=170),
			column("Rank", "rank", "Int", width=70) | {"no_total": 1},
		]

	def get_total(self, data, columns):
		won_amount = sum(row["won_amount"] for row in data)
		new_customers = sum(row["new_customers"] for row in data)
		targets = [row["target_amount"] for row in data if row["target_amount"] is not None]
		target_customers = [
			row["target_new_customers"] for row in data if row["target_new_customers"] is not None
		]
		target_amount = round(sum(targets), 2) if targets else None
		target_new = round(sum(target_customers), 1) if target_customers else None
		return total_row(
			data,
			columns,
			"group_key",
			group_label=_("Total"),
			target_amount=target_amount,
			completion_rate=completion_rate(won_amount, target_amount),
			target_new_customers=target_new,
			new_customer_completion=completion_rate(new_customers, target_new),
		)

	def get_chart(self, data):
		labels = [row["full_name"] or row["group_label"] for row in data]
		datasets = [series("Won Amount", data, "won_amount")]
		if any(row["target_amount"] for row in data):
			datasets.append(series("Target Amount", data, "target_amount", empty=0))
		return chart(labels, datasets, kind="bar", fieldtype="Currency")

	def get_summary(self, data, total):
		return [
			summary("New Customers", total.get("new_customers") or 0),
			summary("Completed Follow-Ups", total.get("follow_ups") or 0),
			summary("Won Deals", total.get("won_deals") or 0, indicator="Green"),
			summary("Won Amount", total.get("won_amount") or 0, "Currency", "Green"),
			summary("Completion Rate", total.get("completion_rate"), "Percent", "Blue"),
		]


execute = SalesPerformance.execute
