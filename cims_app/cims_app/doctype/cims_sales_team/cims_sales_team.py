# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

from frappe.model.document import Document

from cims_app.records.typed_fields import TypedFields


class CIMSSalesTeam(TypedFields, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from cims_app.cims_app.doctype.cims_sales_team_member.cims_sales_team_member import (
			CIMSSalesTeamMember,
		)

		manager: DF.Link
		members: DF.Table[CIMSSalesTeamMember]
		region: DF.Link | None
		team_name: DF.Data
	# end: auto-generated types
	pass
