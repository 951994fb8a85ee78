"""Classification label, value tier, amount growth and core-need length."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.customer_rules import (
	amount_growth_percent,
	check_core_need,
	classification_label,
	compute_value_tier,
	core_need_too_long,
)
from cims_app.domain.errors import RuleViolation
from cims_app.domain.vocabulary import OPTIONS


def test_classification_label_joins_industry_tier_stage_and_need_in_chinese():
	label = classification_label("制造业", "High Value Customer", "Active Customer", "Custom Solution")
	assert label == "制造业-高价值-合作中-解决方案定制型"


@pytest.mark.parametrize(
	"parts, expected",
	[
		(("", "Regular Customer", "Potential Customer", "Product Purchase"), "普通-潜在-产品采购型"),
		(("软件开发", None, "Intent Customer", ""), "软件开发-意向"),
		(
			("汽车制造", "Regular Customer", "Intent Customer", "Product Purchase"),
			"汽车制造-普通-意向-产品采购型",
		),
		((None, None, None, None), ""),
		(
			("  金融  ", "High Potential Customer", "Churned Customer", "Strategic Partnership"),
			"金融-高潜力-流失-长期战略合作型",
		),
	],
)
def test_classification_label_leaves_out_empty_parts(parts, expected):
	assert classification_label(*parts) == expected


def test_classification_label_accepts_chinese_option_values():
	assert (
		classification_label("制造业", "高价值客户", "合作中", "解决方案定制型")
		== "制造业-高价值-合作中-解决方案定制型"
	)


@pytest.mark.parametrize("stage", OPTIONS["lifecycle_stage"])
@pytest.mark.parametrize("tier", OPTIONS["value_tier"])
@pytest.mark.parametrize("need", OPTIONS["need_type"])
def test_classification_label_has_no_english_for_any_option(stage, tier, need):
	label = classification_label("IT", tier, stage, need)
	assert label.startswith("IT-")
	assert not any(char.isascii() and char.isalpha() for char in label[3:])


@pytest.mark.parametrize(
	"annual, growth, expected",
	[
		(500000, None, "High Value Customer"),
		(500000, 0, "High Value Customer"),
		(Decimal("499999.99"), 100, "High Potential Customer"),
		(100000, 20, "High Potential Customer"),
		(100000, Decimal("19.99"), "Regular Customer"),
		(Decimal("99999.99"), 50, "Regular Customer"),
		(100000, None, "Regular Customer"),
		(0, 1000, "Regular Customer"),
		(None, None, "Regular Customer"),
		(499999.99, 20.0, "High Potential Customer"),
		("100000.00", "20", "High Potential Customer"),
	],
)
def test_value_tier_boundaries_are_inclusive(annual, growth, expected):
	assert compute_value_tier(annual, growth) == expected


def test_value_tier_uses_given_thresholds():
	assert compute_value_tier(300, 10, high_value_min=1000, high_potential_min=200, growth_min=10) == (
		"High Potential Customer"
	)
	assert compute_value_tier(1000, 0, high_value_min=1000, high_potential_min=200, growth_min=10) == (
		"High Value Customer"
	)
	assert compute_value_tier(300, 9.99, high_value_min=1000, high_potential_min=200, growth_min=10) == (
		"Regular Customer"
	)


@given(
	st.decimals(min_value=0, max_value=Decimal("1e9"), places=2, allow_nan=False),
	st.one_of(st.none(), st.floats(min_value=-100, max_value=1000, allow_nan=False)),
)
def test_value_tier_is_high_value_exactly_from_500000(annual, growth):
	assert (compute_value_tier(annual, growth) == "High Value Customer") == (annual >= 500000)


@given(st.decimals(min_value=0, max_value=Decimal("1e9"), places=2, allow_nan=False))
def test_value_tier_is_the_same_for_float_and_decimal_amounts(annual):
	assert compute_value_tier(float(annual), 25) == compute_value_tier(annual, 25)


@pytest.mark.parametrize(
	"last, prior, expected",
	[
		(120, 100, 20.0),
		(50, 100, -50.0),
		(100, 100, 0.0),
		(Decimal("100000"), Decimal("30000"), 233.33),
		(0, 100, -100.0),
		(100, 0, 100.0),
		(-5, 0, -100.0),
		(0, 0, None),
		(None, None, None),
		(10, -10, 200.0),
	],
)
def test_amount_growth_percent(last, prior, expected):
	assert amount_growth_percent(last, prior) == expected


def test_core_need_of_50_characters_is_accepted_and_51_refused():
	assert check_core_need("需" * 50) == "需" * 50
	assert not core_need_too_long("需" * 50)
	assert core_need_too_long("需" * 51)
	with pytest.raises(RuleViolation) as caught:
		check_core_need("需" * 51)
	assert (
		str(caught.value)
		== "Core need has 51 characters: keep it to 50 or fewer and put details in the remarks"
	)
	assert caught.value.field == "core_need"


def test_core_need_length_counts_after_collapsing_whitespace():
	padded = "  " + "a  b" * 10 + "   "
	assert check_core_need(padded) == "a b" * 10
	assert not core_need_too_long(padded, limit=39)


def test_core_need_limit_is_configurable():
	with pytest.raises(RuleViolation):
		check_core_need("0123456789a", limit=10)
