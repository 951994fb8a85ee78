# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt
"""Customers at risk of churning (scored daily, SPEC §5), highest score first, with the reasons, the last
contact and what is at stake; the chart shows how the whole book splits by risk level."""

import frappe
from frappe import _
from frappe.query_builder.functions import Count, IfNull, NullIf, Sum

from cims_app.cims_app.report.cims_report import (
	CIMSReport,
	chart,
	column,
	customer_columns,
	label_of,
	mask_rows,
	money,
	now,
	row_limit,
	summary,
)
from cims_app.domain.churn import HIGH, LOW, MEDIUM, NO_RISK
from cims_app.domain.report_metrics import days_between
from cims_app.reminders.reader_texts import churn_reasons_text

CUSTOMER = "CIMS Customer"
LEVELS = (HIGH, MEDIUM, LOW, NO_RISK)
# "Risk Level" filter option -> the churn_risk values it lists.
RISK_LEVELS = {
	"High": ("High",),
	"Medium and High": ("High", "Medium"),
	"All at Risk": ("High", "Medium", "Low"),
}
LEVEL_COLOURS = {HIGH: "Red", MEDIUM: "Orange", LOW: "Yellow", NO_RISK: "Green"}


class ChurnRisk(CIMSReport):
	summary_without_rows = True  # the figures of every level, the list only the chosen

	def __init__(self, filters=None):
		super().__init__(filters)
		self.risk_level = self.choice(
			"risk_level", RISK_LEVELS, "Medium and High", _("Unknown risk level {0}")
		)
		self.limit = row_limit(self.filters)

	def in_scope(self, query, customer):
		"""The customers in scope: not yet churned (unless asked for) and matching the filters."""
		if (
			not self.filters.get("include_churned")
			and self.filters.get("lifecycle_stage") != "Churned Customer"
		):
			query = query.where(customer.lifecycle_stage != "Churned Customer")
		return self.scoped(query, customer, CUSTOMER)

	def get_levels(self):
		customer = frappe.qb.DocType(CUSTOMER)
		# Grouped by an expression, not the column: an index that starts with churn_risk would tempt the
		# optimizer to read every customer in its order with a row lookup each (1.7 s at 1,000,000
		# customers; 0.6 s reading the table). No level yet (NULL or blank) counts as no risk, one group.
		level = IfNull(NullIf(customer.churn_risk, ""), NO_RISK)
		query = (
			frappe.qb.from_(customer)
			.select(
				level.as_("churn_risk"),
				Count("*").as_("customers"),
				Sum(customer.annual_amount).as_("annual_amount"),
			)
			.groupby(level)
		)
		return {row.churn_risk: row for row in self.in_scope(query, customer).run(as_dict=True)}

	def get_data(self):
		self.levels = self.get_levels()
		customer = frappe.qb.DocType(CUSTOMER)
		query = (
			frappe.qb.from_(customer)
			.select(
				customer.name.as_("customer"),
				customer.customer_name,
				customer.lifecycle_stage,
				customer.value_tier,
				customer.churn_risk,
				customer.churn_risk_score,
				customer.churn_reasons,
				customer.last_follow_up_on,
				customer.next_follow_up_on,
				customer.account_manager,
				customer.mobile_no,
				customer.email_id,
				customer.annual_amount,
				customer.contract_end_date,
			)
			.where(customer.churn_risk.isin(RISK_LEVELS[self.risk_level]))
			.orderby(customer.churn_risk_score, order=frappe.qb.desc)
			.orderby(customer.name)
			.limit(self.limit)
		)
		rows = self.in_scope(query, customer).run(as_dict=True)
		moment = now()
		for row in rows:
			row.days_since_follow_up = days_between(row.last_follow_up_on, moment, 0)
			row.lifecycle_stage = label_of(row.lifecycle_stage, translate=True)
			row.value_tier = label_of(row.value_tier, translate=True) if row.value_tier else None
			row.churn_risk = _(row.churn_risk)
			row.churn_reasons = churn_reasons_text(row.churn_reasons, separator="; ")
			row.annual_amount = money(row.annual_amount)
		return mask_rows(rows)

	def get_columns(self):
		return [
			*customer_columns("customer", "customer_name", "lifecycle_stage"),
			column("Value Tier", "value_tier", "Data", width=120),
			column("Churn Risk", "churn_risk", "Data", width=90),
			column("Churn Risk Score", "churn_risk_score", "Int", width=120),
			column("Churn Reasons", "churn_reasons", "Data", width=260),
			column("Last Follow-Up", "last_follow_up_on", "Datetime", width=150),
			column("Days Since Follow-Up", "days_since_follow_up", "Int", width=150),
			column("Next Follow-Up", "next_follow_up_on", "Datetime", width=150),
			*customer_columns("account_manager", "mobile_no", "email_id"),
			column("Annual Amount", "annual_amount", "Currency", width=130),
			column("Contract End Date", "contract_end_date", "Date", width=130),
		]

	def get_message(self):
		levels = self.levels
		listed = sum(levels[level].customers for level in RISK_LEVELS[self.risk_level] if level in levels)
		if listed > self.limit:
			return _(
				"Showing the {0} customers with the highest scores of {1}; raise Rows to see more."
			).format(self.limit, listed)
		return None

	def get_chart(self, data):
		levels = self.levels
		present = [level for level in LEVELS if level in levels]
		definition = chart(
			[_(level) for level in present],
			[{"name": _("Customers"), "values": [levels[level].customers for level in present]}],
			kind="pie",
		)
		definition["colors"] = [LEVEL_COLOURS[level].lower() for level in present]
		return definition

	def get_summary(self, data, total):
		levels = self.levels
		if not levels:
			return []
		labels = {"High": "High Churn Risk", "Medium": "Medium Churn Risk", "Low": "Low Churn Risk"}
		items = [
			summary(label, levels[level].customers if level in levels else 0, "Int", LEVEL_COLOURS[level])
			for level, label in labels.items()
		]
		at_risk = sum(
			money(levels[level].annual_amount) for level in RISK_LEVELS[self.risk_level] if level in levels
		)
		items.append(summary("Annual Amount at Risk", at_risk, "Currency", "Red"))
		return items


execute = ChurnRisk.execute
