"""Follow-up due reminders: a Planned follow-up due within the reminder window reaches its owner once."""

import datetime

import frappe
from frappe.query_builder import DocType
from frappe.utils import now_datetime

from cims_app.domain.errors import _
from cims_app.records.validation import get_setting
from cims_app.reminders.delivery import Reminder, send

RULE = "follow_up_due"


def remind_due_follow_ups() -> int:
	"""Bell, e-mail and SMS to the owner of each Planned follow-up scheduled within `reminder_window_minutes`
	from now (or as long ago: a run missed or a follow-up planned late is still reminded). Returns the number
	of reminders sent."""
	now = now_datetime()
	window = datetime.timedelta(minutes=int(get_setting("reminder_window_minutes", 60)))
	fu, customer = DocType("CIMS Follow-Up"), DocType("CIMS Customer")
	rows = (
		frappe.qb.from_(fu)
		.left_join(customer)
		.on(customer.name == fu.customer)
		.select(
			fu.name, fu.customer, fu.customer_name, fu.scheduled_on, fu.assigned_to, customer.account_manager
		)
		.where((fu.status == "Planned") & fu.scheduled_on.between(now - window, now + window))
	).run(as_dict=True)
	return send(
		[
			Reminder(
				rule=RULE,
				reference_doctype="CIMS Follow-Up",
				reference_name=row.name,
				due=row.scheduled_on,
				recipient=row.assigned_to or row.account_manager,
				message=_("Follow-up with {0} is due at {1}"),
				params=(row.customer_name or row.customer, row.scheduled_on.strftime("%Y-%m-%d %H:%M")),
			)
			for row in rows
		],
		sms=True,
	)
