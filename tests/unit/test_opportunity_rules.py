"""Expected and weighted opportunity amounts, and what closing as Won or Lost needs."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.errors import RuleViolation
from cims_app.domain.opportunity_rules import expected_amount, require_close_fields, weighted_amount


@pytest.mark.parametrize(
	"price, quantity, expected",
	[
		(1200, 15, Decimal("18000.00")),
		(Decimal("2.5"), Decimal("0.333"), Decimal("0.83")),
		(99.99, 3, Decimal("299.97")),
		("10", "3", Decimal("30.00")),
	],
)
def test_expected_amount_is_price_times_quantity(price, quantity, expected):
	assert expected_amount(price, quantity) == expected


@pytest.mark.parametrize("price, quantity", [(None, 3), (10, None), (0, 3), (10, 0), (None, None), ("", 5)])
def test_expected_amount_is_left_as_entered_without_both_price_and_quantity(price, quantity):
	assert expected_amount(price, quantity) is None


@pytest.mark.parametrize(
	"expected, probability, weighted",
	[
		(18000, 60, Decimal("10800.00")),
		(Decimal("100000"), 40, Decimal("40000.00")),
		(1000, 0, Decimal("0.00")),
		(1000, 100, Decimal("1000.00")),
		(Decimal("0.05"), 50, Decimal("0.03")),
		(None, 50, Decimal("0.00")),
		(1000, None, Decimal("0.00")),
	],
)
def test_weighted_amount_is_expected_times_probability(expected, probability, weighted):
	assert weighted_amount(expected, probability) == weighted


@given(
	st.decimals(min_value=0, max_value=Decimal("1e10"), places=2, allow_nan=False),
	st.integers(min_value=0, max_value=100),
)
def test_weighted_amount_lies_between_zero_and_expected(expected, probability):
	assert 0 <= weighted_amount(expected, probability) <= expected


@pytest.mark.parametrize("probability", [-1, 100.01, 150])
def test_probability_outside_0_to_100_is_refused(probability):
	with pytest.raises(RuleViolation) as caught:
		weighted_amount(1000, probability)
	assert str(caught.value) == f"Probability {probability} must be between 0 and 100"
	assert caught.value.field == "probability"


@pytest.mark.parametrize("won_amount", [None, 0, -1, ""])
def test_won_opportunity_without_positive_won_amount_is_refused(won_amount):
	with pytest.raises(RuleViolation) as caught:
		require_close_fields("Won", won_amount, "")
	assert str(caught.value) == "A won opportunity needs a won amount greater than 0"
	assert caught.value.field == "won_amount"


@pytest.mark.parametrize("lost_reason", [None, "", "   "])
def test_lost_opportunity_without_reason_is_refused(lost_reason):
	with pytest.raises(RuleViolation) as caught:
		require_close_fields("Lost", 0, lost_reason)
	assert str(caught.value) == "A lost opportunity needs a lost reason"
	assert caught.value.field == "lost_reason"


@pytest.mark.parametrize(
	"status, won_amount, lost_reason",
	[
		("Won", 0.01, ""),
		("Won", Decimal("5000"), None),
		("Lost", 0, "预算取消"),
		("In Progress", 0, ""),
		("In Progress", None, None),
	],
)
def test_close_fields_present_or_not_needed_pass(status, won_amount, lost_reason):
	assert require_close_fields(status, won_amount, lost_reason) is None


def test_chinese_status_is_checked_like_english():
	with pytest.raises(RuleViolation):
		require_close_fields("赢单", 0, "")
