"""Daily rules on leads and value: low-value leads (flag and tag) and value tiers with their amounts."""

import datetime

import frappe
import pytest

from cims_app.jobs.leads import TAG, flag_low_value_leads
from cims_app.jobs.tiers import update_value_tiers
from tests.integration.job_support import (
	commits,  # autouse fixture: job commits become savepoints
	completed_follow_up,
	customer_with,
	frozen_clock,
	set_values,
	won,
)

NOW = datetime.datetime(2026, 6, 15, 9, 0, 0, 250000)
TODAY = NOW.date()


def lead(days_since_follow_up: int | None, created_days_ago: int = 400):
	customer = customer_with("Potential Customer", NOW - datetime.timedelta(days=created_days_ago))
	set_values("CIMS Customer", customer.name, creation=NOW - datetime.timedelta(days=created_days_ago))
	if days_since_follow_up is not None:
		completed_follow_up(customer.name, completed_on=NOW - datetime.timedelta(days=days_since_follow_up))
	return customer.name


def flagged(customer: str) -> tuple:
	low_value, tags = frappe.db.get_value("CIMS Customer", customer, ["low_value_lead", "_user_tags"])
	links = frappe.db.count(
		"Tag Link", {"document_type": "CIMS Customer", "document_name": customer, "tag": TAG}
	)
	return low_value, TAG in (tags or "").split(","), links


# Low-value leads


@pytest.mark.parametrize(("days", "is_low_value"), [(29, False), (30, True), (31, True)])
def test_lead_without_follow_up_for_the_configured_days_is_flagged_and_tagged(days, is_low_value):
	with frozen_clock(NOW):
		customer = lead(days)
		flag_low_value_leads()
	assert flagged(customer) == ((1, True, 1) if is_low_value else (0, False, 0))


@pytest.mark.parametrize(("created_days_ago", "is_low_value"), [(29, False), (30, True)])
def test_lead_never_followed_up_counts_from_its_creation(created_days_ago, is_low_value):
	with frozen_clock(NOW):
		customer = lead(None, created_days_ago)
		flag_low_value_leads()
	assert flagged(customer)[0] == int(is_low_value)


def test_only_potential_customers_are_low_value_leads():
	with frozen_clock(NOW):
		customer = customer_with("Intent Customer", NOW - datetime.timedelta(days=100))
		set_values("CIMS Customer", customer.name, creation=NOW - datetime.timedelta(days=100))
		flag_low_value_leads()
	assert flagged(customer.name) == (0, False, 0)


def test_low_value_lead_rule_runs_once_and_changes_nothing_on_a_rerun():
	with frozen_clock(NOW):
		customer = lead(45)
		set_values("CIMS Customer", customer, _user_tags=",年度VIP")
		assert flag_low_value_leads() == {"flagged": 1, "cleared": 0}
		assert flag_low_value_leads() == {"flagged": 0, "cleared": 0}
	assert flagged(customer) == (1, True, 1)
	assert frappe.db.get_value("CIMS Customer", customer, "_user_tags") == f",年度VIP,{TAG}"


def test_lead_followed_up_again_loses_the_flag_and_tag_but_keeps_other_tags():
	with frozen_clock(NOW):
		customer = lead(45)
		set_values("CIMS Customer", customer, _user_tags=",年度VIP")
		flag_low_value_leads()
		completed_follow_up(customer, completed_on=NOW - datetime.timedelta(hours=1))
		assert flag_low_value_leads() == {"flagged": 0, "cleared": 1}
	assert flagged(customer) == (0, False, 0)
	assert frappe.db.get_value("CIMS Customer", customer, "_user_tags") == ",年度VIP"


def test_low_value_lead_days_come_from_settings():
	frappe.db.set_single_value("CIMS Settings", "low_value_lead_days", 10)
	with frozen_clock(NOW):
		customer = lead(10)
		flag_low_value_leads()
	assert flagged(customer)[0] == 1


# Value tiers


def tier_of(customer: str) -> frappe._dict:
	return frappe.db.get_value(
		"CIMS Customer",
		customer,
		["annual_amount", "cumulative_amount", "amount_growth_6m", "value_tier", "classification_label"],
		as_dict=True,
	)


def customer_with_sales(*sales: tuple[float, int]) -> str:
	"""A customer with won opportunities of (amount, closed this many days ago)."""
	customer = customer_with("Active Customer", NOW)
	for amount, days_ago in sales:
		won(customer.name, amount, TODAY - datetime.timedelta(days=days_ago))
	return customer.name


@pytest.mark.parametrize(
	("annual", "tier"),
	[
		(499999.99, "High Potential Customer"),
		(500000, "High Value Customer"),
		(500000.01, "High Value Customer"),
	],
)
def test_high_value_from_500000_won_in_the_last_12_months(annual, tier):
	with frozen_clock(NOW):
		customer = customer_with_sales((annual, 10))  # all growth: 100 %
		update_value_tiers()
	assert tier_of(customer).value_tier == tier


@pytest.mark.parametrize(
	("annual", "tier"),
	[
		(99999.99, "Regular Customer"),
		(100000, "High Potential Customer"),
		(100000.01, "High Potential Customer"),
	],
)
def test_high_potential_from_100000_with_growth(annual, tier):
	with frozen_clock(NOW):
		customer = customer_with_sales((annual, 10))
		update_value_tiers()
	assert tier_of(customer).value_tier == tier


@pytest.mark.parametrize(
	("last_half", "growth", "tier"),
	[
		(71994, 19.99, "Regular Customer"),
		(72000, 20.0, "High Potential Customer"),
		(72000.01, 20.0, "High Potential Customer"),
	],
)
def test_high_potential_needs_20_percent_growth_over_6_months(last_half, growth, tier):
	with frozen_clock(NOW):
		customer = customer_with_sales((60000, 200), (last_half, 30))
		update_value_tiers()
	values = tier_of(customer)
	assert float(values.amount_growth_6m) == growth
	assert values.value_tier == tier


def test_amounts_count_won_opportunities_by_window():
	with frozen_clock(NOW):
		customer = customer_with_sales((1000, 0), (2000, 100), (4000, 364), (8000, 365), (16000, 800))
		make_lost_and_open = customer_with_sales()
		update_value_tiers()
	values = tier_of(customer)
	# last 12 months: closed 2025-06-16 .. today; day 365 is 2025-06-15, outside.
	assert float(values.annual_amount) == 7000
	assert float(values.cumulative_amount) == 31000
	# last 6 months 3000 against 4000 before: -25 %.
	assert float(values.amount_growth_6m) == -25.0
	assert values.value_tier == "Regular Customer"
	assert tier_of(make_lost_and_open).annual_amount == 0


def test_tier_thresholds_come_from_settings():
	frappe.db.set_single_value("CIMS Settings", "high_value_min_amount", 50000)
	with frozen_clock(NOW):
		customer = customer_with_sales((50000, 10))
		update_value_tiers()
	assert tier_of(customer).value_tier == "High Value Customer"


def test_approved_tier_override_wins_over_the_computed_tier():
	with frozen_clock(NOW):
		customer = customer_with_sales((600000, 10))
		set_values("CIMS Customer", customer, value_tier_override="Regular Customer")
		update_value_tiers()
	assert tier_of(customer).value_tier == "Regular Customer"
	assert float(tier_of(customer).annual_amount) == 600000


def test_tier_change_updates_the_classification_label():
	with frozen_clock(NOW):
		customer = customer_with_sales((600000, 10))
		set_values("CIMS Customer", customer, industry="制造业", need_type="Custom Solution")
		update_value_tiers()
	assert tier_of(customer).classification_label == "制造业-高价值-合作中-解决方案定制型"


def test_value_tiers_rerun_changes_nothing():
	with frozen_clock(NOW):
		customer = customer_with_sales((150000, 10))
		update_value_tiers()
		modified = frappe.db.get_value("CIMS Customer", customer, "modified")
		assert update_value_tiers() == 0
	assert frappe.db.get_value("CIMS Customer", customer, "modified") == modified
