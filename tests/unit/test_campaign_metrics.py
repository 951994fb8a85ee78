"""Campaign metric formulas against hand-computed values."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.campaign_metrics import (
	campaign_metrics,
	conversion_rate,
	cost_per_participant,
	return_on_investment,
)


@pytest.mark.parametrize(
	"conversions, participants, rate",
	[
		(3, 40, Decimal("7.50")),
		(1, 3, Decimal("33.33")),
		(2, 3, Decimal("66.67")),
		(5, 5, Decimal("100.00")),
		(0, 12, Decimal("0.00")),
	],
)
def test_conversion_rate_is_conversions_over_participants_in_percent(conversions, participants, rate):
	assert conversion_rate(conversions, participants) == rate


@pytest.mark.parametrize(
	"revenue, budget, roi",
	[
		(300000, 120000, Decimal("2.50")),
		(Decimal("50000.00"), Decimal("80000.00"), Decimal("0.63")),
		(0, 10000, Decimal("0.00")),
		("1000", "3000", Decimal("0.33")),
	],
)
def test_roi_is_revenue_over_budget(revenue, budget, roi):
	assert return_on_investment(revenue, budget) == roi


@pytest.mark.parametrize(
	"budget, participants, cost", [(120000, 40, Decimal("3000.00")), (1000, 3, Decimal("333.33"))]
)
def test_cost_per_participant_is_budget_over_participants(budget, participants, cost):
	assert cost_per_participant(budget, participants) == cost


@pytest.mark.parametrize("empty", [0, None, "", Decimal(0)])
def test_ratios_are_zero_instead_of_division_by_zero(empty):
	assert conversion_rate(4, empty) == 0
	assert return_on_investment(5000, empty) == 0
	assert cost_per_participant(5000, empty) == 0


def test_campaign_metrics_gives_every_metric_field():
	assert campaign_metrics(40, 3, Decimal("300000"), Decimal("120000")) == {
		"participants": 40,
		"conversions": 3,
		"revenue": Decimal("300000.00"),
		"conversion_rate": Decimal("7.50"),
		"roi": Decimal("2.50"),
		"cost_per_participant": Decimal("3000.00"),
	}


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_conversion_rate_matches_exact_fraction(conversions, participants):
	exact = Decimal(conversions) * 100 / Decimal(participants)
	assert abs(conversion_rate(conversions, participants) - exact) <= Decimal("0.005")


@given(st.decimals(0, 10**9, places=2, allow_nan=False), st.decimals(Decimal("0.01"), 10**8, places=2))
def test_roi_times_budget_gives_back_revenue_within_rounding(revenue, budget):
	roi = return_on_investment(revenue, budget)
	assert abs(roi * budget - revenue) <= budget * Decimal("0.005") + Decimal("0.0001")
