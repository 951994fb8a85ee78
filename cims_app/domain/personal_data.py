"""Personal data in free text (search index snippets, notes): find mobile numbers and emails and mask them."""

import re

from cims_app.domain.contact_rules import mask_email, mask_mobile

# A mainland mobile number standing on its own (not inside a longer code), and an email address.
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def mask_personal_text(text: object) -> str:
	"""`text` with every mobile number shown as 138****5678 and every email as z***@example.com."""
	if text is None:
		return ""
	masked = _EMAIL_IN_TEXT.sub(lambda found: mask_email(found.group(0)), str(text))
	return _MOBILE_IN_TEXT.sub(lambda found: mask_mobile(found.group(0)), masked)
