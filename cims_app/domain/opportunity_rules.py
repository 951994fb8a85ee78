"""Opportunity rules: expected and weighted amounts, what closing as Won or Lost needs."""

from decimal import ROUND_HALF_UP, Decimal

from cims_app.domain.errors import RuleViolation, _
from cims_app.domain.field_values import decimal_value
from cims_app.domain.text import clean_text
from cims_app.domain.vocabulary import canonical_option

_CENT = Decimal("0.01")


def _decimal(value: object, field: str | None) -> Decimal | None:
	"""The amount or count in `value`; None when blank; RuleViolation naming `field` when not a finite number."""
	return decimal_value(value, field)


def expected_amount(unit_price: object, quantity: object) -> Decimal | None:
	"""unit_price × quantity rounded to 2 decimals when both are set; None means "leave as entered".

	0 counts as not set: Frappe stores an empty Currency or Float field as 0, and a user who typed
	only an expected amount must not see it overwritten with 0.
	"""
	price, count = _decimal(unit_price, "unit_price"), _decimal(quantity, "quantity")
	if not price or not count:
		return None
	return (price * count).quantize(_CENT, rounding=ROUND_HALF_UP)


def weighted_amount(
	expected: object, probability_percent: object, field: str | None = "probability"
) -> Decimal:
	"""expected × probability / 100, rounded to 2 decimals; an empty expected amount or probability gives 0.

	RuleViolation when the probability is outside 0-100.
	"""
	amount = _decimal(expected, "expected_amount") or Decimal(0)
	probability = _decimal(probability_percent, field) or Decimal(0)
	if not 0 <= probability <= 100:
		raise RuleViolation(
			_("Probability {0} must be between 0 and 100"), (probability_percent,), field=field
		)
	return (amount * probability / 100).quantize(_CENT, rounding=ROUND_HALF_UP)


def require_close_fields(status: object, won_amount: object, lost_reason: object) -> None:
	"""RuleViolation when a Won opportunity has no won amount above 0 or a Lost one no lost reason."""
	option = canonical_option("opportunity_status", status)
	if option == "Won" and not (_decimal(won_amount, "won_amount") or 0) > 0:
		raise RuleViolation(_("A won opportunity needs a won amount greater than 0"), (), field="won_amount")
	if option == "Lost" and not clean_text(lost_reason):
		raise RuleViolation(_("A lost opportunity needs a lost reason"), (), field="lost_reason")
