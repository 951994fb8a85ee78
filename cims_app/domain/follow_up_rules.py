"""Follow-up rules: what completing a follow-up needs."""

from cims_app.domain.errors import RuleViolation, _
from cims_app.domain.text import clean_text
from cims_app.domain.vocabulary import canonical_option

MIN_CONTENT_LENGTH = 10


def is_vague(text: object) -> bool:
	"""Whether content says nothing: kept to its letters and digits (CJK included), case folded, it is

	empty (。。。, ---), has fewer than 3 different characters (好好好好, ok ok ok) or is one piece
	repeated (没问题没问题没问题).
	"""
	letters = "".join(char for char in clean_text(text).casefold() if char.isalnum())
	if len(set(letters)) < 3:
		return True
	# A string is a repetition of a shorter piece exactly when it occurs inside itself doubled, off the ends.
	return (letters + letters).find(letters, 1) < len(letters)


def check_completion(
	status: object, content: object, next_action: object, min_content_length: int = MIN_CONTENT_LENGTH
) -> None:
	"""RuleViolation when a Completed follow-up lacks content, has content shorter than
	`min_content_length` characters after clean_text (a CJK character counts as one) or vague
	(see is_vague), or has no next action. Other statuses pass.
	"""
	if canonical_option("follow_up_status", status) != "Completed":
		return
	text = clean_text(content)
	if not text:
		raise RuleViolation(_("Content is required to complete a follow-up"), (), field="content")
	if len(text) < min_content_length:
		raise RuleViolation(
			_(
				"Content of a completed follow-up needs at least {0} characters, it has {1}: describe what was discussed"
			),
			(min_content_length, len(text)),
			field="content",
		)
	if is_vague(text):
		raise RuleViolation(
			_('Content "{0}" is too vague: describe what was discussed and agreed'), (text,), field="content"
		)
	if not clean_text(next_action):
		raise RuleViolation(_("Next action is required to complete a follow-up"), (), field="next_action")
