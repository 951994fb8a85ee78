"""Campaign status flow, engagement rows, tag patterns and formula-safe spreadsheet cells."""

from decimal import Decimal

import pytest

from cims_app.domain.campaign_rules import (
	STATUS_FLOW,
	check_in_is_open,
	check_status_transition,
	like_pattern_for_tag,
	parse_engagement_row,
)
from cims_app.domain.errors import RuleViolation
from cims_app.domain.spreadsheet_cells import neutralise_formula

ALLOWED = {
	("Planned", "Announced"),
	("Announced", "Ongoing"),
	("Ongoing", "Completed"),
	("Planned", "Called Off"),
	("Announced", "Called Off"),
	("Ongoing", "Called Off"),
}
STATUSES = list(STATUS_FLOW)


@pytest.mark.parametrize("old, new", sorted(ALLOWED))
def test_allowed_status_moves_pass(old, new):
	check_status_transition(old, new)


@pytest.mark.parametrize(
	"old, new", [(o, n) for o in STATUSES for n in STATUSES if o != n and (o, n) not in ALLOWED]
)
def test_every_other_status_move_is_refused(old, new):
	with pytest.raises(RuleViolation) as error:
		check_status_transition(old, new)
	assert error.value.field == "status"
	assert old in str(error.value) and new in str(error.value)


def test_new_campaign_must_start_planned():
	check_status_transition(None, "Planned")
	with pytest.raises(RuleViolation):
		check_status_transition(None, "Ongoing")


def test_unknown_status_is_refused():
	with pytest.raises(RuleViolation):
		check_status_transition("Planned", "Archived")


@pytest.mark.parametrize("status, open_", [(s, s in ("Announced", "Ongoing")) for s in STATUSES])
def test_check_in_open_only_while_published_or_ongoing(status, open_):
	assert check_in_is_open(status) is open_


def test_engagement_row_with_minutes_counts_as_attended():
	row = parse_engagement_row({"customer": " 202405-0001 ", "watch_minutes": "12.5", "interactions": 3})
	assert row.customer == "202405-0001"
	assert row.watch_minutes == Decimal("12.5")
	assert row.interactions == 3
	assert row.attended


def test_engagement_row_without_activity_is_not_attended_unless_flagged():
	assert not parse_engagement_row({"member": "m1"}).attended
	assert parse_engagement_row({"member": "m1", "viewed": "yes"}).attended


@pytest.mark.parametrize(
	"row",
	[
		{},
		{"watch_minutes": 3},
		{"customer": "c", "watch_minutes": -1},
		{"customer": "c", "watch_minutes": "abc"},
		{"customer": "c", "interactions": 1.5},
		"not a dict",
	],
)
def test_bad_engagement_rows_are_refused(row):
	with pytest.raises(RuleViolation):
		parse_engagement_row(row)


def test_tag_pattern_escapes_like_wildcards():
	assert like_pattern_for_tag("高意向") == "%,高意向,%"
	assert like_pattern_for_tag("50%_vip") == "%,50\\%\\_vip,%"


@pytest.mark.parametrize("value", ["=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"])
def test_formula_like_text_is_neutralised(value):
	assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["客户", "a=b", 12, -5, None, Decimal("1.5")])
def test_other_values_pass_unchanged(value):
	assert neutralise_formula(value) == value
