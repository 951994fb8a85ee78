"""Who gets a customer: assignment rules, round robin over a team, the public pool (公海) and claiming."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from cims_app.domain.errors import RuleViolation, _

ASSIGN_TO_USER = "User"
ASSIGN_ROUND_ROBIN = "Round Robin in Team"
# Only prospects go back to the pool: signed, paused and churned customers keep their account manager.
POOL_STAGES = ("Potential Customer", "Intent Customer")


@dataclass(frozen=True)
class Span:
	"""A node of a nested-set tree (CIMS Region, CIMS Industry): its lft and rgt."""

	lft: int
	rgt: int

	def contains(self, other: "Span | None") -> bool:
		return other is not None and self.lft <= other.lft and other.rgt <= self.rgt


@dataclass(frozen=True)
class Rule:
	"""A CIMS Assignment Rule with its tree conditions resolved to spans and its team's active members."""

	name: str
	priority: int = 0
	customer_type: str | None = None
	region: Span | None = None
	industry: Span | None = None
	customer_source: str | None = None
	assign_to: str = ASSIGN_TO_USER
	assignee: str | None = None
	sales_team: str | None = None
	members: tuple[str, ...] = ()
	last_assigned_user: str | None = None
	has_region: bool = False
	has_industry: bool = False


@dataclass(frozen=True)
class CustomerFacts:
	"""What the rules look at in a customer."""

	customer_type: str | None = None
	region: Span | None = None
	industry: Span | None = None
	customer_source: str | None = None


@dataclass
class Assignment:
	"""The outcome for a batch: customer key -> (rule name, user), and each round-robin rule's last user."""

	users: dict = field(default_factory=dict)
	last_assigned: dict = field(default_factory=dict)


def rule_matches(rule: Rule, customer: CustomerFacts) -> bool:
	"""Every condition the rule sets holds: same type and source, region and industry inside the rule's subtree."""
	if rule.customer_type and rule.customer_type != customer.customer_type:
		return False
	if rule.customer_source and rule.customer_source != customer.customer_source:
		return False
	if rule.has_region and not (rule.region and rule.region.contains(customer.region)):
		return False
	if rule.has_industry and not (rule.industry and rule.industry.contains(customer.industry)):
		return False
	return True


def ordered_rules(rules: Iterable[Rule]) -> list[Rule]:
	"""Lower priority numbers first (as the rule's form says); equal ones by rule name, so the order never
	depends on the database."""
	return sorted(rules, key=lambda rule: (int(rule.priority or 0), rule.name))


def next_in_rotation(members: tuple[str, ...] | list[str], last: str | None) -> str | None:
	"""The member after `last` in the team's order (the first one when `last` is not a member any more)."""
	if not members:
		return None
	if last in members:
		return members[(list(members).index(last) + 1) % len(members)]
	return members[0]


def assign(rules: Iterable[Rule], customers: dict) -> Assignment:
	"""Deal `customers` (key -> CustomerFacts, in the order given) to users by the first matching rule each.

	A rule naming a user gives every match to that user; a round-robin rule hands its matches to its
	team's members in turn, carrying on after its `last_assigned_user`. Rules whose user or team is
	missing are skipped; customers no rule covers are left out of the result.
	"""
	rules = ordered_rules(rules)
	outcome = Assignment()
	for key, facts in customers.items():
		for rule in rules:
			if not rule_matches(rule, facts):
				continue
			if rule.assign_to == ASSIGN_ROUND_ROBIN:
				last = outcome.last_assigned.get(rule.name, rule.last_assigned_user)
				user = next_in_rotation(rule.members, last)
				if user:
					outcome.last_assigned[rule.name] = user
			else:
				user = rule.assignee
			if user:
				outcome.users[key] = (rule.name, user)
				break
	return outcome


def check_rule_target(assign_to: str, assignee: object, sales_team: object) -> None:
	"""A rule names the user it assigns to, or the team it rotates over."""
	if assign_to == ASSIGN_ROUND_ROBIN and not sales_team:
		raise RuleViolation(_("A round-robin rule needs a sales team"), (), field="sales_team")
	if assign_to == ASSIGN_TO_USER and not assignee:
		raise RuleViolation(_("A rule that assigns to a user needs the assignee"), (), field="assignee")


def pool_idle_cutoff(today: datetime.date, idle_days: object) -> datetime.date | None:
	"""Customers untouched since before this day go to the pool; None when the pool is off (0 days)."""
	try:
		days = int(idle_days or 0)
	except (TypeError, ValueError):
		days = 0
	if days <= 0:
		return None
	return today - datetime.timedelta(days=days)


def claim_cap(limit: object) -> int:
	"""The per-rep claim limit as a number; 0 means no limit (also for an empty or unreadable setting)."""
	try:
		return max(int(limit or 0), 0)
	except (TypeError, ValueError):
		return 0


def remaining_claims(held: int, limit: object) -> int | None:
	"""How many more pool customers a rep holding `held` may claim; None when there is no limit."""
	cap = claim_cap(limit)
	return max(cap - held, 0) if cap else None


def check_claim_limit(held: int, limit: object) -> None:
	"""A rep may hold at most `limit` unconverted customers claimed from the pool (0 or empty: no limit)."""
	cap = claim_cap(limit)
	if remaining_claims(held, cap) == 0:
		raise RuleViolation(
			_(
				"You already hold {0} customers claimed from the public pool that are not yet active, the limit is {1}: convert or release some first"
			),
			(held, cap),
		)


def duplicate_keys(name_exact_key: object, credit_code: object, mobile_no: object) -> dict[str, str]:
	"""The identifying values of a customer that a rep must not already hold: fieldname -> value."""
	keys = {
		"name_exact_key": name_exact_key,
		"unified_social_credit_code": credit_code,
		"mobile_no": mobile_no,
	}
	return {
		fieldname: str(value).strip() for fieldname, value in keys.items() if value and str(value).strip()
	}
