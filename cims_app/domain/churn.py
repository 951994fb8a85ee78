"""Churn risk: a 0-100 score from a customer's recent history, its level and the reasons written out.

The daily churn job gathers the facts of every customer in a few GROUP BY queries and hands each
customer's facts to `assess_churn_risk`; the weights below are the whole rule.
"""

import json
from dataclasses import dataclass
from decimal import Decimal

from cims_app.domain.errors import _

# Points per signal; the sum is capped at 100.
GAP_TWICE_CADENCE = 35
GAP_OVER_CADENCE = 20
FREQUENCY_DROP = 15
AMOUNT_DROP_HALF = 20
AMOUNT_DROP_FIFTH = 10
PER_NEGATIVE_FEEDBACK = 10
PER_COMPLAINT = 10
SIGNAL_CAP = 20
CONTRACT_ENDING = 20

HIGH_SCORE = 70
MEDIUM_SCORE = 40
CONTRACT_WINDOW_DAYS = 60


@dataclass(frozen=True)
class ChurnFacts:
	"""What the score looks at. Counts cover the last 90 days unless named otherwise."""

	days_since_follow_up: int | None  # None: no completed follow-up ever
	customer_age_days: int
	cadence_days: int  # expected days between follow-ups for the customer's value tier
	follow_ups_last_90: int = 0
	follow_ups_prior_90: int = 0  # the 90 days before those
	amount_last_6m: object = 0
	amount_prior_6m: object = 0  # the 6 months before those
	negative_feedback: int = 0
	complaints: int = 0
	contract_days_left: int | None = None  # negative once the contract has ended
	open_opportunities: int = 0


# Each reason's stable code → the English it reads as (translated into each reader's language).
REASON_TEMPLATES: dict[str, str] = {
	"no_follow_up_since_creation": _(
		"No follow-up recorded in the {0} days since the customer was created (cadence {1} days)"
	),
	"no_follow_up": _("No follow-up for {0} days (cadence {1} days)"),
	"follow_ups_fell": _("Follow-ups fell from {0} to {1} (last 90 days against the 90 before)"),
	"amount_fell": _("Amount fell by {0}% (last 6 months against the 6 before)"),
	"negative_feedback": _("Negative feedback in {0} follow-ups of the last 90 days"),
	"complaints": _("{0} complaints in the last 90 days"),
	"contract_ends": _("Contract ends in {0} days with no open opportunity"),
	"contract_ended": _("Contract ended {0} days ago with no open opportunity"),
	"paused": _("Paused for {0} days"),
	"contract_ended_nothing_won": _("Contract ended {0} days ago with nothing won since"),
}


@dataclass(frozen=True)
class Reason:
	"""One reason: a stable `code` and its values; `message` is the English template it reads as, which
	each reader sees in their own language."""

	code: str
	params: tuple = ()

	@property
	def message(self) -> str:
		return REASON_TEMPLATES.get(self.code, self.code)

	def __str__(self) -> str:
		return self.message.format(*self.params)


def encode_reasons(reasons: tuple[Reason, ...] | list[Reason]) -> str:
	"""The language-neutral form stored in `churn_reasons`: `[["no_follow_up", 65, 30], ...]`, or "" for none.

	Codes and numbers only, so every reader gets the reasons in their language (decode_reasons) and a
	filter such as `churn_reasons like %contract_ends%` finds a reason whatever the language.
	"""
	if not reasons:
		return ""
	return json.dumps([[reason.code, *reason.params] for reason in reasons], ensure_ascii=False)


def decode_reasons(text: object) -> tuple[Reason, ...] | None:
	"""The reasons of a stored `churn_reasons`; () when empty, None when it is not the coded form (text
	written by an older version, shown as it is)."""
	if text is None or not str(text).strip():
		return ()
	try:
		rows = json.loads(str(text))
	except ValueError:
		return None
	if not isinstance(rows, list) or not all(
		isinstance(row, list) and row and isinstance(row[0], str) for row in rows
	):
		return None
	return tuple(Reason(row[0], tuple(row[1:])) for row in rows)


@dataclass(frozen=True)
class ChurnAssessment:
	score: int
	level: str
	reasons: tuple[Reason, ...]


HIGH, MEDIUM, LOW, NO_RISK = "High", "Medium", "Low", "No Risk"


def churn_level(score: int, high: int = HIGH_SCORE, medium: int = MEDIUM_SCORE) -> str:
	"""High at `high` and above, Medium at `medium` and above, Low above 0, else No Risk."""
	if score >= high:
		return HIGH
	if score >= medium:
		return MEDIUM
	return LOW if score > 0 else NO_RISK


def _number(value: object) -> Decimal:
	if value in (None, ""):
		return Decimal(0)
	return value if isinstance(value, Decimal) else Decimal(str(value))


def assess_churn_risk(
	facts: ChurnFacts,
	high: int = HIGH_SCORE,
	medium: int = MEDIUM_SCORE,
	contract_window_days: int = CONTRACT_WINDOW_DAYS,
) -> ChurnAssessment:
	"""Score the signals of `facts`, strongest reason first.

	- follow-up gap against the tier cadence: 35 at twice the cadence or more, 20 past it
	  (a customer never followed up counts from its creation);
	- follow-up frequency halved or worse (last 90 days vs the 90 before, from at least 2): 15;
	- amount down (last 6 months vs the 6 before): 20 from half, 10 from a fifth;
	- negative feedback and complaints in the last 90 days: 10 each, at most 20 per kind;
	- contract ending within `contract_window_days` (or ended as long ago) with no open opportunity: 20.
	"""
	signals: list[tuple[int, Reason]] = []
	cadence = max(int(facts.cadence_days or 0), 1)

	gap = facts.days_since_follow_up
	if gap is None and facts.customer_age_days > cadence:
		points = GAP_TWICE_CADENCE if facts.customer_age_days >= 2 * cadence else GAP_OVER_CADENCE
		signals.append(
			(
				points,
				Reason("no_follow_up_since_creation", (facts.customer_age_days, cadence)),
			)
		)
	elif gap is not None and gap > cadence:
		points = GAP_TWICE_CADENCE if gap >= 2 * cadence else GAP_OVER_CADENCE
		signals.append((points, Reason("no_follow_up", (gap, cadence))))

	last, prior = facts.follow_ups_last_90, facts.follow_ups_prior_90
	if prior >= 2 and last * 2 <= prior:
		signals.append(
			(
				FREQUENCY_DROP,
				Reason("follow_ups_fell", (prior, last)),
			)
		)

	amount_last, amount_prior = _number(facts.amount_last_6m), _number(facts.amount_prior_6m)
	if amount_prior > 0 and amount_last < amount_prior:
		drop = (amount_prior - amount_last) / amount_prior * 100
		points = AMOUNT_DROP_HALF if drop >= 50 else AMOUNT_DROP_FIFTH if drop >= 20 else 0
		if points:
			signals.append(
				(
					points,
					Reason("amount_fell", (int(drop.to_integral_value()),)),
				)
			)

	if facts.negative_feedback > 0:
		signals.append(
			(
				min(facts.negative_feedback * PER_NEGATIVE_FEEDBACK, SIGNAL_CAP),
				Reason("negative_feedback", (facts.negative_feedback,)),
			)
		)
	if facts.complaints > 0:
		signals.append(
			(
				min(facts.complaints * PER_COMPLAINT, SIGNAL_CAP),
				Reason("complaints", (facts.complaints,)),
			)
		)

	days_left = facts.contract_days_left
	if (
		days_left is not None
		and -contract_window_days <= days_left <= contract_window_days
		and facts.open_opportunities == 0
	):
		reason = (
			Reason("contract_ends", (days_left,))
			if days_left >= 0
			else Reason("contract_ended", (-days_left,))
		)
		signals.append((CONTRACT_ENDING, reason))

	signals.sort(key=lambda signal: -signal[0])
	score = min(sum(points for points, _reason in signals), 100)
	return ChurnAssessment(score, churn_level(score, high, medium), tuple(reason for _p, reason in signals))


def auto_churn_reason(
	lifecycle_stage: object,
	stage_changed_on: object,
	contract_end_date: object,
	last_won_on: object,
	today: object,
	paused_days: int = 90,
	contract_days: int = 90,
) -> Reason | None:
	"""Why a customer churns on its own (None when it does not): Paused for `paused_days` or more, or an
	Active or Paused customer whose contract ended `contract_days` or more ago with nothing won since.
	Dates are datetime.date (a datetime's date is used)."""
	if lifecycle_stage not in ("Active Customer", "Paused Customer"):
		return None
	today = _day(today)
	changed = _day(stage_changed_on)
	if lifecycle_stage == "Paused Customer" and changed and (today - changed).days >= paused_days:
		return Reason("paused", ((today - changed).days,))
	ended = _day(contract_end_date)
	won = _day(last_won_on)
	if ended and (today - ended).days >= contract_days and not (won and won > ended):
		return Reason("contract_ended_nothing_won", ((today - ended).days,))
	return None


def _day(value):
	if value is None or value == "":
		return None
	return value.date() if hasattr(value, "date") and callable(value.date) else value


def round_robin(items: list, users: list[str], start: int = 0) -> dict:
	"""Deal `items` to `users` in turn from position `start` (e.g. the number dealt before): item -> user."""
	if not users:
		return {}
	ordered = sorted(users)
	return {item: ordered[(start + index) % len(ordered)] for index, item in enumerate(items)}
