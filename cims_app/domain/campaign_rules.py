"""Campaign rules: the status flow, when guests may check in, and what an engagement row must hold."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from cims_app.domain.errors import RuleViolation, _
from cims_app.domain.text import clean_text

PLANNED, ANNOUNCED, ONGOING, COMPLETED, CALLED_OFF = (
	"Planned",
	"Announced",
	"Ongoing",
	"Completed",
	"Called Off",
)
ONLINE_EVENT, OFFLINE_EVENT = "Online Event", "Offline Event"
# Planned → Announced → Ongoing → Completed, or Called Off from any state before Completed.
STATUS_FLOW: dict[str, tuple[str, ...]] = {
	PLANNED: (ANNOUNCED, CALLED_OFF),
	ANNOUNCED: (ONGOING, CALLED_OFF),
	ONGOING: (COMPLETED, CALLED_OFF),
	COMPLETED: (),
	CALLED_OFF: (),
}
INITIAL_STATUS = PLANNED
CHECK_IN_OPEN_STATUSES = (ANNOUNCED, ONGOING)
# Members who reached the campaign; the rest of the invited become No-Show when it completes.
ATTENDED = "Attended"


def next_statuses(status: str) -> tuple[str, ...]:
	"""The statuses a campaign in `status` may move to."""
	return STATUS_FLOW.get(status, ())


def check_status_transition(old: str | None, new: str, field: str | None = "status") -> None:
	"""RuleViolation unless `old` → `new` follows the campaign status flow (a new campaign starts Planned)."""
	if new not in STATUS_FLOW:
		raise RuleViolation(_("Unknown campaign status {0}"), (new,), field=field)
	if old is None:
		if new != INITIAL_STATUS:
			raise RuleViolation(_("A new campaign starts as Planned, not {0}"), (new,), field=field)
		return
	if old == new:
		return
	if new not in next_statuses(old):
		allowed = ", ".join(next_statuses(old)) or _("none: the campaign is closed")
		raise RuleViolation(
			_("A campaign cannot move from {0} to {1} (allowed: {2})"), (old, new, allowed), field=field
		)


def check_in_is_open(status: str) -> bool:
	"""Guests check in only while the campaign is Published or Ongoing."""
	return status in CHECK_IN_OPEN_STATUSES


@dataclass(frozen=True)
class EngagementRow:
	"""One viewer of an online campaign: who (member or customer) and what they did."""

	member: str | None
	customer: str | None
	watch_minutes: Decimal | None
	interactions: int | None
	feedback: str | None
	high_intent: bool
	attended: bool


def _non_negative(value: object, field: str) -> Decimal | None:
	if value is None or (isinstance(value, str) and not value.strip()):
		return None
	try:
		number = Decimal(str(value).strip().replace(",", ""))
	except InvalidOperation:
		raise RuleViolation(_("{0} must be a number, not {1}"), (field, value), field=field)
	if not number.is_finite() or number < 0:
		raise RuleViolation(_("{0} cannot be negative: {1}"), (field, value), field=field)
	return number


def _flag(value: object) -> bool:
	if isinstance(value, str):
		return value.strip().casefold() in {"1", "true", "yes", "y", "是", "✓"}
	return bool(value)


def parse_engagement_row(row: dict) -> EngagementRow:
	"""Validate one row of `record_engagement`: a member or customer, minutes and interactions ≥ 0.

	A viewer who watched or interacted (or is flagged `attended` / `viewed`) counts as attended.
	"""
	if not isinstance(row, dict):
		raise RuleViolation(_("Each engagement row must be an object with a member or customer"))
	member = str(row.get("member") or "").strip() or None
	customer = str(row.get("customer") or "").strip() or None
	if not member and not customer:
		raise RuleViolation(_("An engagement row needs a member or a customer"), field="customer")
	minutes = _non_negative(row.get("watch_minutes"), "watch_minutes")
	interactions = _non_negative(row.get("interactions"), "interactions")
	if interactions is not None and interactions != interactions.to_integral_value():
		raise RuleViolation(_("interactions must be a whole number, not {0}"), (row.get("interactions"),))
	attended = bool(minutes) or bool(interactions) or _flag(row.get("attended")) or _flag(row.get("viewed"))
	return EngagementRow(
		member=member,
		customer=customer,
		watch_minutes=minutes,
		interactions=int(interactions) if interactions is not None else None,
		feedback=clean_text(row.get("feedback")) or None,
		high_intent=_flag(row.get("high_intent")),
		attended=attended,
	)


def like_pattern_for_tag(tag: str) -> str:
	"""The LIKE pattern that finds `tag` in a `_user_tags` value (",a,b") with a comma appended."""
	escaped = tag.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
	return f"%,{escaped},%"
