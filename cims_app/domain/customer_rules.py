"""Customer rules: classification label, value tier, amount growth, core need length."""

from decimal import Decimal

from cims_app.domain.contact_rules import mask_id_number
from cims_app.domain.duplicates import unique_name_key
from cims_app.domain.errors import RuleViolation, _
from cims_app.domain.identifiers import birth_date_from_id
from cims_app.domain.names import exact_key, match_key
from cims_app.domain.text import clean_text
from cims_app.domain.vocabulary import LIFECYCLE_SHORT_ZH, NEED_TYPE_ZH, VALUE_TIER_SHORT_ZH, canonical_option

HIGH_VALUE = "High Value Customer"
HIGH_POTENTIAL = "High Potential Customer"
REGULAR = "Regular Customer"
CORE_NEED_MAX_LENGTH = 50


def _short(field: str, value: object, words: dict[str, str]) -> str:
	"""The Chinese short form of an option (English, Chinese or synonym); unknown text is kept as written."""
	option = canonical_option(field, value)
	return words[option] if option in words else clean_text(value)


def classification_label(
	industry_name: object, value_tier: object, lifecycle_stage: object, need_type: object
) -> str:
	"""The non-empty parts joined by "-": industry as named, then tier, stage and need type in short Chinese.

	("制造业", "High Value Customer", "Active Customer", "Custom Solution") → 制造业-高价值-合作中-解决方案定制型
	"""
	parts = (
		clean_text(industry_name),
		_short("value_tier", value_tier, VALUE_TIER_SHORT_ZH),
		_short("lifecycle_stage", lifecycle_stage, LIFECYCLE_SHORT_ZH),
		_short("need_type", need_type, NEED_TYPE_ZH),
	)
	return "-".join(part for part in parts if part)


def _decimal(value: object) -> Decimal | None:
	if value is None or value == "":
		return None
	return value if isinstance(value, Decimal) else Decimal(str(value))


def compute_value_tier(
	annual_amount: object,
	growth_6m_percent: object,
	high_value_min: object = 500000,
	high_potential_min: object = 100000,
	growth_min: object = 20,
) -> str:
	"""High Value Customer when annual_amount ≥ high_value_min; High Potential Customer when
	annual_amount ≥ high_potential_min and growth ≥ growth_min (percent points); else Regular Customer.

	Amounts and growth may be int, float, Decimal or None (no amount counts as 0, no growth as
	not growing). Every bound is inclusive.
	"""
	annual = _decimal(annual_amount) or Decimal(0)
	growth = _decimal(growth_6m_percent)
	if annual >= _decimal(high_value_min):
		return HIGH_VALUE
	if annual >= _decimal(high_potential_min) and growth is not None and growth >= _decimal(growth_min):
		return HIGH_POTENTIAL
	return REGULAR


def amount_growth_percent(last_6m: object, prior_6m: object) -> float | None:
	"""Growth of the last 6 months' amount over the 6 before, in percent, rounded to 2 decimals.

	None when both are 0 (nothing to compare). When the prior period is 0, all of the new amount
	is growth: 100.0 for a positive amount, -100.0 for a negative one, so a new customer that
	brings business counts as growing. A negative prior amount (refunds) is measured by its size.
	"""
	last = _decimal(last_6m) or Decimal(0)
	prior = _decimal(prior_6m) or Decimal(0)
	if prior == 0:
		if last == 0:
			return None
		return 100.0 if last > 0 else -100.0
	return round(float((last - prior) / abs(prior) * 100), 2)


def core_need_too_long(text: object, limit: int = CORE_NEED_MAX_LENGTH) -> bool:
	"""Whether the core need has more than `limit` characters after clean_text (a CJK character counts as one)."""
	return len(clean_text(text)) > limit


def check_core_need(text: object, limit: int = CORE_NEED_MAX_LENGTH, field: str | None = "core_need") -> str:
	"""The core need after clean_text; RuleViolation when it has more than `limit` characters."""
	cleaned = clean_text(text)
	if len(cleaned) > limit:
		raise RuleViolation(
			_("Core need has {0} characters: keep it to {1} or fewer and put details in the remarks"),
			(len(cleaned), limit),
			field=field,
		)
	return cleaned


def derived_customer_fields(values, **tier_thresholds) -> dict:
	"""The fields a customer's other fields determine, computed the same way for a form save and for
	a bulk import: name keys, masked ID number, birthday from the ID number (when not given), value
	tier (the approved override, else the given tier, else computed) and classification label.

	`values` is anything with .get (a dict or a Document) holding already normalised values;
	`tier_thresholds` go to compute_value_tier.
	"""
	name = values.get("customer_name")
	id_number = values.get("id_number")
	exact = exact_key(name)
	derived = {
		"name_exact_key": exact,
		"name_match_key": match_key(name),
		# None, not "": blanks never collide in the unique index
		"name_unique_key": unique_name_key(values.get("customer_type") or "Enterprise", exact),
		"id_number_masked": mask_id_number(id_number) if id_number else None,
		# Blank identifiers are NULL (unique indexes): the form may send "".
		"id_number": id_number or None,
		"unified_social_credit_code": values.get("unified_social_credit_code") or None,
	}
	if id_number and not values.get("birthday"):
		derived["birthday"] = birth_date_from_id(id_number)
	tier = (
		values.get("value_tier_override")
		or values.get("value_tier")
		or compute_value_tier(values.get("annual_amount"), values.get("amount_growth_6m"), **tier_thresholds)
	)
	derived["value_tier"] = tier
	derived["classification_label"] = classification_label(
		values.get("industry"), tier, values.get("lifecycle_stage"), values.get("need_type")
	)
	return derived
