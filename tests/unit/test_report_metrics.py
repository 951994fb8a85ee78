"""The formulas behind the CIMS reports and number cards, on hand-computed values."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.report_metrics import (
	average,
	completion_rate,
	conversion_rate,
	cost_per_acquisition,
	days_between,
	funnel,
	is_converted,
	missing_information,
	month_bounds,
	month_key,
	month_keys,
	overlap_days,
	prorated_target,
	rank_descending,
	rate,
	ratio,
	required_field_labels,
	retention_cutoff,
	return_on_investment,
	satisfaction_stars,
	week_bounds,
	week_key,
	weighted_value,
	win_rate,
)

D = datetime.date


def test_rate_is_a_percentage_rounded_to_two_decimals():
	assert rate(1, 3) == 33.33
	assert rate(2, 3) == 66.67
	assert rate(Decimal("50"), Decimal("200")) == 25.0


def test_rate_of_nothing_is_undefined_not_zero():
	assert rate(5, 0) is None
	assert rate(5, None) is None
	assert rate(0, 10) == 0.0


def test_completion_rate_can_exceed_one_hundred_when_a_target_is_beaten():
	assert completion_rate(120_000, 100_000) == 120.0
	assert completion_rate(50_000, None) is None


def test_conversion_rate_counts_converted_among_the_total():
	assert conversion_rate(3, 8) == 37.5


def test_win_rate_ignores_open_opportunities():
	assert win_rate(3, 1) == 75.0
	assert win_rate(0, 0) is None


def test_cost_per_acquisition_divides_spend_by_customers_acquired():
	assert cost_per_acquisition(10_000, 4) == 2500.0
	assert cost_per_acquisition(Decimal("1000.00"), 3) == 333.33


def test_cost_per_acquisition_is_undefined_without_customers_or_without_a_known_spend():
	assert cost_per_acquisition(10_000, 0) is None
	assert cost_per_acquisition(None, 4) is None


def test_return_on_investment_is_revenue_over_budget():
	assert return_on_investment(300_000, 100_000) == 3.0
	assert return_on_investment(300_000, 0) is None


def test_ratio_rounds_and_guards_the_denominator():
	assert ratio(10, 4) == 2.5
	assert ratio(10, 3, 1) == 3.3
	assert ratio(1, 0) is None


def test_weighted_value_applies_the_probability():
	assert weighted_value(200_000, 60) == 120_000.0
	assert weighted_value(None, 60) == 0.0


def test_average_skips_missing_values():
	assert average([1, 2, None, 6]) == 3.0
	assert average([None, ""]) is None


def test_satisfaction_stars_turns_a_stored_rating_into_stars_out_of_five():
	assert satisfaction_stars(0.8) == 4.0
	assert satisfaction_stars(Decimal("0.7")) == 3.5
	assert satisfaction_stars(None) is None


def test_days_between_datetimes_is_fractional():
	start = datetime.datetime(2024, 1, 1, 0, 0)
	assert days_between(start, datetime.datetime(2024, 1, 3, 12, 0)) == 2.5
	assert days_between(D(2024, 1, 1), D(2024, 3, 1)) == 60.0
	assert days_between(None, D(2024, 1, 1)) is None


def test_retention_cutoff_moves_back_whole_years_and_handles_leap_days():
	assert retention_cutoff(D(2026, 5, 10), 10) == D(2016, 5, 10)
	assert retention_cutoff(D(2024, 2, 29), 1) == D(2023, 2, 28)


def test_month_keys_span_years_inclusive():
	assert month_keys(D(2024, 11, 15), D(2025, 2, 1)) == ["2024-11", "2024-12", "2025-01", "2025-02"]
	assert month_keys(D(2024, 5, 1), D(2024, 5, 31)) == ["2024-05"]
	assert month_key(datetime.datetime(2024, 5, 9, 10, 0)) == "2024-05"


def test_month_bounds_know_month_lengths():
	assert month_bounds("2024-02") == (D(2024, 2, 1), D(2024, 2, 29))
	assert month_bounds("2023-12") == (D(2023, 12, 1), D(2023, 12, 31))


def test_week_keys_follow_iso_weeks_across_the_new_year():
	assert week_key(D(2024, 1, 31)) == "2024-W05"
	assert week_key(datetime.datetime(2024, 12, 30, 9, 0)) == "2025-W01"
	assert week_bounds("2025-W01") == (D(2024, 12, 30), D(2025, 1, 5))
	assert week_key(None) is None


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31)))
def test_every_day_lies_within_the_bounds_of_its_week(day):
	monday, sunday = week_bounds(week_key(day))
	assert monday <= day <= sunday and monday.weekday() == 0


def test_overlap_days_counts_shared_inclusive_days():
	assert overlap_days(D(2024, 1, 1), D(2024, 1, 31), D(2024, 1, 20), D(2024, 2, 10)) == 12
	assert overlap_days(D(2024, 1, 1), D(2024, 1, 31), D(2024, 2, 1), D(2024, 2, 10)) == 0


def test_prorated_target_takes_the_share_of_days_in_the_period():
	# A leap-year target of 366,000 is 1,000 a day: January carries 31,000.
	assert prorated_target(366_000, D(2024, 1, 1), D(2024, 12, 31), D(2024, 1, 1), D(2024, 1, 31)) == 31_000.0


def test_prorated_target_counts_in_full_when_inside_the_period_and_zero_outside():
	assert prorated_target(50_000, D(2024, 3, 1), D(2024, 3, 31), D(2024, 1, 1), D(2024, 12, 31)) == 50_000.0
	assert prorated_target(50_000, D(2024, 3, 1), D(2024, 3, 31), D(2024, 4, 1), D(2024, 4, 30)) == 0.0


def test_prorated_target_of_a_backwards_target_period_is_zero():
	assert prorated_target(50_000, D(2024, 3, 31), D(2024, 3, 1), D(2024, 1, 1), D(2024, 12, 31)) == 0.0


def test_rank_descending_shares_ranks_on_ties():
	assert rank_descending([300, 500, 300, 100]) == [2, 1, 2, 4]
	assert rank_descending([]) == []


def test_funnel_counts_an_opportunity_at_every_stage_it_passed():
	rows = funnel(["Lead", "Contact", "Proposal", "Won"], {"Lead": 4, "Contact": 3, "Proposal": 1, "Won": 2})
	assert [row["reached"] for row in rows] == [10, 6, 3, 2]
	assert [row["stage_conversion"] for row in rows] == [None, 60.0, 50.0, 66.67]
	assert [row["overall_conversion"] for row in rows] == [100.0, 60.0, 30.0, 20.0]
	assert [row["at_stage"] for row in rows] == [4, 3, 1, 2]


def test_funnel_of_an_empty_pipeline_has_no_rates():
	rows = funnel(["Lead", "Won"], {})
	assert [row["reached"] for row in rows] == [0, 0]
	assert rows[1]["stage_conversion"] is None
	assert rows[0]["overall_conversion"] is None


def test_missing_information_depends_on_the_customer_type():
	complete = {
		"customer_type": "Enterprise",
		"industry": "制造业",
		"region": "上海",
		"customer_source": "展会推广",
		"account_manager": "rep@example.com",
		"mobile_no": "13800138000",
		"unified_social_credit_code": "91310000MA1FL8XQ3B",
	}
	assert missing_information(complete) == []
	assert missing_information({**complete, "unified_social_credit_code": " "}) == [
		"unified_social_credit_code"
	]
	person = {**complete, "customer_type": "Individual", "industry": None, "unified_social_credit_code": None}
	assert missing_information(person) == ["id_number"]
	assert missing_information({**complete, "customer_type": "Institution", "industry": ""}) == ["industry"]


def test_a_customer_in_the_public_pool_needs_no_account_manager():
	record = {
		"customer_type": "Institution",
		"industry": "教育",
		"region": "北京",
		"customer_source": "官网注册",
	}
	record["mobile_no"] = "13800138000"
	assert missing_information(record) == ["account_manager"]
	assert missing_information({**record, "in_public_pool": 1}) == []


def test_every_reportable_missing_field_has_a_label():
	labels = required_field_labels()
	everything_missing = missing_information({"customer_type": "Enterprise"})
	assert set(everything_missing) <= set(labels)
	assert "id_number" in labels


@pytest.mark.parametrize(
	("stage", "first_deal", "expected"),
	[
		("Potential Customer", None, False),
		("Intent Customer", D(2024, 1, 1), True),
		("Active Customer", None, True),
		("Churned Customer", None, True),
	],
)
def test_is_converted_after_signing(stage, first_deal, expected):
	assert is_converted(stage, first_deal) is expected


@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12))
def test_funnel_reached_never_grows_down_the_stages(counts):
	stages = [f"S{index}" for index in range(len(counts))]
	rows = funnel(stages, dict(zip(stages, counts, strict=True)))
	reached = [row["reached"] for row in rows]
	assert reached == sorted(reached, reverse=True)
	assert reached[0] == sum(counts)


@given(
	st.integers(min_value=0, max_value=10**9),
	st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 1, 1)),
	st.integers(min_value=0, max_value=800),
	st.integers(min_value=0, max_value=400),
)
def test_prorated_shares_of_adjacent_periods_add_up_to_the_whole_target(target, start, length, split):
	end = start + datetime.timedelta(days=length)
	middle = start + datetime.timedelta(days=min(split, length))
	first = prorated_target(target, start, end, start, middle)
	second = prorated_target(target, start, end, middle + datetime.timedelta(days=1), end)
	assert abs(first + second - target) <= 0.02


@given(st.lists(st.integers(min_value=-1000, max_value=1000), max_size=30))
def test_ranks_start_at_one_and_follow_the_values(values):
	ranks = rank_descending(values)
	if values:
		assert min(ranks) == 1
	for left, rank_left in zip(values, ranks, strict=True):
		for right, rank_right in zip(values, ranks, strict=True):
			if left > right:
				assert rank_left < rank_right
