"""Follow-up status moves and the schedule of follow-up plans."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.errors import RuleViolation
from cims_app.domain.follow_up_flow import check_status_move, is_closing
from cims_app.domain.plans import DEFAULT_STEP, PlanStep, check_plan, next_occurrence

D = datetime.date


@pytest.mark.parametrize(
	("old", "new"),
	[
		(None, "Planned"),
		(None, "Completed"),
		(None, "Called Off"),
		("Planned", "Planned"),
		("Planned", "Completed"),
		("Planned", "Called Off"),
		("Completed", "Completed"),
		("Called Off", "Called Off"),
	],
)
def test_planned_follow_up_may_be_completed_or_cancelled(old, new):
	assert check_status_move(old, new) is None


@pytest.mark.parametrize(
	("old", "new", "message"),
	[
		("Completed", "Planned", "A completed follow-up cannot be reopened or cancelled"),
		("Completed", "Called Off", "A completed follow-up cannot be reopened or cancelled"),
		(
			"Called Off",
			"Planned",
			"A cancelled follow-up cannot be reopened or completed: plan a new follow-up instead",
		),
		(
			"Called Off",
			"Completed",
			"A cancelled follow-up cannot be reopened or completed: plan a new follow-up instead",
		),
	],
)
def test_closed_follow_up_cannot_move_again(old, new, message):
	with pytest.raises(RuleViolation) as caught:
		check_status_move(old, new)
	assert str(caught.value) == message
	assert caught.value.field == "status"


def test_closing_is_completing_or_cancelling_an_open_follow_up():
	assert is_closing("Planned", "Completed")
	assert is_closing(None, "Called Off")
	assert not is_closing("Completed", "Completed")
	assert not is_closing("Planned", "Planned")


STEPS = [PlanStep(1, "Phone Call", "初次电话沟通", 0), PlanStep(2, "E-mail", None, 10)]
ANCHOR = D(2026, 6, 1)


@pytest.mark.parametrize(
	("not_before", "due", "sequence"),
	[
		(D(2026, 6, 1), D(2026, 6, 1), 1),
		(D(2026, 6, 2), D(2026, 6, 11), 2),
		(D(2026, 6, 11), D(2026, 6, 11), 2),
		(D(2026, 6, 12), D(2026, 7, 1), 1),
		(D(2026, 7, 2), D(2026, 7, 11), 2),
		(D(2026, 5, 1), D(2026, 6, 1), 1),
	],
)
def test_plan_runs_its_steps_in_cycles_of_its_frequency(not_before, due, sequence):
	assert next_occurrence(ANCHOR, 30, STEPS, not_before) == (due, STEPS[sequence - 1])


def test_plan_without_steps_is_one_call_per_cycle():
	assert next_occurrence(ANCHOR, 7, [], D(2026, 6, 2)) == (D(2026, 6, 8), DEFAULT_STEP)
	assert DEFAULT_STEP.follow_up_type == "Phone Call"


@given(
	st.dates(D(2020, 1, 1), D(2030, 1, 1)),
	st.integers(1, 120),
	st.lists(st.integers(0, 200), min_size=0, max_size=4),
	st.integers(-400, 4000),
)
def test_next_occurrence_is_the_first_scheduled_day_not_before_the_limit(anchor, frequency, offsets, shift):
	steps = [PlanStep(i + 1, "Phone Call", None, offset % frequency) for i, offset in enumerate(offsets)]
	not_before = anchor + datetime.timedelta(days=shift)
	due, step = next_occurrence(anchor, frequency, steps, not_before)
	assert due >= not_before and due >= anchor
	assert (due - anchor).days % frequency == (step.offset_days or 0)
	scheduled = {step.offset_days for step in steps} or {0}
	day = max(not_before, anchor)
	while day < due:
		assert (day - anchor).days % frequency not in scheduled
		day += datetime.timedelta(days=1)


def test_plan_needs_a_positive_frequency_and_steps_within_a_cycle():
	check_plan(30, STEPS)
	with pytest.raises(RuleViolation) as caught:
		check_plan(0, STEPS)
	assert caught.value.field == "frequency_days"
	with pytest.raises(RuleViolation) as caught:
		check_plan(10, STEPS)
	assert (
		str(caught.value) == "Step 2: the offset must be between 0 and 9 days, within one cycle of the plan"
	)
