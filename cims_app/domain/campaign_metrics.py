"""Campaign metric formulas (SPEC §7): conversion rate, ROI and cost per participant from the raw counts.

participants = members who attended; conversions = won opportunities attributed to the campaign;
revenue = their won amounts; total_budget = the sum of the budget items.
"""

from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")


def _decimal(value: object) -> Decimal:
	if value is None or value == "":
		return Decimal(0)
	return value if isinstance(value, Decimal) else Decimal(str(value))


def _rounded(value: Decimal) -> Decimal:
	return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def conversion_rate(conversions: object, participants: object) -> Decimal:
	"""conversions / participants as a percentage (2 decimals); 0 when nobody attended."""
	attended = _decimal(participants)
	if attended <= 0:
		return Decimal("0.00")
	return _rounded(_decimal(conversions) * 100 / attended)


def return_on_investment(revenue: object, total_budget: object) -> Decimal:
	"""revenue / total_budget as a ratio (2 decimals; 2.50 = revenue is 2.5 times the budget); 0 without a budget."""
	budget = _decimal(total_budget)
	if budget <= 0:
		return Decimal("0.00")
	return _rounded(_decimal(revenue) / budget)


def cost_per_participant(total_budget: object, participants: object) -> Decimal:
	"""total_budget / participants (2 decimals); 0 when nobody attended."""
	attended = _decimal(participants)
	if attended <= 0:
		return Decimal("0.00")
	return _rounded(_decimal(total_budget) / attended)


def campaign_metrics(
	participants: object, conversions: object, revenue: object, total_budget: object
) -> dict[str, object]:
	"""Every metric field of a campaign from the raw counts and amounts."""
	return {
		"participants": int(_decimal(participants)),
		"conversions": int(_decimal(conversions)),
		"revenue": _rounded(_decimal(revenue)),
		"conversion_rate": conversion_rate(conversions, participants),
		"roi": return_on_investment(revenue, total_budget),
		"cost_per_participant": cost_per_participant(total_budget, participants),
	}
