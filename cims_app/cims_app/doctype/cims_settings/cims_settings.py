# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

from frappe.model.document import Document

from cims_app.records.typed_fields import TypedFields


class CIMSSettings(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		auto_churn_contract_days: DF.Int
		auto_churn_paused_days: DF.Int
		birthday_greeting_template: DF.Link | None
		birthday_notice_days: DF.Int
		cadence_high_potential_days: DF.Int
		cadence_high_value_days: DF.Int
		cadence_regular_days: DF.Int
		check_in_rate_limit: DF.Int
		churn_contract_window_days: DF.Int
		churn_high_score: DF.Int
		churn_medium_score: DF.Int
		contract_renewal_notice_days: DF.Int
		follow_up_min_content_length: DF.Int
		high_intent_callback_hours: DF.Int
		high_potential_min_amount: DF.Currency
		high_potential_min_growth: DF.Percent
		high_value_min_amount: DF.Currency
		import_max_file_mb: DF.Int
		import_max_rows: DF.Int
		low_value_lead_days: DF.Int
		public_pool_claim_limit: DF.Int
		public_pool_idle_days: DF.Int
		reminder_window_minutes: DF.Int
		retention_years: DF.Int
		upkeep_high_potential_months: DF.Int
		upkeep_high_value_months: DF.Int
		upkeep_regular_months: DF.Int
		win_back_user: DF.Link | None
	# end: auto-generated types
	pass
