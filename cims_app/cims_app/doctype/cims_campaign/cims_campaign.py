# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt, get_datetime

from cims_app.campaigns import members as campaigns
from cims_app.campaigns.invitations import send_invitations
from cims_app.domain.campaign_rules import ANNOUNCED, check_status_transition
from cims_app.records.typed_fields import TypedFields
from cims_app.records.validation import run_rule

INVITATION_FIELDS = [
	"invitation_status",
	"invitation_heartbeat",
	"invitations_interrupted_on",
	"invitation_run_by",
]


class CIMSCampaign(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from cims_app.cims_app.doctype.cims_campaign_agenda_item.cims_campaign_agenda_item import (
			CIMSCampaignAgendaItem,
		)
		from cims_app.cims_app.doctype.cims_campaign_budget_item.cims_campaign_budget_item import (
			CIMSCampaignBudgetItem,
		)
		from cims_app.cims_app.doctype.cims_campaign_target_tag.cims_campaign_target_tag import (
			CIMSCampaignTargetTag,
		)
		from cims_app.cims_app.doctype.cims_campaign_team_member.cims_campaign_team_member import (
			CIMSCampaignTeamMember,
		)

		agenda: DF.Table[CIMSCampaignAgendaItem]
		budget_items: DF.Table[CIMSCampaignBudgetItem]
		campaign_name: DF.Data
		campaign_type: DF.Literal["Offline Event", "Online Event"]
		conversion_rate: DF.Percent
		conversions: DF.Int
		cost_per_participant: DF.Currency
		customer_source: DF.Link | None
		end_datetime: DF.Datetime | None
		format: DF.Literal["", "Live Stream", "Webinar", "Expo", "Salon", "Promotion", "Other"]
		invitation_heartbeat: DF.Datetime | None
		invitation_run_by: DF.Data | None
		invitation_status: DF.Literal["", "Sending", "Sent", "Interrupted"]
		invitation_template: DF.Link | None
		invitations_interrupted_on: DF.Datetime | None
		location: DF.Data | None
		owner_user: DF.Link | None
		participants: DF.Int
		platform: DF.Data | None
		revenue: DF.Currency
		review: DF.TextEditor | None
		roi: DF.Float
		start_datetime: DF.Datetime | None
		status: DF.Literal["Planned", "Announced", "Ongoing", "Completed", "Called Off"]
		target_industry: DF.Link | None
		target_intent_level: DF.Literal["", "A - High", "B - Medium", "C - Low"]
		target_lifecycle_stage: DF.Literal[
			"",
			"Potential Customer",
			"Intent Customer",
			"Active Customer",
			"Paused Customer",
			"Churned Customer",
		]
		target_region: DF.Link | None
		target_tags: DF.TableMultiSelect[CIMSCampaignTargetTag]
		team: DF.TableMultiSelect[CIMSCampaignTeamMember]
		total_budget: DF.Currency

	# end: auto-generated types
	def validate(self):
		self.total_budget = sum(flt(item.amount) for item in self.budget_items)
		if (
			self.start_datetime
			and self.end_datetime
			and get_datetime(self.end_datetime) < get_datetime(self.start_datetime)
		):
			frappe.throw(_("The campaign cannot end before it starts."), title=_("Invalid Dates"))
		self.owner_user = self.owner_user or frappe.session.user
		before = self.get_doc_before_save()
		run_rule(check_status_transition, before.status if before else None, self.status, doc=self)
		# Metrics are maintained by SQL; a form saved with stale values must not overwrite them.
		self.update(campaigns.current_metrics(None if self.is_new() else self.name, self.total_budget))
		if not self.is_new():  # nor the invitation job's state (cims_app.campaigns.invitations)
			self.update(frappe.db.get_value(self.doctype, self.name, INVITATION_FIELDS, as_dict=True) or {})

	def onload(self):
		"""Invitations whose job died show Interrupted when the form opens, with the members still uninvited."""
		from cims_app.campaigns.invitations import check_invitations, uninvited_members

		if self.invitation_status == "Sending" and check_invitations(self.name):
			self.reload()
		if self.invitation_status or self.status in ("Announced", "Ongoing"):
			self.set_onload("uninvited_members", uninvited_members(self.name))

	def on_update(self):
		if self.has_value_changed("status") and self.status == ANNOUNCED:
			send_invitations(self.name)
		if self.has_value_changed("status") and self.status == "Completed":
			campaigns.mark_no_shows(self.name)
