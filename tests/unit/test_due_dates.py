"""Month arithmetic, data-upkeep cadence by tier, birthdays and the amount windows."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.due_dates import (
	add_months,
	amount_periods,
	birthday_due,
	birthday_month_days,
	maintenance_due_on,
	next_birthday,
	upkeep_months,
)

D = datetime.date


@pytest.mark.parametrize(
	("day", "months", "expected"),
	[
		(D(2026, 1, 31), 1, D(2026, 2, 28)),
		(D(2028, 1, 31), 1, D(2028, 2, 29)),
		(D(2026, 3, 31), -1, D(2026, 2, 28)),
		(D(2026, 11, 15), 3, D(2027, 2, 15)),
		(D(2026, 6, 15), -12, D(2025, 6, 15)),
		(D(2026, 6, 15), 0, D(2026, 6, 15)),
	],
)
def test_add_months_clamps_to_the_end_of_shorter_months(day, months, expected):
	assert add_months(day, months) == expected


@given(st.dates(D(1900, 1, 1), D(2200, 12, 31)), st.integers(-600, 600))
def test_add_months_lands_in_the_right_month_never_later_in_it(day, months):
	moved = add_months(day, months)
	assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
	assert moved.day <= day.day


@pytest.mark.parametrize(
	("tier", "months"),
	[("High Value Customer", 1), ("High Potential Customer", 3), ("Regular Customer", 6), (None, 6), ("", 6)],
)
def test_upkeep_cadence_is_monthly_quarterly_or_half_yearly_by_tier(tier, months):
	assert upkeep_months(tier) == months


def test_upkeep_cadence_comes_from_settings():
	assert upkeep_months("High Value Customer", {"High Value Customer": 2}, 12) == 2
	assert upkeep_months("Regular Customer", {"High Value Customer": 2}, 12) == 12


def test_maintenance_is_due_a_cadence_after_the_last_check_or_after_creation():
	created = D(2026, 1, 10)
	assert maintenance_due_on(None, created, "High Value Customer") == D(2026, 2, 10)
	assert maintenance_due_on(D(2026, 5, 31), created, "High Potential Customer") == D(2026, 8, 31)
	assert maintenance_due_on(D(2026, 5, 31), created, "Regular Customer") == D(2026, 11, 30)


def test_next_birthday_is_today_or_later():
	assert next_birthday(D(1980, 6, 15), D(2026, 6, 15)) == D(2026, 6, 15)
	assert next_birthday(D(1980, 6, 14), D(2026, 6, 15)) == D(2027, 6, 14)
	assert next_birthday(D(1980, 1, 2), D(2026, 12, 31)) == D(2027, 1, 2)


def test_leap_day_birthday_falls_on_28_february_in_other_years():
	assert next_birthday(D(1992, 2, 29), D(2026, 2, 1)) == D(2026, 2, 28)
	assert next_birthday(D(1992, 2, 29), D(2028, 2, 1)) == D(2028, 2, 29)


@pytest.mark.parametrize(
	("birthday", "due"),
	[
		(D(1980, 6, 14), None),  # yesterday
		(D(1980, 6, 15), D(2026, 6, 15)),  # today
		(D(1980, 6, 18), D(2026, 6, 18)),  # in 3 days
		(D(1980, 6, 19), None),  # in 4 days
		(None, None),
	],
)
def test_birthday_is_due_within_the_notice_days(birthday, due):
	assert birthday_due(birthday, D(2026, 6, 15), 3) == due


def test_birthday_window_wraps_the_year_end():
	assert birthday_due(D(1980, 1, 1), D(2026, 12, 30), 3) == D(2027, 1, 1)
	assert birthday_month_days(D(2026, 12, 30), 3) == ["12-30", "12-31", "01-01", "01-02"]


def test_birthday_window_includes_leap_days_on_28_february_of_common_years():
	assert birthday_month_days(D(2026, 2, 27), 1) == ["02-27", "02-28", "02-29"]
	assert birthday_month_days(D(2028, 2, 27), 1) == ["02-27", "02-28"]


@given(st.dates(D(1920, 1, 1), D(2010, 12, 31)), st.dates(D(2020, 1, 1), D(2040, 12, 31)), st.integers(0, 30))
def test_every_birthday_due_is_picked_by_the_month_day_window(birth, today, days_ahead):
	if birthday_due(birth, today, days_ahead):
		assert birth.strftime("%m-%d") in birthday_month_days(today, days_ahead)


def test_amount_windows_are_the_last_12_and_6_months_and_the_6_before():
	periods = amount_periods(D(2026, 6, 15))
	assert periods == {
		"year_start": D(2025, 6, 16),
		"half_start": D(2025, 12, 16),
		"prior_half_start": D(2025, 6, 16),
	}
