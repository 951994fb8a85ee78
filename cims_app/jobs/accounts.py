"""Account expiry: users past `cims_valid_until` are disabled and their sessions ended."""

import frappe
from frappe.sessions import clear_sessions
from frappe.utils import getdate, nowdate


def disable_expired_accounts() -> list[str]:
	"""Disable every enabled user whose `cims_valid_until` is before today; returns their names."""
	user = frappe.qb.DocType("User")
	expired = (
		frappe.qb.from_(user)
		.select(user.name)
		.where(
			(user.enabled == 1)
			& (user.cims_valid_until < getdate(nowdate()))
			& user.name.notin(["Administrator", "Guest"])
		)
	).run(pluck=True)
	if not expired:
		return []
	frappe.qb.update(user).set(user.enabled, 0).where(user.name.isin(expired)).run()
	for name in expired:
		clear_sessions(user=name, force=True)
		frappe.clear_cache(user=name)
	return expired
