# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt

from frappe.model.document import Document


class CIMSImportBatch(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amounts_in_wan: DF.Check
		column_mapping: DF.Code | None
		conflict_policy: DF.Literal["Fill Empty", "Overwrite", "Skip"]
		error_file: DF.Attach | None
		failed: DF.Int
		import_doctype: DF.Literal["CIMS Customer", "Contact", "CIMS Follow-Up", "CIMS Opportunity"]
		import_file: DF.Attach
		import_type: DF.Literal["Insert", "Update", "Merge"]
		inserted: DF.Int
		log: DF.Code | None
		merged: DF.Int
		rows_read: DF.Int
		skipped: DF.Int
		source_label: DF.Data | None
		status: DF.Literal[
			"Draft", "Previewed", "Queued", "Running", "Completed", "Partially Completed", "Failed"
		]
		updated: DF.Int
	# end: auto-generated types
	pass
