"""Date rules of the scheduled jobs: month arithmetic, data-upkeep cadence, birthdays, amount periods."""

import calendar
import datetime

from cims_app.domain.customer_rules import HIGH_POTENTIAL, HIGH_VALUE

UPKEEP_MONTHS = {HIGH_VALUE: 1, HIGH_POTENTIAL: 3}
UPKEEP_MONTHS_REGULAR = 6


def add_months(day: datetime.date, months: int) -> datetime.date:
	"""`day` moved by `months` (may be negative), clamped to the end of a shorter month (Jan 31 + 1 → Feb 28/29)."""
	index = day.year * 12 + day.month - 1 + months
	year, month = divmod(index, 12)
	month += 1
	return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def upkeep_months(
	value_tier: object, months_by_tier: dict | None = None, regular_months: int | None = None
) -> int:
	"""Months between data checks: monthly for High Value, quarterly for High Potential, else half-yearly."""
	months = UPKEEP_MONTHS if months_by_tier is None else months_by_tier
	default = UPKEEP_MONTHS_REGULAR if regular_months is None else regular_months
	return max(int(months.get(value_tier) or default), 1)


def maintenance_due_on(
	last_maintained_on: datetime.date | None,
	created_on: datetime.date,
	value_tier: object,
	months_by_tier: dict | None = None,
	regular_months: int | None = None,
) -> datetime.date:
	"""When a customer's data is next due for a check: the cadence of its tier after the last check
	(or after its creation when it was never checked)."""
	start = last_maintained_on or created_on
	return add_months(start, upkeep_months(value_tier, months_by_tier, regular_months))


def birthday_in_year(birth_date: datetime.date, year: int) -> datetime.date:
	"""The birthday in `year`; 29 February falls on 28 February in other years."""
	if birth_date.month == 2 and birth_date.day == 29 and not calendar.isleap(year):
		return datetime.date(year, 2, 28)
	return datetime.date(year, birth_date.month, birth_date.day)


def next_birthday(birth_date: datetime.date, today: datetime.date) -> datetime.date:
	"""The first birthday on or after `today`."""
	this_year = birthday_in_year(birth_date, today.year)
	return this_year if this_year >= today else birthday_in_year(birth_date, today.year + 1)


def birthday_month_days(today: datetime.date, days_ahead: int) -> list[str]:
	"""The "MM-DD" of every birth date whose birthday falls within `today` .. `today + days_ahead`
	(lets a query pick candidates by DATE_FORMAT(birthday, '%m-%d') IN (...))."""
	month_days = []
	for offset in range(days_ahead + 1):
		day = today + datetime.timedelta(days=offset)
		month_days.append(day.strftime("%m-%d"))
		if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
			month_days.append("02-29")
	return month_days


def birthday_due(
	birth_date: datetime.date | None, today: datetime.date, days_ahead: int
) -> datetime.date | None:
	"""The birthday to announce when it falls within the next `days_ahead` days (today included), else None."""
	if not birth_date:
		return None
	upcoming = next_birthday(birth_date, today)
	return upcoming if (upcoming - today).days <= days_ahead else None


def amount_periods(today: datetime.date) -> dict[str, datetime.date]:
	"""Start dates of the amount windows: the last 12 months and the last and prior 6 months,
	each window starting the day after the same date that many months back."""
	return {
		"year_start": add_months(today, -12) + datetime.timedelta(days=1),
		"half_start": add_months(today, -6) + datetime.timedelta(days=1),
		"prior_half_start": add_months(today, -12) + datetime.timedelta(days=1),
	}
