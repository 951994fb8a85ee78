# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import secrets

import frappe
from frappe import _
from frappe.model.document import Document


class CIMSCampaignMember(Document):
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
		self.check_in_token = self.check_in_token or secrets.token_urlsafe(24)

	def validate(self):
		existing = frappe.db.get_value(
			"CIMS Campaign Member",
			{"campaign": self.campaign, "customer": self.customer, "name": ("!=", self.name)},
			"name",
		)
		if existing:
			frappe.throw(
				_("{0} is already a member of this campaign.").format(
					frappe.bold(self.customer_name or self.customer)
				),
				frappe.DuplicateEntryError,
				title=_("Duplicate Member"),
			)
