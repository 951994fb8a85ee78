"""Formulas behind the CIMS reports and number cards: rates, completion, conversion, cost, durations, funnels.

Every function takes plain numbers, dates and dicts and returns plain values, so a report, a number card
and a test compute a figure the same way. A rate whose base is 0 is None ("not defined"), never 0 or an
error: a rep without a target has no completion rate, not a 0 % one.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence

SECONDS_PER_DAY = 86400
# A Rating field stores 0-1 (a fraction of the stars); people read satisfaction as stars out of 5.
RATING_STARS = 5
# Lifecycle stages a customer reaches only after signing: they count as converted.
CONVERTED_STAGES = ("Active Customer", "Paused Customer", "Churned Customer")

# What a customer record must carry, by customer type: (fieldname, English label) pairs.
REQUIRED_FOR_ALL = (
	("region", "Region"),
	("customer_source", "Customer Source"),
	("account_manager", "Account Manager"),
	("mobile_no", "Mobile No"),
)
REQUIRED_BY_TYPE = {
	"Enterprise": (("industry", "Industry"), ("unified_social_credit_code", "Unified Social Credit Code")),
	"Individual": (("id_number", "ID Number"),),
	"Institution": (("industry", "Industry"),),
}


def _number(value: object) -> float:
	if value is None or value == "":
		return 0.0
	return float(value)


def rate(part: object, whole: object, digits: int = 2) -> float | None:
	"""part / whole as a percentage rounded to `digits`; None when whole is 0 or empty."""
	denominator = _number(whole)
	if not denominator:
		return None
	return round(_number(part) * 100 / denominator, digits)


def ratio(numerator: object, denominator: object, digits: int = 2) -> float | None:
	"""numerator / denominator rounded to `digits`; None when the denominator is 0 or empty."""
	base = _number(denominator)
	if not base:
		return None
	return round(_number(numerator) / base, digits)


def completion_rate(achieved: object, target: object) -> float | None:
	"""Achieved as a percentage of the target (120.0 when a target is beaten by a fifth); None without target."""
	return rate(achieved, target)


def conversion_rate(converted: object, total: object) -> float | None:
	"""Converted as a percentage of the total that could convert."""
	return rate(converted, total)


def win_rate(won: object, lost: object) -> float | None:
	"""Won as a percentage of the closed (won + lost) opportunities; open ones are not decided yet."""
	return rate(won, _number(won) + _number(lost))


def cost_per_acquisition(spend: object, acquired: object) -> float | None:
	"""Spend divided by the customers it acquired, rounded to cents; None when nobody was acquired or the
	spend is unknown (None: no campaign counts toward the source, which is not the same as a free one)."""
	if spend is None or spend == "":
		return None
	return ratio(spend, acquired)


def return_on_investment(revenue: object, spend: object) -> float | None:
	"""Revenue / spend (SPEC §7: ROI = revenue / budget): 3.0 means every yuan spent brought back three."""
	return ratio(revenue, spend)


def weighted_value(amount: object, probability_percent: object) -> float:
	"""amount × probability / 100, rounded to cents."""
	return round(_number(amount) * _number(probability_percent) / 100, 2)


def average(values: Iterable[object], digits: int = 2) -> float | None:
	"""Arithmetic mean of the values that are set; None when there are none."""
	present = [_number(value) for value in values if value is not None and value != ""]
	if not present:
		return None
	return round(sum(present) / len(present), digits)


def satisfaction_stars(rating_fraction: object, digits: int = 1) -> float | None:
	"""A Rating field's stored 0-1 value (or an average of them) as stars out of 5."""
	if rating_fraction is None or rating_fraction == "":
		return None
	return round(_number(rating_fraction) * RATING_STARS, digits)


def _as_datetime(value: datetime.date | datetime.datetime) -> datetime.datetime:
	if isinstance(value, datetime.datetime):
		return value
	return datetime.datetime.combine(value, datetime.time())


def days_between(
	start: datetime.date | datetime.datetime | None,
	end: datetime.date | datetime.datetime | None,
	digits: int = 1,
) -> float | None:
	"""Days from start to end (fractional for datetimes), rounded to `digits`; None when either is missing."""
	if start is None or end is None:
		return None
	seconds = (_as_datetime(end) - _as_datetime(start)).total_seconds()
	return round(seconds / SECONDS_PER_DAY, digits)


def _shift_years(day: datetime.date, years: int) -> datetime.date:
	try:
		return day.replace(year=day.year - years)
	except ValueError:  # 29 February in a year without one
		return day.replace(year=day.year - years, day=28)


def retention_cutoff(today: datetime.date, retention_years: int) -> datetime.date:
	"""Customers churned before this date have been kept longer than the retention period."""
	return _shift_years(today, int(retention_years))


def month_key(day: datetime.date | datetime.datetime | None) -> str | None:
	"""'2024-05' for any date or datetime in May 2024."""
	return day.strftime("%Y-%m") if day else None


def month_keys(start: datetime.date, end: datetime.date) -> list[str]:
	"""Every month from start's to end's, inclusive, as 'YYYY-MM' keys in order."""
	keys = []
	year, month = start.year, start.month
	while (year, month) <= (end.year, end.month):
		keys.append(f"{year:04d}-{month:02d}")
		year, month = (year + 1, 1) if month == 12 else (year, month + 1)
	return keys


def month_bounds(key: str) -> tuple[datetime.date, datetime.date]:
	"""First and last day of the month named by a 'YYYY-MM' key."""
	year, month = (int(part) for part in key.split("-"))
	first = datetime.date(year, month, 1)
	following = datetime.date(year + 1, 1, 1) if month == 12 else datetime.date(year, month + 1, 1)
	return first, following - datetime.timedelta(days=1)


def week_key(day: datetime.date | datetime.datetime | None) -> str | None:
	"""'2024-W05' for any day of ISO week 5 of 2024 (weeks start on Monday)."""
	if not day:
		return None
	year, week, _weekday = day.isocalendar()
	return f"{year:04d}-W{week:02d}"


def week_bounds(key: str) -> tuple[datetime.date, datetime.date]:
	"""Monday and Sunday of the ISO week named by a 'YYYY-Www' key."""
	year, week = key.split("-W")
	monday = datetime.date.fromisocalendar(int(year), int(week), 1)
	return monday, monday + datetime.timedelta(days=6)


def overlap_days(
	start_a: datetime.date, end_a: datetime.date, start_b: datetime.date, end_b: datetime.date
) -> int:
	"""Number of calendar days two inclusive date ranges share (0 when they do not meet)."""
	start, end = max(start_a, start_b), min(end_a, end_b)
	return max(0, (end - start).days + 1)


def prorated_target(
	target: object,
	target_start: datetime.date,
	target_end: datetime.date,
	period_start: datetime.date,
	period_end: datetime.date,
) -> float:
	"""The share of a target that falls in a reporting period, in proportion to the days they share.

	A yearly target of 1,200,000 counts 1,200,000 × 31/366 for January of a leap year; a target whose
	period lies wholly inside the reporting period counts in full.
	"""
	target_days = (target_end - target_start).days + 1
	if target_days <= 0:
		return 0.0
	shared = overlap_days(target_start, target_end, period_start, period_end)
	return round(_number(target) * shared / target_days, 2)


def rank_descending(values: Sequence[object]) -> list[int]:
	"""Competition ranks (1, 2, 2, 4) of the values, highest first; equal values share a rank."""
	numbers = [_number(value) for value in values]
	return [1 + sum(1 for other in numbers if other > number) for number in numbers]


def funnel(stages: Sequence[str], at_stage: Mapping[str, int]) -> list[dict]:
	"""Stage-to-stage conversion of a sales funnel.

	`stages` are the funnel's stage names in order; `at_stage` counts the opportunities whose furthest
	stage is each one (won ones at the won stage or beyond, lost ones where they were lost). An
	opportunity at a stage has passed every earlier stage, so the number that *reached* a stage is the
	count at it and every later one. Returns one dict per stage: stage, at_stage, reached,
	stage_conversion (reached / reached at the previous stage, %) and overall_conversion (reached /
	reached at the first stage, %); the first stage's stage_conversion is None.
	"""
	rows = []
	reached_after = 0
	reached = []
	for stage in reversed(stages):
		reached_after += int(at_stage.get(stage) or 0)
		reached.append(reached_after)
	reached.reverse()
	first = reached[0] if reached else 0
	for index, stage in enumerate(stages):
		rows.append(
			{
				"stage": stage,
				"at_stage": int(at_stage.get(stage) or 0),
				"reached": reached[index],
				"stage_conversion": rate(reached[index], reached[index - 1]) if index else None,
				"overall_conversion": rate(reached[index], first),
			}
		)
	return rows


def missing_information(record: Mapping[str, object]) -> list[str]:
	"""Fieldnames of required information the customer record lacks (SPEC §8 data quality).

	Every customer needs a region, a source, an account manager (unless it sits in the public pool,
	where having none is the point) and a mobile number; an enterprise also its industry and Unified
	Social Credit Code, an institution its industry, an individual an ID number.
	"""
	required = REQUIRED_FOR_ALL + REQUIRED_BY_TYPE.get(str(record.get("customer_type") or ""), ())
	missing = []
	for fieldname, _label in required:
		if fieldname == "account_manager" and record.get("in_public_pool"):
			continue
		value = record.get(fieldname)
		if value is None or (isinstance(value, str) and not value.strip()):
			missing.append(fieldname)
	return missing


def required_field_labels() -> dict[str, str]:
	"""English label of every field missing_information can report."""
	labels = dict(REQUIRED_FOR_ALL)
	for fields in REQUIRED_BY_TYPE.values():
		labels.update(fields)
	return labels


def is_converted(lifecycle_stage: object, first_deal_date: object) -> bool:
	"""A customer counts as converted once it has signed: a first deal date or a post-signing stage."""
	return bool(first_deal_date) or lifecycle_stage in CONVERTED_STAGES
