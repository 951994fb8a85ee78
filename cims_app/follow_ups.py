"""Keep each customer's follow-up dates in step with its follow-ups, in one statement per call."""

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Max, Min


def refresh_customer_follow_up_dates(customers, exclude: str | None = None) -> None:
	"""Set last_follow_up_on (latest completed) and next_follow_up_on (earliest planned) for `customers`."""
	customers = sorted({c for c in customers if c})
	if not customers:
		return
	fu = frappe.qb.DocType("CIMS Follow-Up")
	query = (
		frappe.qb.from_(fu)
		.select(
			fu.customer,
			Max(Case().when(fu.status == "Completed", fu.completed_on)).as_("last_on"),
			Min(Case().when(fu.status == "Planned", fu.scheduled_on)).as_("next_on"),
		)
		.where(fu.customer.isin(customers))
		.groupby(fu.customer)
	)
	if exclude:
		query = query.where(fu.name != exclude)
	dates = {row.customer: row for row in query.run(as_dict=True)}

	customer = frappe.qb.DocType("CIMS Customer")
	for name in customers:
		row = dates.get(name) or frappe._dict()
		(
			frappe.qb.update(customer)
			.set(customer.last_follow_up_on, row.get("last_on"))
			.set(customer.next_follow_up_on, row.get("next_on"))
			.where(customer.name == name)
		).run()
