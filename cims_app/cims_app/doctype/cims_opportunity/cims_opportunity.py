# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document
from frappe.utils import now_datetime, nowdate

from cims_app.customers.lifecycle import reconcile_opportunity_stage
from cims_app.customers.stage_history import record_stage_change
from cims_app.domain.opportunity_rules import expected_amount, require_close_fields, weighted_amount
from cims_app.records.typed_fields import TypedFields
from cims_app.records.validation import run_rule


class CIMSOpportunity(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from cims_app.cims_app.doctype.cims_opportunity_competitor.cims_opportunity_competitor import (
			CIMSOpportunityCompetitor,
		)

		campaign: DF.Link | None
		closed_on: DF.Date | None
		competitors: DF.Table[CIMSOpportunityCompetitor]
		contact: DF.Link | None
		customer: DF.Link
		customer_name: DF.Data | None
		description: DF.TextEditor | None
		expected_amount: DF.Currency
		expected_close_date: DF.Date | None
		lost_reason: DF.SmallText | None
		opportunity_title: DF.Data
		owner_user: DF.Link | None
		probability: DF.Percent
		quantity: DF.Float
		sales_stage: DF.Link | None
		stage_changed_on: DF.Datetime | None
		status: DF.Literal["In Progress", "Won", "Lost"]
		unit_price: DF.Currency
		weighted_amount: DF.Currency
		won_amount: DF.Currency

	# end: auto-generated types
	def validate(self):
		reconcile_opportunity_stage(self)
		run_rule(require_close_fields, self.status, self.won_amount, self.lost_reason, doc=self)
		self.set_amounts()
		self.set_stage_dates()
		self.owner_user = self.owner_user or frappe.session.user

	def on_update(self):
		record_stage_change(self, "sales_stage", customer=self.customer)

	def set_amounts(self):
		computed = run_rule(expected_amount, self.unit_price, self.quantity, doc=self)
		if computed is not None:
			self.expected_amount = computed
		if self.status == "Won":
			self.probability = 100
		elif self.status == "Lost":
			self.probability = 0
		elif self.sales_stage and (self.has_value_changed("sales_stage") or not self.probability):
			self.probability = frappe.db.get_value("CIMS Sales Stage", self.sales_stage, "probability") or 0
		self.weighted_amount = run_rule(weighted_amount, self.expected_amount, self.probability, doc=self)

	def set_stage_dates(self):
		if self.is_new() or self.has_value_changed("sales_stage"):
			self.stage_changed_on = now_datetime()
		if self.status in ("Won", "Lost"):
			self.closed_on = self.closed_on or nowdate()
		else:
			self.closed_on = None


def on_doctype_update():
	"""Composite indexes for reports and row rules (cims_app/db/indexes.py)."""
	from cims_app.db.indexes import add_opportunity_indexes

	add_opportunity_indexes()
