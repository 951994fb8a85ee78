# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime

from cims_app.campaigns import members as campaigns
from cims_app.records.typed_fields import TypedFields


class CIMSCampaignMember(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		campaign: DF.Link
		check_in_token: DF.Data | None
		checked_in_at: DF.Datetime | None
		contact: DF.Link | None
		conversion_amount: DF.Currency
		converted: DF.Check
		customer: DF.Link
		customer_name: DF.Data | None
		feedback: DF.SmallText | None
		high_intent: DF.Check
		interactions: DF.Int
		invited_on: DF.Datetime | None
		status: DF.Literal["Invited", "Registered", "Attended", "No-Show"]
		watch_minutes: DF.Float

	# end: auto-generated types
	def before_insert(self):
		# Unguessable: the token alone admits a guest to check in.
		self.check_in_token = self.check_in_token or campaigns.new_check_in_token()

	def validate(self):
		before = self.get_doc_before_save()
		campaigns.lock_campaigns([self.campaign, before and before.campaign])
		existing = frappe.db.get_value(
			"CIMS Campaign Member",
			{"campaign": self.campaign, "customer": self.customer, "name": ("!=", self.name)},
			"name",
		)
		if existing:
			self.throw_already_member()
		if not self.contact:
			self.contact = frappe.db.get_value("CIMS Customer", self.customer, "primary_contact")
		if self.status == "Attended" and not self.checked_in_at:
			self.checked_in_at = now_datetime()
		self.converted, self.conversion_amount = campaigns.member_conversion(self.campaign, self.customer)

	def throw_already_member(self):
		frappe.throw(
			_("{0} is already a member of this campaign.").format(
				frappe.bold(self.customer_name or self.customer)
			),
			frappe.DuplicateEntryError,
			title=_("Duplicate Member"),
		)

	def db_insert(self, *args, **kwargs):
		# The unique index on (campaign, customer) holds under concurrent saves: the later one gets the form's
		# message, not the framework's "must be unique".
		try:
			return super().db_insert(*args, **kwargs)
		except frappe.UniqueValidationError:
			self.explain_unique_violation()
			raise

	def db_update(self):
		try:
			return super().db_update()
		except frappe.UniqueValidationError:
			self.explain_unique_violation()
			raise

	def explain_unique_violation(self):
		if frappe.db.sql(
			"""SELECT name FROM `tabCIMS Campaign Member` WHERE campaign = %s AND customer = %s AND name != %s
			FOR UPDATE""",
			(self.campaign, self.customer, self.name or ""),
		):
			frappe.clear_last_message()
			self.throw_already_member()

	def on_update(self):
		before = self.get_doc_before_save()
		if self.high_intent and not (before and before.high_intent):
			campaigns.mark_customers_high_intent([self.customer], self.campaign)
		campaigns.refresh_metrics([self.campaign, before and before.campaign])

	def after_delete(self):
		campaigns.refresh_metrics([self.campaign])


def on_doctype_update():
	"""Composite indexes for reports and row rules (cims_app/db/indexes.py)."""
	from cims_app.db.indexes import add_campaign_member_indexes

	add_campaign_member_indexes()
