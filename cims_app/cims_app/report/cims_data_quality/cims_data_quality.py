# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt
"""Customer records that need attention: required information missing, upkeep overdue (maintenance due
date passed), or churned longer ago than CIMS Settings' retention period and so up for review (nothing is
deleted automatically, SPEC §5). Counts cover every record in scope; the list shows the first rows."""

import frappe
from frappe import _
from frappe.query_builder import Criterion
from frappe.query_builder.functions import Count

from cims_app.cims_app.report.cims_report import (
	CIMSReport,
	chart,
	column,
	count_when,
	customer_columns,
	label_of,
	mask_rows,
	row_limit,
	summary,
)
from cims_app.domain.report_metrics import (
	REQUIRED_BY_TYPE,
	REQUIRED_FOR_ALL,
	days_between,
	missing_information,
	required_field_labels,
	retention_cutoff,
)
from cims_app.records.validation import get_setting

CUSTOMER = "CIMS Customer"
ISSUES = ("All Issues", "Missing Information", "Overdue Upkeep", "Retention Review")


class DataQuality(CIMSReport):
	summary_without_rows = True  # counts of every record in scope, the list only the first rows

	def __init__(self, filters=None):
		super().__init__(filters)
		self.issue = self.choice("issue", ISSUES, "All Issues", _("Unknown issue {0}"))
		self.limit = row_limit(self.filters)
		self.today = frappe.utils.getdate(frappe.utils.nowdate())
		self.retention_years = int(get_setting("retention_years", 10) or 10)
		self.cutoff = retention_cutoff(self.today, self.retention_years)
		self.customer = frappe.qb.DocType(CUSTOMER)

	# ---- conditions, built from the domain's list of required fields (never from user input) -------------

	def blank(self, fieldname):
		field = self.customer[fieldname]
		return field.isnull() | (field == "")

	def missing(self, fieldname):
		"""SQL for "this customer lacks `fieldname`", mirroring report_metrics.missing_information."""
		condition = self.blank(fieldname)
		if fieldname == "account_manager":
			condition = condition & (self.customer.in_public_pool == 0)
		if fieldname not in dict(REQUIRED_FOR_ALL):
			types = [kind for kind, fields in REQUIRED_BY_TYPE.items() if fieldname in dict(fields)]
			condition = condition & self.customer.customer_type.isin(types)
		return condition

	def required_fields(self):
		return list(required_field_labels())

	def overdue_upkeep(self):
		return self.customer.maintenance_due_on < self.today

	def retention_due(self):
		return (self.customer.lifecycle_stage == "Churned Customer") & (
			self.customer.churned_on < self.cutoff
		)

	def any_missing(self):
		return Criterion.any([self.missing(fieldname) for fieldname in self.required_fields()])

	def selected(self):
		return {
			"All Issues": Criterion.any([self.any_missing(), self.overdue_upkeep(), self.retention_due()]),
			"Missing Information": self.any_missing(),
			"Overdue Upkeep": self.overdue_upkeep(),
			"Retention Review": self.retention_due(),
		}[self.issue]

	# ---- queries -------------------------------------------------------------------------------------------

	def get_counts(self):
		measures = [Count("*").as_("customers")]
		measures += [
			count_when(self.missing(field)).as_(f"missing_{field}") for field in self.required_fields()
		]
		measures += [
			count_when(self.any_missing()).as_("missing_any"),
			count_when(self.overdue_upkeep()).as_("overdue_upkeep"),
			count_when(self.retention_due()).as_("retention_review"),
			count_when(self.selected()).as_("selected"),
		]
		query = frappe.qb.from_(self.customer).select(*measures)
		rows = self.scoped(query, self.customer, CUSTOMER).run(as_dict=True)
		return frappe._dict({key: int(value or 0) for key, value in (rows[0] if rows else {}).items()})

	def get_data(self):
		self.counts = self.get_counts()
		c = self.customer
		query = (
			frappe.qb.from_(c)
			.select(
				c.name.as_("customer"),
				c.customer_name,
				c.customer_type,
				c.lifecycle_stage,
				c.account_manager,
				c.in_public_pool,
				c.maintenance_due_on,
				c.churned_on,
				c.mobile_no,
				c.email_id,
				*[
					c[field]
					for field in self.required_fields()
					if field not in ("account_manager", "mobile_no")
				],
			)
			.where(self.selected())
			.orderby(c.maintenance_due_on)
			.orderby(c.name)
			.limit(self.limit)
		)
		rows = self.scoped(query, c, CUSTOMER).run(as_dict=True)
		labels = required_field_labels()
		data = []
		for row in rows:
			missing = missing_information(row)
			overdue_days = (
				int(days_between(row.maintenance_due_on, self.today, 0))
				if row.maintenance_due_on and row.maintenance_due_on < self.today
				else None
			)
			review = (
				row.lifecycle_stage == "Churned Customer" and row.churned_on and row.churned_on < self.cutoff
			)
			issues = []
			if missing:
				issues.append(_("Missing: {0}").format(", ".join(_(labels[field]) for field in missing)))
			if overdue_days:
				issues.append(_("Upkeep overdue by {0} days").format(overdue_days))
			if review:
				issues.append(_("Churned over {0} years ago: review").format(self.retention_years))
			data.append(
				{
					"customer": row.customer,
					"customer_name": row.customer_name,
					"customer_type": label_of(row.customer_type, translate=True),
					"lifecycle_stage": label_of(row.lifecycle_stage, translate=True),
					"account_manager": row.account_manager,
					"issues": "; ".join(issues),
					"missing_count": len(missing),
					"maintenance_due_on": row.maintenance_due_on,
					"days_overdue": overdue_days,
					"churned_on": row.churned_on,
					"mobile_no": row.mobile_no,
					"email_id": row.email_id,
				}
			)
		return mask_rows(data)

	def get_columns(self):
		return [
			*customer_columns("customer", "customer_name"),
			column("Customer Type", "customer_type", "Data", width=100),
			*customer_columns("lifecycle_stage", "account_manager"),
			column("Issues", "issues", "Data", width=320),
			column("Missing Fields", "missing_count", "Int", width=110),
			column("Maintenance Due On", "maintenance_due_on", "Date", width=140),
			column("Days Overdue", "days_overdue", "Int", width=110),
			column("Churned On", "churned_on", "Date", width=110),
			*customer_columns("mobile_no", "email_id"),
		]

	def get_message(self):
		counts = self.counts
		if counts.get("selected", 0) > self.limit:
			return _(
				"Showing {0} of {1} customers with issues; raise Rows or narrow the filters to see more."
			).format(self.limit, counts.selected)
		return None

	def issue_counts(self, counts):
		labels = required_field_labels()
		items = [
			(_("Missing {0}").format(_(labels[field])), counts.get(f"missing_{field}", 0))
			for field in self.required_fields()
		]
		items += [
			(_("Overdue Upkeep"), counts.get("overdue_upkeep", 0)),
			(_("Retention Review"), counts.get("retention_review", 0)),
		]
		return items

	def get_chart(self, data):
		items = self.issue_counts(self.counts)
		return chart(
			[label for label, _count in items],
			[{"name": _("Customers"), "values": [count for _label, count in items]}],
			kind="bar",
		)

	def get_summary(self, data, total):
		counts = self.counts
		if not counts.get("customers"):
			return []
		return [
			summary("Customers", counts.customers),
			summary("Missing Information", counts.missing_any, indicator="Orange"),
			summary("Overdue Upkeep", counts.overdue_upkeep, indicator="Red"),
			summary("Retention Review", counts.retention_review, indicator="Grey"),
		]


execute = DataQuality.execute
