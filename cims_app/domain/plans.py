"""Follow-up plans: when the next planned follow-up of a plan falls due.

A plan runs in cycles of `frequency_days` from the day the customer entered the plan's lifecycle
stage; each cycle holds the plan's steps, step by step `offset_days` after the cycle starts (a plan
without steps is one call per cycle). A customer has at most one open follow-up per plan: the next one
is created when the previous one is closed, on the first occurrence not before today.
"""

import datetime
from dataclasses import dataclass

from cims_app.domain.errors import RuleViolation, _


@dataclass(frozen=True)
class PlanStep:
	sequence: int
	follow_up_type: str = "Phone Call"
	template: str | None = None
	offset_days: int = 0


DEFAULT_STEP = PlanStep(sequence=1)


def check_plan(frequency_days: object, steps: list[PlanStep]) -> None:
	"""RuleViolation when the cycle is not a positive number of days or a step falls outside it."""
	frequency = int(frequency_days or 0)
	if frequency < 1:
		raise RuleViolation(_("Frequency must be at least 1 day"), field="frequency_days")
	for step in steps:
		if not 0 <= int(step.offset_days or 0) < frequency:
			raise RuleViolation(
				_("Step {0}: the offset must be between 0 and {1} days, within one cycle of the plan"),
				(step.sequence, frequency - 1),
				field="steps",
			)


def _ordered(steps: list[PlanStep]) -> list[PlanStep]:
	return sorted(steps or [DEFAULT_STEP], key=lambda step: (int(step.offset_days or 0), step.sequence))


def next_occurrence(
	anchor: datetime.date, frequency_days: int, steps: list[PlanStep], not_before: datetime.date
) -> tuple[datetime.date, PlanStep]:
	"""The first (due date, step) of the plan's schedule from `anchor` that falls on or after `not_before`."""
	frequency = max(int(frequency_days or 0), 1)
	ordered = _ordered(steps)
	cycle = max((not_before - anchor).days // frequency, 0)
	while True:
		cycle_start = anchor + datetime.timedelta(days=cycle * frequency)
		for step in ordered:
			due = cycle_start + datetime.timedelta(days=int(step.offset_days or 0))
			if due >= not_before:
				return due, step
		cycle += 1
