# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

import secrets

from frappe.model.document import Document


class CIMSCampaignMember(Document):
	def before_insert(self):
		# Unguessable: the token alone admits a guest to check in.
		self.check_in_token = self.check_in_token or secrets.token_urlsafe(24)
