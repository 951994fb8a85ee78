"""Assignment rules, round robin, the public pool and claiming (cims_app.domain.assignment_rules)."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.assignment_rules import (
	ASSIGN_ROUND_ROBIN,
	CustomerFacts,
	Rule,
	Span,
	assign,
	check_claim_limit,
	check_rule_target,
	duplicate_keys,
	next_in_rotation,
	ordered_rules,
	pool_idle_cutoff,
	remaining_claims,
	rule_matches,
)
from cims_app.domain.errors import RuleViolation

EAST = Span(2, 9)  # 华东
SHANGHAI = Span(3, 4)
BEIJING = Span(11, 12)
MANUFACTURING = Span(20, 30)
CARS = Span(21, 22)


def test_rule_without_conditions_matches_everyone():
	assert rule_matches(Rule("any", assignee="a"), CustomerFacts())


def test_region_condition_covers_the_whole_subtree():
	rule = Rule("east", region=EAST, has_region=True, assignee="a")
	assert rule_matches(rule, CustomerFacts(region=SHANGHAI))
	assert rule_matches(rule, CustomerFacts(region=EAST))
	assert not rule_matches(rule, CustomerFacts(region=BEIJING))
	assert not rule_matches(rule, CustomerFacts(region=None)), "a customer without region is outside"


def test_every_condition_must_hold():
	rule = Rule(
		"cars-east",
		customer_type="Enterprise",
		region=EAST,
		has_region=True,
		industry=MANUFACTURING,
		has_industry=True,
		customer_source="展会推广",
		assignee="a",
	)
	facts = CustomerFacts("Enterprise", SHANGHAI, CARS, "展会推广")
	assert rule_matches(rule, facts)
	assert not rule_matches(rule, CustomerFacts("Individual", SHANGHAI, CARS, "展会推广"))
	assert not rule_matches(rule, CustomerFacts("Enterprise", SHANGHAI, CARS, "官网注册"))
	assert not rule_matches(rule, CustomerFacts("Enterprise", SHANGHAI, None, "展会推广"))


def test_rule_with_a_deleted_region_matches_nobody():
	assert not rule_matches(Rule("gone", has_region=True, assignee="a"), CustomerFacts(region=SHANGHAI))


def test_lower_priority_numbers_are_tried_first_then_by_name():
	rules = [Rule("b", priority=5), Rule("a", priority=5), Rule("c", priority=1)]
	assert [r.name for r in ordered_rules(rules)] == ["c", "a", "b"]


def test_first_matching_rule_wins():
	rules = [
		Rule("general", priority=20, assignee="generalist"),
		Rule("east", priority=10, region=EAST, has_region=True, assignee="east-rep"),
	]
	outcome = assign(rules, {"x": CustomerFacts(region=SHANGHAI), "y": CustomerFacts(region=BEIJING)})
	assert outcome.users == {"x": ("east", "east-rep"), "y": ("general", "generalist")}


def test_round_robin_continues_after_the_last_assigned_member():
	rule = Rule("team", assign_to=ASSIGN_ROUND_ROBIN, members=("a", "b", "c"), last_assigned_user="b")
	outcome = assign([rule], {n: CustomerFacts() for n in ("1", "2", "3", "4")})
	assert [outcome.users[n][1] for n in ("1", "2", "3", "4")] == ["c", "a", "b", "c"]
	assert outcome.last_assigned == {"team": "c"}


def test_round_robin_over_an_empty_team_falls_through_to_the_next_rule():
	rules = [
		Rule("empty", priority=1, assign_to=ASSIGN_ROUND_ROBIN, members=()),
		Rule("fallback", priority=2, assignee="z"),
	]
	assert assign(rules, {"1": CustomerFacts()}).users == {"1": ("fallback", "z")}


def test_customers_no_rule_covers_are_left_out():
	rule = Rule("east", region=EAST, has_region=True, assignee="a")
	assert assign([rule], {"1": CustomerFacts(region=BEIJING)}).users == {}


@given(st.lists(st.sampled_from("abcde"), min_size=1, max_size=5, unique=True), st.integers(0, 40))
def test_round_robin_deals_evenly(members, count):
	rule = Rule("team", assign_to=ASSIGN_ROUND_ROBIN, members=tuple(members))
	outcome = assign([rule], {str(i): CustomerFacts() for i in range(count)})
	dealt = [user for _rule, user in outcome.users.values()]
	per_member = [dealt.count(m) for m in members]
	assert max(per_member) - min(per_member) <= 1


def test_next_in_rotation_restarts_when_the_last_user_left_the_team():
	assert next_in_rotation(("a", "b"), "gone") == "a"
	assert next_in_rotation(("a", "b"), "b") == "a"
	assert next_in_rotation((), "a") is None


def test_rule_target_must_be_named():
	with pytest.raises(RuleViolation):
		check_rule_target("User", None, None)
	with pytest.raises(RuleViolation):
		check_rule_target(ASSIGN_ROUND_ROBIN, "a", None)
	check_rule_target("User", "a", None)
	check_rule_target(ASSIGN_ROUND_ROBIN, None, "Team")


def test_pool_cutoff_and_switching_the_pool_off():
	today = datetime.date(2026, 6, 15)
	assert pool_idle_cutoff(today, 60) == datetime.date(2026, 4, 16)
	assert pool_idle_cutoff(today, 0) is None
	assert pool_idle_cutoff(today, None) is None


def test_claim_limit():
	check_claim_limit(49, 50)
	check_claim_limit(1000, 0)
	with pytest.raises(RuleViolation):
		check_claim_limit(50, 50)


def test_duplicate_keys_leave_out_empty_values():
	assert duplicate_keys("abc", None, " 13800138000 ") == {
		"name_exact_key": "abc",
		"mobile_no": "13800138000",
	}
	assert duplicate_keys("", "", None) == {}


def test_remaining_claims_follow_the_limit_that_refuses_a_claim():
	assert remaining_claims(47, 50) == 3
	assert remaining_claims(50, 50) == 0
	assert remaining_claims(60, "50") == 0, "a lowered limit leaves nothing, not a negative number"
	assert remaining_claims(1000, 0) is None and remaining_claims(3, None) is None, "0 or empty: no limit"
	assert remaining_claims(3, "abc") is None
	for held in range(0, 6):
		refused = remaining_claims(held, 5) == 0
		try:
			check_claim_limit(held, 5)
		except RuleViolation:
			assert refused
		else:
			assert not refused
