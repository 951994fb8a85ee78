"""Customers saved before the unique name column existed get it: the exact name key of enterprises and
institutions (individuals keep it empty). The unique index itself is added after the migrate
(cims_app.db.indexes.add_unique_indexes), which reports instead of failing when duplicates exist."""

import frappe


def execute() -> None:
	frappe.db.sql(
		"""UPDATE `tabCIMS Customer` SET name_unique_key = CASE
			WHEN customer_type = 'Individual' OR IFNULL(name_exact_key, '') = '' THEN NULL
			ELSE name_exact_key END"""
	)
