# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.contacts.address_and_contact import load_address_and_contact
from frappe.model.document import Document
from frappe.utils import nowdate

from cims_app.domain.contact_rules import mask_id_number, normalise_email, normalise_mobile, normalise_phone
from cims_app.domain.customer_rules import check_core_need, classification_label, compute_value_tier
from cims_app.domain.identifiers import birth_date_from_id, normalise_id_number, normalise_uscc
from cims_app.domain.names import exact_key, match_key
from cims_app.domain.text import clean_text
from cims_app.stage_history import record_stage_change
from cims_app.validation import normalise_fields, run_rule


class CIMSCustomer(Document):
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
			},
		)
		run_rule(check_core_need, self.core_need, doc=self)
		self.set_name_keys()
		self.refuse_duplicate_enterprise()
		self.set_individual_details()
		self.mirror_primary_contact()
		self.set_defaults_for_new_customer()
		self.set_classification()

	def on_update(self):
		record_stage_change(self, "lifecycle_stage", customer=self.name)

	def set_name_keys(self):
		self.name_exact_key = exact_key(self.customer_name)
		self.name_match_key = match_key(self.customer_name)

	def refuse_duplicate_enterprise(self):
		if self.customer_type != "Enterprise":
			return
		existing = frappe.db.get_value(
			"CIMS Customer",
			{"name_exact_key": self.name_exact_key, "customer_type": "Enterprise", "name": ("!=", self.name)},
			"name",
		)
		if existing:
			frappe.throw(
				_("An enterprise customer named {0} already exists: {1}").format(
					frappe.bold(self.customer_name), frappe.get_desk_link("CIMS Customer", existing)
				),
				frappe.DuplicateEntryError,
				title=_("Duplicate Customer"),
			)

	def set_individual_details(self):
		self.id_number_masked = mask_id_number(self.id_number) if self.id_number else None
		if self.id_number and not self.birthday:
			self.birthday = birth_date_from_id(self.id_number)

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
		self.first_contact_date = self.first_contact_date or nowdate()
		self.data_source = self.data_source or _("Manual entry by {0}").format(frappe.session.user)
		if not self.account_manager and not self.in_public_pool and frappe.session.user not in ("Guest", "Administrator"):
			self.account_manager = frappe.session.user

	def set_classification(self):
		if not self.value_tier:
			self.value_tier = compute_value_tier(self.annual_amount, self.amount_growth_6m)
		self.classification_label = classification_label(
			self.industry, self.value_tier, self.lifecycle_stage, self.need_type
		)
