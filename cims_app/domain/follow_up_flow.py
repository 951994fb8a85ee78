"""How a follow-up's status may move: a Planned follow-up is completed or cancelled, and that is final."""

from cims_app.domain.errors import RuleViolation, _

PLANNED, COMPLETED, CANCELLED = "Planned", "Completed", "Called Off"


def check_status_move(old_status: object, new_status: object) -> None:
	"""RuleViolation unless the move is Planned → Planned / Completed / Cancelled or keeps the status.

	A new follow-up (old_status None) may start in any status: a call already made is logged as Completed.
	"""
	if not old_status or old_status == new_status or old_status == PLANNED:
		return
	if old_status == COMPLETED:
		raise RuleViolation(_("A completed follow-up cannot be reopened or cancelled"), field="status")
	if old_status == CANCELLED:
		raise RuleViolation(
			_("A cancelled follow-up cannot be reopened or completed: plan a new follow-up instead"),
			field="status",
		)
	raise RuleViolation(_("Unknown follow-up status {0}"), (old_status,), field="status")


def is_closing(old_status: object, new_status: object) -> bool:
	"""Whether this save completes or cancels a follow-up that was not yet closed."""
	return new_status in (COMPLETED, CANCELLED) and old_status != new_status
