"""Customers saved before the masked mirrors existed get them (mobile, phone, email at permlevel 2)."""

import frappe
from frappe.query_builder import Case, DocType

from cims_app.access.permissions import MASKED_MIRRORS

CHUNK = 2000


def execute() -> None:
	customer = DocType("CIMS Customer")
	last = ""
	while True:
		rows = (
			frappe.qb.from_(customer)
			.select(customer.name, *(customer[field] for field in MASKED_MIRRORS))
			.where(customer.name > last)
			.orderby(customer.name)
			.limit(CHUNK)
			.run(as_dict=True)
		)
		if not rows:
			return
		query = frappe.qb.update(customer).where(customer.name.isin([row.name for row in rows]))
		for field, (mirror, mask) in MASKED_MIRRORS.items():
			case = Case()
			for row in rows:
				case = case.when(customer.name == row.name, mask(row[field]) if row[field] else None)
			query = query.set(customer[mirror], case)
		query.run()
		last = rows[-1].name
