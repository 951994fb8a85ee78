"""Customer lifecycle and opportunity stage rules (cims_app.domain.lifecycle_rules)."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from cims_app.domain.errors import RuleViolation
from cims_app.domain.lifecycle_rules import (
	ACTIVE,
	CHURNED,
	INTENT,
	PAUSED,
	POTENTIAL,
	STAGES,
	TRANSITIONS,
	SalesStage,
	StageStatus,
	check_active_requirement,
	check_stage,
	is_system_source,
	reconcile_opportunity_status,
	stage_move_effects,
)

TODAY = datetime.date(2026, 6, 15)
WORKFLOWS = Path(__file__).resolve().parents[2] / "cims_app" / "fixtures" / "workflow.json"

OPEN_STAGE = SalesStage("商务谈判", 5)
WON_STAGE = SalesStage("成交", 6, is_won=True)
AFTER_SALES = SalesStage("售后跟进", 7)
LOST_STAGE = SalesStage("输单", 9, is_lost=True)


def _lifecycle_fixture() -> dict:
	return next(w for w in json.loads(WORKFLOWS.read_text()) if w["document_type"] == "CIMS Customer")


def test_workflow_fixture_has_exactly_the_spec_transitions():
	workflow = _lifecycle_fixture()
	moves = {(t["state"], t["next_state"]): t["action"] for t in workflow["transitions"]}
	assert moves == TRANSITIONS
	assert workflow["workflow_state_field"] == "lifecycle_stage"
	assert workflow["states"][0]["state"] == POTENTIAL, "the first state is where new customers start"
	assert {s["state"] for s in workflow["states"]} == set(STAGES)


def test_workflow_fixture_gives_reps_and_managers_every_move_and_service_only_the_win_back():
	workflow = _lifecycle_fixture()
	roles = {}
	for t in workflow["transitions"]:
		roles.setdefault((t["state"], t["next_state"]), set()).add(t["allowed"])
	for move, allowed in roles.items():
		expected = {"CIMS Sales Rep", "CIMS Sales Manager", "System Manager"}
		if move == (CHURNED, INTENT):
			expected.add("CIMS Customer Service")
		assert allowed == expected, move
	assert all(t["allow_self_approval"] for t in workflow["transitions"]), "owners move their own customers"


@pytest.mark.parametrize("amount", [0, None, "", "0", -5, "abc"])
def test_active_without_won_opportunity_or_contract_amount_is_refused(amount):
	with pytest.raises(RuleViolation) as error:
		check_active_requirement(ACTIVE, False, amount)
	assert error.value.field == "lifecycle_stage"


@pytest.mark.parametrize(("won", "amount"), [(True, 0), (False, 1), (False, Decimal("0.01")), (True, None)])
def test_active_with_won_opportunity_or_contract_amount_is_allowed(won, amount):
	check_active_requirement(ACTIVE, won, amount)


@pytest.mark.parametrize("stage", [POTENTIAL, INTENT, PAUSED, CHURNED])
def test_other_stages_need_nothing(stage):
	check_active_requirement(stage, False, 0)


def test_unknown_stage_is_refused():
	with pytest.raises(RuleViolation):
		check_stage("Active")
	assert check_stage(PAUSED) == PAUSED


def test_churning_sets_churned_on_and_first_activation_sets_first_deal_date():
	assert stage_move_effects(PAUSED, CHURNED, TODAY, None, None) == {"churned_on": TODAY}
	assert stage_move_effects(INTENT, ACTIVE, TODAY, None, None) == {"first_deal_date": TODAY}
	assert stage_move_effects(PAUSED, ACTIVE, TODAY, None, datetime.date(2020, 1, 1)) == {}
	assert stage_move_effects(ACTIVE, ACTIVE, TODAY, None, None) == {}


def test_system_sources_are_the_apps_own():
	assert all(is_system_source(s) for s in ("job", "import", "merge", "approval", "system"))
	assert not any(is_system_source(s) for s in ("form", "api", "workflow", "follow-up", None))


def test_moving_to_a_won_stage_wins_the_opportunity():
	assert reconcile_opportunity_status("In Progress", WON_STAGE, WON_STAGE, True, False) == StageStatus(
		"Won"
	)
	assert reconcile_opportunity_status("In Progress", AFTER_SALES, WON_STAGE, True, False) == StageStatus(
		"Won"
	)


def test_moving_to_a_lost_stage_loses_it():
	assert reconcile_opportunity_status("In Progress", LOST_STAGE, WON_STAGE, True, False) == StageStatus(
		"Lost"
	)


def test_winning_moves_an_early_stage_on_to_the_won_stage():
	assert reconcile_opportunity_status("Won", OPEN_STAGE, WON_STAGE, False, True) == StageStatus(
		"Won", "成交"
	)


def test_moving_a_won_opportunity_back_reopens_it():
	assert reconcile_opportunity_status("Won", OPEN_STAGE, WON_STAGE, True, False) == StageStatus(
		"In Progress"
	)


@pytest.mark.parametrize(
	("status", "stage", "stage_changed", "status_changed"),
	[
		("In Progress", WON_STAGE, False, True),
		("Lost", WON_STAGE, True, True),
		("In Progress", AFTER_SALES, False, False),
		("In Progress", LOST_STAGE, False, True),
		("Won", LOST_STAGE, False, True),
	],
)
def test_status_contradicting_the_stage_is_refused(status, stage, stage_changed, status_changed):
	with pytest.raises(RuleViolation) as error:
		reconcile_opportunity_status(status, stage, WON_STAGE, stage_changed, status_changed)
	assert error.value.field == "status"


def test_lost_in_any_open_stage_and_no_stage_are_fine():
	assert reconcile_opportunity_status("Lost", OPEN_STAGE, WON_STAGE, False, True) == StageStatus("Lost")
	assert reconcile_opportunity_status("Won", None, WON_STAGE, False, True) == StageStatus("Won")
