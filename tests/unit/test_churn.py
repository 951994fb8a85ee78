"""Churn risk score, level and reasons; auto churn; round-robin dealing."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.churn import (
	REASON_TEMPLATES,
	ChurnFacts,
	Reason,
	assess_churn_risk,
	auto_churn_reason,
	churn_level,
	decode_reasons,
	encode_reasons,
	round_robin,
)

TODAY = datetime.date(2026, 6, 15)


def facts(**values) -> ChurnFacts:
	return ChurnFacts(**{"days_since_follow_up": 5, "customer_age_days": 400, "cadence_days": 30, **values})


def reasons(assessment) -> list[str]:
	return [str(reason) for reason in assessment.reasons]


def test_customer_followed_up_within_cadence_with_nothing_wrong_has_no_risk():
	assessment = assess_churn_risk(facts())
	assert (assessment.score, assessment.level, assessment.reasons) == (0, "No Risk", ())


@pytest.mark.parametrize(
	("gap", "points"),
	[(30, 0), (31, 20), (59, 20), (60, 35), (200, 35)],
)
def test_follow_up_gap_scores_against_the_tier_cadence(gap, points):
	assert assess_churn_risk(facts(days_since_follow_up=gap)).score == points


def test_follow_up_gap_reason_names_days_and_cadence():
	assert reasons(assess_churn_risk(facts(days_since_follow_up=75, cadence_days=45))) == [
		"No follow-up for 75 days (cadence 45 days)"
	]


def test_customer_never_followed_up_counts_from_its_creation():
	assessment = assess_churn_risk(facts(days_since_follow_up=None, customer_age_days=100, cadence_days=30))
	assert assessment.score == 35
	assert reasons(assessment) == [
		"No follow-up recorded in the 100 days since the customer was created (cadence 30 days)"
	]


def test_new_customer_never_followed_up_within_its_cadence_has_no_risk():
	assert assess_churn_risk(facts(days_since_follow_up=None, customer_age_days=20)).score == 0


@pytest.mark.parametrize(
	("last", "prior", "points"),
	[(2, 4, 15), (3, 4, 0), (0, 2, 15), (0, 1, 0), (5, 10, 15), (6, 10, 0)],
)
def test_halved_follow_up_frequency_scores(last, prior, points):
	assert assess_churn_risk(facts(follow_ups_last_90=last, follow_ups_prior_90=prior)).score == points


@pytest.mark.parametrize(
	("last", "prior", "points"),
	[(50, 100, 20), (51, 100, 10), (80, 100, 10), (81, 100, 0), (100, 0, 0), (0, 100, 20), (120, 100, 0)],
)
def test_amount_drop_scores_by_size(last, prior, points):
	assert assess_churn_risk(facts(amount_last_6m=last, amount_prior_6m=prior)).score == points


def test_amount_drop_reason_gives_the_percentage():
	assert reasons(assess_churn_risk(facts(amount_last_6m=30000, amount_prior_6m=100000))) == [
		"Amount fell by 70% (last 6 months against the 6 before)"
	]


def test_negative_feedback_and_complaints_count_ten_each_up_to_twenty_per_kind():
	assessment = assess_churn_risk(facts(negative_feedback=3, complaints=1))
	assert assessment.score == 30
	assert reasons(assessment) == [
		"Negative feedback in 3 follow-ups of the last 90 days",
		"1 complaints in the last 90 days",
	]


@pytest.mark.parametrize(
	("days_left", "open_opportunities", "points"),
	[(61, 0, 0), (60, 0, 20), (0, 0, 20), (-60, 0, 20), (-61, 0, 0), (10, 1, 0)],
)
def test_contract_ending_without_open_opportunity_scores(days_left, open_opportunities, points):
	assessment = assess_churn_risk(facts(contract_days_left=days_left, open_opportunities=open_opportunities))
	assert assessment.score == points


def test_contract_reasons_say_ends_in_or_ended_ago():
	assert reasons(assess_churn_risk(facts(contract_days_left=12))) == [
		"Contract ends in 12 days with no open opportunity"
	]
	assert reasons(assess_churn_risk(facts(contract_days_left=-5))) == [
		"Contract ended 5 days ago with no open opportunity"
	]


def test_every_signal_together_is_capped_at_100_with_strongest_reason_first():
	assessment = assess_churn_risk(
		facts(
			days_since_follow_up=90,
			follow_ups_last_90=0,
			follow_ups_prior_90=6,
			amount_last_6m=0,
			amount_prior_6m=10,
			negative_feedback=2,
			complaints=2,
			contract_days_left=3,
		)
	)
	assert assessment.score == 100
	assert assessment.level == "High"
	assert str(assessment.reasons[0]).startswith("No follow-up for 90 days")
	assert len(assessment.reasons) == 6


def test_reason_messages_are_english_templates_with_separate_values():
	reason = assess_churn_risk(facts(days_since_follow_up=75)).reasons[0]
	assert reason.message == "No follow-up for {0} days (cadence {1} days)"
	assert reason.params == (75, 30)


@pytest.mark.parametrize(
	("score", "level"),
	[(0, "No Risk"), (1, "Low"), (39, "Low"), (40, "Medium"), (69, "Medium"), (70, "High"), (100, "High")],
)
def test_level_thresholds_are_inclusive(score, level):
	assert churn_level(score) == level


def test_level_thresholds_come_from_settings():
	assert churn_level(50, high=50, medium=20) == "High"
	assert churn_level(20, high=50, medium=20) == "Medium"


@given(
	gap=st.one_of(st.none(), st.integers(0, 2000)),
	age=st.integers(0, 5000),
	cadence=st.integers(1, 365),
	last=st.integers(0, 50),
	prior=st.integers(0, 50),
	amount_last=st.integers(0, 10**7),
	amount_prior=st.integers(0, 10**7),
	negative=st.integers(0, 20),
	complaints=st.integers(0, 20),
	days_left=st.one_of(st.none(), st.integers(-1000, 1000)),
	open_opportunities=st.integers(0, 3),
)
def test_score_is_between_0_and_100_and_matches_its_level_and_reasons(
	gap,
	age,
	cadence,
	last,
	prior,
	amount_last,
	amount_prior,
	negative,
	complaints,
	days_left,
	open_opportunities,
):
	assessment = assess_churn_risk(
		ChurnFacts(
			gap,
			age,
			cadence,
			last,
			prior,
			amount_last,
			amount_prior,
			negative,
			complaints,
			days_left,
			open_opportunities,
		)
	)
	assert 0 <= assessment.score <= 100
	assert assessment.level == churn_level(assessment.score)
	assert (assessment.score == 0) == (not assessment.reasons)


# Auto churn


@pytest.mark.parametrize(("days", "churns"), [(89, False), (90, True), (91, True)])
def test_paused_customer_churns_after_the_paused_days(days, churns):
	changed = TODAY - datetime.timedelta(days=days)
	reason = auto_churn_reason("Paused Customer", changed, None, None, TODAY)
	assert (reason is not None) == churns
	if churns:
		assert str(reason) == f"Paused for {days} days"


def test_paused_days_come_from_settings():
	changed = TODAY - datetime.timedelta(days=30)
	assert auto_churn_reason("Paused Customer", changed, None, None, TODAY, paused_days=30) is not None


@pytest.mark.parametrize(("days", "churns"), [(89, False), (90, True), (91, True)])
def test_customer_whose_contract_ended_churns_after_the_contract_days(days, churns):
	ended = TODAY - datetime.timedelta(days=days)
	reason = auto_churn_reason("Active Customer", TODAY, ended, None, TODAY)
	assert (reason is not None) == churns


def test_customer_who_won_after_the_contract_ended_does_not_churn():
	ended = TODAY - datetime.timedelta(days=120)
	assert (
		auto_churn_reason("Active Customer", TODAY, ended, ended + datetime.timedelta(days=1), TODAY) is None
	)
	assert auto_churn_reason("Active Customer", TODAY, ended, ended, TODAY) is not None


@pytest.mark.parametrize("stage", ["Potential Customer", "Intent Customer", "Churned Customer"])
def test_only_active_and_paused_customers_churn_on_their_own(stage):
	long_ago = TODAY - datetime.timedelta(days=400)
	assert auto_churn_reason(stage, long_ago, long_ago, None, TODAY) is None


def test_datetimes_count_by_their_date():
	changed = datetime.datetime(2026, 3, 17, 23, 59)
	assert auto_churn_reason("Paused Customer", changed, None, None, datetime.datetime(2026, 6, 15, 0, 1))


def test_round_robin_deals_in_turn_from_the_start_position():
	dealt = round_robin(["c1", "c2", "c3"], ["b@x", "a@x"], start=1)
	assert dealt == {"c1": "b@x", "c2": "a@x", "c3": "b@x"}
	assert round_robin(["c1"], []) == {}


def test_reasons_are_stored_as_codes_and_values_and_read_back():
	assessment = assess_churn_risk(facts(days_since_follow_up=75, complaints=2, contract_days_left=-5))
	stored = encode_reasons(assessment.reasons)
	assert stored == '[["no_follow_up", 75, 30], ["complaints", 2], ["contract_ended", 5]]'
	assert decode_reasons(stored) == assessment.reasons
	assert [str(reason) for reason in decode_reasons(stored)] == reasons(assessment)


def test_no_reasons_are_stored_as_nothing():
	assert encode_reasons(()) == ""
	assert decode_reasons("") == ()
	assert decode_reasons(None) == ()


@pytest.mark.parametrize(
	"legacy", ["已 90 天未跟进（跟进周期 30 天）", "No follow-up for 90 days", "[1, 2]", '{"a": 1}']
)
def test_reasons_written_out_by_an_older_version_are_not_taken_for_codes(legacy):
	assert decode_reasons(legacy) is None


def test_every_reason_the_rules_give_has_a_template():
	found = {
		reason.code
		for facts_ in (
			facts(days_since_follow_up=None, customer_age_days=100),
			facts(days_since_follow_up=75, follow_ups_prior_90=4, follow_ups_last_90=1),
			facts(amount_last_6m=10, amount_prior_6m=100, negative_feedback=1, complaints=1),
			facts(contract_days_left=3),
			facts(contract_days_left=-3),
		)
		for reason in assess_churn_risk(facts_).reasons
	}
	found |= {
		auto_churn_reason("Paused Customer", TODAY - datetime.timedelta(days=100), None, None, TODAY).code,
		auto_churn_reason("Active Customer", TODAY, TODAY - datetime.timedelta(days=100), None, TODAY).code,
	}
	assert found == set(REASON_TEMPLATES)


def test_an_unknown_code_reads_as_itself():
	assert str(Reason("gone_code", (1,))) == "gone_code"
