"""A site ready for people to use: the framework's setup wizard finished the way a Chinese team would
answer it, and the scheduler on. Called by `scripts/setup` through `bench --site SITE execute`;
idempotent (a finished site is left as it is)."""

import frappe
from frappe.utils import cint


def prepare_desk_site(
	language: str = "zh", time_zone: str = "Asia/Shanghai", currency: str = "CNY", country: str = "China"
) -> str:
	"""Finish the setup wizard (language, time zone, currency, country) and switch the scheduler on.

	Returns "changed" when something was done, "unchanged" for a site that was ready already."""
	from frappe.desk.page.setup_wizard.setup_wizard import setup_complete
	from frappe.utils.scheduler import is_scheduler_disabled

	changed = False
	if not cint(frappe.db.get_single_value("System Settings", "setup_complete")):
		language_name = frappe.db.get_value("Language", language, "language_name") or language
		setup_complete(
			{
				"language": language_name,
				"lang": language_name,
				"country": country,
				"timezone": time_zone,
				"currency": currency,
			}
		)
		changed = True
	if frappe.db.get_value("User", "Administrator", "language") != language:
		frappe.db.set_value("User", "Administrator", "language", language)
		changed = True
	if is_scheduler_disabled(verbose=False):
		frappe.db.set_single_value("System Settings", "enable_scheduler", 1)
		changed = True
	frappe.db.commit()
	return "changed" if changed else "unchanged"


def demo_customer_count() -> int:
	"""How many customers the demo generator made on this site (0: the demo has not run)."""
	from cims_app.demo import DEMO_DATA_SOURCE

	return frappe.db.count("CIMS Customer", {"data_source": DEMO_DATA_SOURCE})
