# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.contacts.address_and_contact import load_address_and_contact
from frappe.model.document import Document
from frappe.utils import now_datetime, nowdate

from cims_app.access import permissions
from cims_app.customers import assignment, duplicates, lifecycle, upkeep
from cims_app.customers.stage_history import record_stage_change
from cims_app.domain.contact_rules import normalise_email, normalise_mobile, normalise_phone
from cims_app.domain.customer_rules import check_core_need, derived_customer_fields
from cims_app.domain.identifiers import normalise_id_number, normalise_uscc
from cims_app.domain.text import clean_text
from cims_app.follow_ups.plans import follow_stage_plans
from cims_app.records import approvals
from cims_app.records.typed_fields import TypedFields
from cims_app.records.validation import normalise_fields
from cims_app.reminders.reader_texts import churn_reasons_text


class CIMSCustomer(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		account_manager: DF.Link | None
		account_manager_since: DF.Datetime | None
		amount_growth_6m: DF.Percent
		annual_amount: DF.Currency
		annual_revenue_band: DF.Literal["", "<10M", "10M-50M", "50M-100M", "100M-500M", ">500M"]
		birthday: DF.Date | None
		budget_range: DF.Data | None
		churn_reason_text: DF.SmallText | None
		churn_reasons: DF.SmallText | None
		churn_risk: DF.Literal["No Risk", "Low", "Medium", "High"]
		churn_risk_score: DF.Int
		churned_on: DF.Date | None
		classification_label: DF.Data | None
		contract_amount: DF.Currency
		contract_end_date: DF.Date | None
		core_need: DF.SmallText | None
		cumulative_amount: DF.Currency
		customer_category: DF.Literal["", "Distributor", "End Customer", "Partner"]
		customer_name: DF.Data
		customer_size: DF.Literal["", "<50", "50-200", "200-500", ">500"]
		customer_source: DF.Link | None
		customer_type: DF.Literal["Enterprise", "Individual", "Institution"]
		data_source: DF.SmallText | None
		email_id: DF.Data | None
		email_id_masked: DF.Data | None
		erpnext_customer: DF.Data | None
		first_contact_date: DF.Date | None
		first_deal_date: DF.Date | None
		high_intent_on: DF.Datetime | None
		id_number: DF.Data | None
		id_number_masked: DF.Data | None
		in_public_pool: DF.Check
		industry: DF.Link | None
		intent_level: DF.Literal["", "A - High", "B - Medium", "C - Low"]
		last_follow_up_on: DF.Datetime | None
		last_maintained_on: DF.Date | None
		legal_representative: DF.Data | None
		lifecycle_stage: DF.Literal[
			"Potential Customer", "Intent Customer", "Active Customer", "Paused Customer", "Churned Customer"
		]
		lifecycle_stage_changed_on: DF.Datetime | None
		low_value_lead: DF.Check
		main_business: DF.SmallText | None
		maintenance_due_on: DF.Date | None
		mobile_no: DF.Data | None
		mobile_no_masked: DF.Data | None
		name_exact_key: DF.Data | None
		name_match_key: DF.Data | None
		name_unique_key: DF.Data | None
		naming_series: DF.Literal[".YYYY..MM.-.####"]
		need_type: DF.Literal[
			"", "Product Purchase", "Technical Service", "Custom Solution", "Strategic Partnership"
		]
		need_urgency: DF.Literal["", "High", "Medium", "Low"]
		next_follow_up_on: DF.Datetime | None
		occupation: DF.Data | None
		phone: DF.Data | None
		phone_masked: DF.Data | None
		pool_released_on: DF.Date | None
		primary_contact: DF.Link | None
		region: DF.Link | None
		registered_address: DF.SmallText | None
		remarks: DF.Text | None
		sales_team: DF.Link | None
		short_name: DF.Data | None
		unified_social_credit_code: DF.Data | None
		value_tier: DF.Literal["", "High Value Customer", "High Potential Customer", "Regular Customer"]
		value_tier_override: DF.Literal[
			"", "High Value Customer", "High Potential Customer", "Regular Customer"
		]

	# end: auto-generated types
	@property
	def churn_reason_text(self) -> str:
		"""The churn reasons in the reader's language (churn_reasons holds them as codes and values)."""
		return churn_reasons_text(self.churn_reasons)

	def onload(self):
		load_address_and_contact(self)

	def validate(self):
		self.customer_name = clean_text(self.customer_name)
		self.short_name = clean_text(self.short_name)
		normalise_fields(
			self,
			{
				"unified_social_credit_code": normalise_uscc,
				"id_number": normalise_id_number,
				"mobile_no": normalise_mobile,
				"phone": normalise_phone,
				"email_id": normalise_email,
				"core_need": check_core_need,
			},
		)
		self.set_derived_fields()
		self.mirror_primary_contact()
		assignment.assign_new_customer(self)
		self.set_defaults_for_new_customer()
		assignment.track_account_manager(self)
		lifecycle.validate_customer_stage(self)
		approvals.keep_value_tier_override(self)
		permissions.set_masked_personal_data(self)
		self.set_derived_fields()
		# Due for a check from the start, not only after the night's job (cims_app.customers.upkeep).
		self.maintenance_due_on = upkeep.due_on(
			self.last_maintained_on, self.creation or now_datetime(), self.value_tier
		)
		# SPEC §6: same credit code, ID number or exact name is refused; a same mobile or similar name is listed.
		duplicates.check_customer(self)
		if not self.is_new() and self.has_value_changed("lifecycle_stage"):
			self.lifecycle_stage_changed_on = now_datetime()

	def validate_workflow(self):
		# Jobs, imports and merges move the stage as the app (cims_app.customers.lifecycle.move_customer_stage).
		if not lifecycle.skip_workflow_validation(self):
			super().validate_workflow()

	def on_update(self):
		record_stage_change(self, "lifecycle_stage", customer=self.name)
		follow_stage_plans(self)
		duplicates.show_possible_duplicates(self)

	def db_insert(self, *args, **kwargs):
		# The unique indexes hold exact keys under concurrent saves: the later save gets the form's message.
		try:
			return super().db_insert(*args, **kwargs)
		except frappe.UniqueValidationError:
			duplicates.explain_unique_violation(self)
			raise

	def db_update(self):
		try:
			return super().db_update()
		except frappe.UniqueValidationError:
			duplicates.explain_unique_violation(self)
			raise

	def set_derived_fields(self):
		"""Name keys, masked ID number, birthday, value tier and classification label, computed by the same
		function the bulk importer uses (run again at the end, once stage and tier override are final)."""
		self.update(derived_customer_fields(self))

	def mirror_primary_contact(self):
		if not self.primary_contact:
			return
		mobile_no, email_id = frappe.db.get_value("Contact", self.primary_contact, ["mobile_no", "email_id"])
		self.mobile_no = mobile_no or self.mobile_no
		self.email_id = email_id or self.email_id

	def set_defaults_for_new_customer(self):
		if not self.is_new():
			return
		self.lifecycle_stage = self.lifecycle_stage or "Potential Customer"
		self.lifecycle_stage_changed_on = self.lifecycle_stage_changed_on or now_datetime()
		self.first_contact_date = self.first_contact_date or nowdate()
		self.data_source = self.data_source or _("Manual entry by {0}").format(frappe.session.user)
		if (
			not self.account_manager
			and not self.in_public_pool
			and frappe.session.user not in ("Guest", "Administrator")
		):
			self.account_manager = frappe.session.user


def on_doctype_update():
	"""Composite indexes for reports and row rules (cims_app/db/indexes.py)."""
	from cims_app.db.indexes import add_customer_indexes

	add_customer_indexes()
