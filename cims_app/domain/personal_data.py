"""Personal data in free text (search index snippets, notes): find mobile numbers and emails and mask them."""

import re

from cims_app.domain.contact_rules import mask_email, mask_mobile

# A mainland mobile number not glued to other digits, and an email address.
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def mask_personal_text(text: object) -> str:
	"""`text` with every mobile number shown as 138****5678 and every email as z***@example.com."""
	if text is None:
		return ""
	masked = _EMAIL_IN_TEXT.sub(lambda found: mask_email(found.group(0)), str(text))
	return _MOBILE_IN_TEXT.sub(lambda found: mask_mobile(found.group(0)), masked)
