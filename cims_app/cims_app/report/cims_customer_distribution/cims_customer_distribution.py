# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt
"""How the customers the user may see spread over industry, region, size, tier, stage, source or type."""

import frappe
from frappe.query_builder.functions import Count, Sum

from cims_app.cims_app.report.cims_report import (
	CIMSReport,
	between,
	chart,
	column,
	count_when,
	customer_route_filters,
	day_bounds,
	drill,
	label_of,
	money,
	month_bucket,
	series,
	summary,
	total_row,
)
from cims_app.domain.report_metrics import CONVERTED_STAGES, month_bounds, rate

CUSTOMER = "CIMS Customer"
# "Group By" option -> (customer fieldname, whether its values are Select options to translate).
GROUPS = {
	"Industry": ("industry", False),
	"Region": ("region", False),
	"Customer Size": ("customer_size", False),
	"Value Tier": ("value_tier", True),
	"Lifecycle Stage": ("lifecycle_stage", True),
	"Customer Source": ("customer_source", False),
	"Customer Type": ("customer_type", True),
	"Customer Category": ("customer_category", True),
	"Intent Level": ("intent_level", True),
	"Created Month": ("creation", False),
}


class CustomerDistribution(CIMSReport):
	def __init__(self, filters=None):
		super().__init__(filters)
		self.group_by = self.choice("group_by", GROUPS, "Industry")
		self.fieldname, self.translate = GROUPS[self.group_by]
		self.by_month = self.group_by == "Created Month"

	def get_columns(self):
		return [
			column(self.group_by, "group_label", "Data", width=180),
			column("Customers", "customers", "Int", width=110),
			column("Share of Customers", "share", "Percent", width=100),
			column("Converted Customers", "converted", "Int", width=140),
			column("Conversion Rate", "conversion_rate", "Percent", width=130),
			column("High Value Customers", "high_value", "Int", width=140),
			column("Annual Amount", "annual_amount", "Currency", width=140),
			column("Cumulative Amount", "cumulative_amount", "Currency", width=150),
		]

	def get_data(self):
		customer = frappe.qb.DocType(CUSTOMER)
		group = month_bucket(customer.creation) if self.by_month else customer[self.fieldname]
		query = (
			frappe.qb.from_(customer)
			.select(
				group.as_("group_value"),
				Count("*").as_("customers"),
				count_when(customer.lifecycle_stage.isin(CONVERTED_STAGES)).as_("converted"),
				count_when(customer.value_tier == "High Value Customer").as_("high_value"),
				Sum(customer.annual_amount).as_("annual_amount"),
				Sum(customer.cumulative_amount).as_("cumulative_amount"),
			)
			.groupby(group)
		)
		query = query.orderby(group) if self.by_month else query.orderby(Count("*"), order=frappe.qb.desc)
		if self.filters.get("from_date") or self.filters.get("to_date"):
			start, end = day_bounds(
				frappe.utils.getdate(self.filters.get("from_date") or "1900-01-01"),
				frappe.utils.getdate(self.filters.get("to_date") or frappe.utils.nowdate()),
			)
			query = query.where(customer.creation[start:end])
		rows = self.scoped(query, customer, CUSTOMER).run(as_dict=True)

		everyone = sum(row.customers for row in rows)
		data = []
		for row in rows:
			value = row.group_value or None
			data.append(
				{
					"group_label": label_of(value, self.translate),
					"group_value": value,
					"customers": row.customers,
					"share": rate(row.customers, everyone),
					"converted": int(row.converted or 0),
					"conversion_rate": rate(row.converted, row.customers),
					"high_value": int(row.high_value or 0),
					"annual_amount": money(row.annual_amount),
					"cumulative_amount": money(row.cumulative_amount),
					"drill": self.drill_targets(value),
				}
			)
		return data

	def drill_targets(self, value):
		if self.by_month:
			first, last = month_bounds(value)
			base = {**customer_route_filters(self.filters), "creation": between(first, last)}
		else:
			base = {**customer_route_filters(self.filters), self.fieldname: value or ["is", "not set"]}
		if self.filters.get("from_date") and self.filters.get("to_date") and not self.by_month:
			base["creation"] = between(self.filters.from_date, self.filters.to_date)
		return {
			"customers": drill(CUSTOMER, **base),
			"converted": drill(CUSTOMER, **{**base, "lifecycle_stage": ["in", list(CONVERTED_STAGES)]})
			if self.fieldname != "lifecycle_stage"
			else None,
			"high_value": drill(CUSTOMER, **{**base, "value_tier": "High Value Customer"}),
		}

	def get_total(self, data, columns):
		customers = sum(row["customers"] for row in data)
		converted = sum(row["converted"] for row in data)
		return total_row(
			data,
			columns,
			"group_label",
			share=rate(customers, customers),
			conversion_rate=rate(converted, customers),
		)

	def get_chart(self, data):
		return chart(
			[row["group_label"] for row in data],
			[series("Customers", data, "customers")],
			kind="bar" if self.by_month else None,
			latest=self.by_month,
		)

	def get_summary(self, data, total):
		return [
			summary("Customers", total["customers"]),
			summary("Converted Customers", total["converted"], indicator="Green"),
			summary("Conversion Rate", total["conversion_rate"], "Percent", "Blue"),
			summary("Cumulative Amount", total["cumulative_amount"], "Currency"),
		]


execute = CustomerDistribution.execute
