"""Customer lifecycle and opportunity stage rules: what a move needs, what it changes, where it may go."""

import datetime
from dataclasses import dataclass

from cims_app.domain.errors import RuleViolation, _

POTENTIAL = "Potential Customer"
INTENT = "Intent Customer"
ACTIVE = "Active Customer"
PAUSED = "Paused Customer"
CHURNED = "Churned Customer"
STAGES = (POTENTIAL, INTENT, ACTIVE, PAUSED, CHURNED)
INITIAL_STAGE = POTENTIAL

# The user transitions of the "CIMS Customer Lifecycle" Workflow fixture (SPEC §4): (from, to) -> action.
TRANSITIONS = {
	(POTENTIAL, INTENT): "Confirm Intent",
	(INTENT, ACTIVE): "Sign Customer",
	(ACTIVE, PAUSED): "Pause Cooperation",
	(PAUSED, ACTIVE): "Resume Cooperation",
	(PAUSED, CHURNED): "Mark as Churned",
	(CHURNED, INTENT): "Win Back",
	(INTENT, POTENTIAL): "Back to Potential",
	(POTENTIAL, CHURNED): "Mark as Lost Lead",
}

# Where a stage move comes from. System moves (jobs, imports, merges, approvals) are made by the app
# on its own rules and are not limited to a user's workflow transitions; every other source is a user's
# move and goes through the workflow's transitions and roles.
SYSTEM_SOURCES = frozenset(("job", "import", "merge", "approval", "system"))


def is_system_source(source: str | None) -> bool:
	return (source or "") in SYSTEM_SOURCES


def check_stage(stage: object, field: str | None = "lifecycle_stage") -> str:
	"""The stage itself when it is one of STAGES; RuleViolation otherwise."""
	if stage not in STAGES:
		raise RuleViolation(_("{0} is not a lifecycle stage"), (stage,), field=field)
	return stage


def check_active_requirement(
	to_stage: object,
	has_won_opportunity: bool,
	contract_amount: object,
	field: str | None = "lifecycle_stage",
) -> None:
	"""Moving to (or creating as) Active Customer needs a won opportunity or a contract amount above 0."""
	if to_stage != ACTIVE or has_won_opportunity:
		return
	try:
		amount = float(contract_amount or 0)
	except (TypeError, ValueError):
		amount = 0
	if amount <= 0:
		raise RuleViolation(
			_(
				"A customer becomes an Active Customer only with a won opportunity or a contract amount: win an opportunity or enter the contract amount first"
			),
			(),
			field=field,
		)


def stage_move_effects(
	from_stage: object, to_stage: object, today: datetime.date, churned_on: object, first_deal_date: object
) -> dict:
	"""Fields a move sets besides the stage: `churned_on` when a customer churns, `first_deal_date` the
	first time it becomes active. An unchanged stage sets nothing."""
	if from_stage == to_stage:
		return {}
	effects = {}
	if to_stage == CHURNED:
		effects["churned_on"] = today
	if to_stage == ACTIVE and not first_deal_date:
		effects["first_deal_date"] = today
	return effects


@dataclass(frozen=True)
class SalesStage:
	"""What the opportunity rules need to know of a CIMS Sales Stage."""

	name: str
	sequence: int = 0
	is_won: bool = False
	is_lost: bool = False


@dataclass(frozen=True)
class StageStatus:
	"""The opportunity's status after reconciling it with its stage; `stage` is set when the stage must move."""

	status: str
	stage: str | None = None


def _won_phase(stage: SalesStage, won_sequence: int | None) -> bool:
	"""A won stage, or a stage after the first won one (e.g. 售后跟进, after-sales follow-up)."""
	return stage.is_won or (won_sequence is not None and not stage.is_lost and stage.sequence > won_sequence)


def reconcile_opportunity_status(
	status: str,
	stage: SalesStage | None,
	won_stage: SalesStage | None,
	stage_changed: bool,
	status_changed: bool,
) -> StageStatus:
	"""Keep an opportunity's sales stage and status consistent.

	- Moving the stage to a won stage (or past it) makes the opportunity Won; to a lost stage, Lost.
	- Setting the status to Won while the stage is before the won stage moves the stage to `won_stage`.
	- Moving a Won opportunity back to an earlier stage reopens it (status In Progress).
	- Anything else that contradicts (In Progress or Lost in a won stage, Won or In Progress in a lost stage) raises.
	Closing fields (won amount, lost reason) are checked separately by `require_close_fields`.
	"""
	if stage is None:
		return StageStatus(status)
	won_sequence = won_stage.sequence if won_stage else None
	if stage.is_lost:
		if stage_changed:
			return StageStatus("Lost")
		if status != "Lost":
			raise RuleViolation(
				_("An opportunity in the lost stage {0} must have the status Lost"),
				(stage.name,),
				field="status",
			)
		return StageStatus(status)
	if _won_phase(stage, won_sequence):
		if stage_changed and not status_changed:
			return StageStatus("Won")
		if status != "Won":
			raise RuleViolation(
				_(
					"An opportunity in the stage {0} must have the status Won; move it to an earlier stage to reopen it"
				),
				(stage.name,),
				field="status",
			)
		return StageStatus(status)
	if status == "Won":
		if status_changed and won_stage:
			return StageStatus("Won", won_stage.name)
		if stage_changed and not status_changed:
			return StageStatus("In Progress")
	return StageStatus(status)
