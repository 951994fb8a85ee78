"""A scheduled job's change of a customer shows in the customer's timeline in the Desk, in the reader's
Chinese, like a change saved by hand: who made it (Administrator, the job's user), the field, and that it
came through a scheduled job (the Version row the job wrote, read by the framework's timeline)."""

import datetime

import pytest

from tests.e2e.conftest import SKIP_REASON

if SKIP_REASON:
	pytest.skip(SKIP_REASON, allow_module_level=True)

import frappe
from frappe.utils import now_datetime

from cims_app.jobs.leads import flag_low_value_leads
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import PASSWORD, Desk, make_desk_user
from tests.integration.support import make_customer, remove_customers_and_their_records

pytestmark = pytest.mark.e2e


@pytest.fixture()
def rep_with_a_stale_lead(setup_wizard_done):
	"""A Chinese-speaking rep and a lead of theirs nobody followed up for a year, flagged by the job."""
	email = make_desk_user("history", "CIMS Sales Rep", "李", "销售", language="zh")
	customer = make_customer(account_manager=email).name
	year_ago = now_datetime() - datetime.timedelta(days=365)
	frappe.db.set_value(
		"CIMS Customer", customer, {"creation": year_ago, "lifecycle_stage": "Potential Customer"}
	)
	flag_low_value_leads()
	frappe.db.commit()
	yield email, customer
	frappe.set_user("Administrator")
	frappe.db.rollback()
	remove_customers_and_their_records([customer])
	frappe.delete_doc("User", email, ignore_permissions=True, force=True)
	frappe.db.commit()


def test_job_change_shows_in_the_customers_timeline_in_chinese(browser, desk_url, rep_with_a_stale_lead):
	rep, customer = rep_with_a_stale_lead
	assert frappe.db.get_value("CIMS Customer", customer, "low_value_lead") == 1
	# The job stores its label in the site's language (the timeline shows it as stored).
	via_job = frappe._("via a scheduled job", lang=frappe.db.get_default("lang") or "en")
	desk = Desk(browser(1366, 900), desk_url, SCREENSHOTS, "history")
	desk.login(rep, PASSWORD)
	desk.open(f"cims-customer/{customer}")
	desk.wait_form("CIMS Customer", new=False)

	def job_line(driver):
		lines = desk.js(
			"return Array.from(document.querySelectorAll('.new-timeline .timeline-item'))"
			".map(e => e.textContent.replace(/\\s+/g, ' ').trim())"
		)
		return next((line for line in lines if via_job in line), None)

	line = desk.wait_for(job_line, "the job's change in the timeline")
	assert "低价值线索" in line, line
	assert "Administrator" in line, line
	desk.js("document.querySelector('.new-timeline').scrollIntoView()")
	desk.driver.save_screenshot(str(SCREENSHOTS / "history-timeline.png"))
