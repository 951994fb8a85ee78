"""Two memberships of one campaign folded into one when their customers are merged (SPEC §6: one
membership per customer and campaign; nothing of either is lost)."""

from collections.abc import Mapping

# How far a member got, least to most: the merged membership keeps the furthest.
STATUS_RANK = {"Invited": 0, "No-Show": 1, "Registered": 2, "Attended": 3}


def _rank(row: Mapping) -> int:
	return STATUS_RANK.get(row.get("status") or "", -1)


def _earliest(*values):
	present = [value for value in values if value]
	return min(present) if present else None


def merge_memberships(kept: Mapping, other: Mapping) -> tuple[str, str, dict]:
	"""(the membership that stays, the one that goes, the values the one that stays takes).

	The one that stays is the one that got further (Attended > Registered > No-Show > Invited; on a tie the
	kept customer's), so that its check-in token and check-in time stay valid; it takes the furthest status,
	the earliest invitation and check-in, the sum of interactions and watch minutes, high intent if either
	had it, both feedbacks, a contact if it had none, and a conversion if either converted (the caller
	recomputes conversions from the opportunities afterwards)."""
	stays, goes = (other, kept) if _rank(other) > _rank(kept) else (kept, other)
	feedback = [text for text in (stays.get("feedback"), goes.get("feedback")) if text]
	values = {
		"status": stays.get("status"),
		"invited_on": _earliest(stays.get("invited_on"), goes.get("invited_on")),
		"checked_in_at": _earliest(stays.get("checked_in_at"), goes.get("checked_in_at")),
		"interactions": int(stays.get("interactions") or 0) + int(goes.get("interactions") or 0),
		"watch_minutes": float(stays.get("watch_minutes") or 0) + float(goes.get("watch_minutes") or 0),
		"high_intent": int(bool(stays.get("high_intent") or goes.get("high_intent"))),
		"feedback": "\n".join(dict.fromkeys(feedback)) or None,
		"contact": stays.get("contact") or goes.get("contact"),
		"converted": int(bool(stays.get("converted") or goes.get("converted"))),
		"conversion_amount": max(
			float(stays.get("conversion_amount") or 0), float(goes.get("conversion_amount") or 0)
		),
	}
	return stays["name"], goes["name"], values
