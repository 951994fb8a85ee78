"""Contact data rules: mainland mobile and landline numbers, email addresses, masking of personal data."""

import re

from cims_app.domain.errors import RuleViolation, _
from cims_app.domain.text import clean_text, to_half_width

MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}\Z")

# Characters people put inside a number for readability: whitespace, dashes of every width, dots, brackets.
_NUMBER_SEPARATORS = re.compile(r"[\s\-‐‑‒–—−.()]+")
_MOBILE_PREFIX = re.compile(r"^(?:\+86|0086)")
_LANDLINE_COUNTRY_PREFIX = re.compile(r"^(?:\+86|0086)[\s\-()]*")
_EXTENSION = re.compile(r"^(?P<main>.*?)[\s\-]*(?:转|分机|ext\.?|x|#)[\s\-]*(?P<ext>\d{1,6})\Z")
_LANDLINE_AREA = re.compile(r"^0(?:10|2\d|[3-9]\d{2})\Z")
_LANDLINE_NUMBER = re.compile(r"^[1-9]\d{6,7}\Z")
_EXTENSION_DIGITS = re.compile(r"^\d{0,6}\Z")

_EMAIL_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
_EMAIL_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
_EMAIL_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})\Z")


def _as_text(value: object) -> str:
	"""Spreadsheet cells hold numbers as int or float (13812345678.0); give their digits."""
	if isinstance(value, float) and value.is_integer():
		value = int(value)
	return to_half_width(value).strip()


def normalise_mobile(value: object, field: str | None = "mobile_no") -> str:
	"""Return the 11-digit mainland mobile number in `value`, or "" when `value` is blank.

	Spaces, dashes, dots, brackets and full-width digits are removed, and a +86, 0086 or bare 86
	country prefix (86 only when 11 digits follow) is dropped before the number must match
	1[3-9] + 9 digits. Anything else raises RuleViolation.
	"""
	text = _as_text(value)
	if not text:
		return ""
	digits = _NUMBER_SEPARATORS.sub("", text)
	digits = _MOBILE_PREFIX.sub("", digits)
	if len(digits) == 13 and digits.startswith("86"):
		digits = digits[2:]
	if not MOBILE_PATTERN.match(digits):
		raise RuleViolation(
			_("Mobile number {0} is not valid: expected 11 digits starting with 13-19, e.g. 13812345678"),
			(str(value),),
			field=field,
		)
	return digits


def _split_landline(text: str) -> tuple[str, str, str] | None:
	"""(area, number, extension) of a landline written in any common way, or None."""
	extension = ""
	found = _EXTENSION.match(text)
	if found:
		text, extension = found.group("main"), found.group("ext")
	international = bool(_LANDLINE_COUNTRY_PREFIX.match(text))
	text = _LANDLINE_COUNTRY_PREFIX.sub("", text)
	groups = [group for group in re.split(r"[\s\-‐‑‒–—−()]+", text) if group]
	if not groups or not all(group.isascii() and group.isdigit() for group in groups):
		return None
	# After +86 the trunk 0 of the area code is usually dropped (+86 10 12345678); put it back.
	trunk = "0" if international and not groups[0].startswith("0") else ""
	if len(groups) == 1:
		digits = trunk + groups[0]
		# Beijing (010) and the 02x cities have 3-digit area codes counting the 0; all others have 4.
		area_length = 3 if digits.startswith(("010", "02")) else 4
		return digits[:area_length], digits[area_length:], extension
	area, rest = trunk + groups[0], groups[1:]
	if len(rest) == 1:
		return area, rest[0], extension
	if _LANDLINE_NUMBER.match(rest[0]):
		# 0755-1234567-123: a whole local number, then the extension (and no second one after 转)
		return None if extension else (area, rest[0], "".join(rest[1:]))
	number = "".join(rest)
	if not extension and not _LANDLINE_NUMBER.match(number):
		# 0755 123 4567 89: a local number in pieces, then the extension
		number, extension = "".join(rest[:-1]), rest[-1]
	return area, number, extension


def normalise_landline(value: object, field: str | None = "phone") -> str:
	"""Return a mainland landline as area-number[-extension] (010-12345678, 0755-1234567-123).

	The area code is 0 + 2 or 3 digits (010 and 02x have 3 digits counting the 0, every other
	area code 4), the local number 7 or 8 digits not starting with 0, the optional extension
	1-6 digits after -, 转, 分机, ext, x or #. Brackets, spaces, dashes, full-width digits and a
	+86/0086 prefix are accepted. "" for a blank value; RuleViolation otherwise.
	"""
	text = _as_text(value).lower()
	if not text:
		return ""
	parts = _split_landline(text)
	if parts:
		area, number, extension = parts
		if (
			_LANDLINE_AREA.match(area)
			and _LANDLINE_NUMBER.match(number)
			and _EXTENSION_DIGITS.match(extension)
		):
			return "-".join(part for part in (area, number, extension) if part)
	raise RuleViolation(
		_(
			"Landline number {0} is not valid: expected an area code starting with 0, a 7 or 8 digit number and an optional extension, e.g. 010-12345678 or 0755-1234567-123"
		),
		(str(value),),
		field=field,
	)


def normalise_phone(value: object, field: str | None = "phone") -> str:
	"""A mainland mobile (tried first, returned as 11 digits) or landline (area-number[-ext]); "" when blank."""
	try:
		return normalise_mobile(value, field=field)
	except RuleViolation:
		pass
	try:
		return normalise_landline(value, field=field)
	except RuleViolation:
		pass
	raise RuleViolation(
		_(
			"Phone number {0} is not valid: expected a mobile number such as 13812345678 or a landline such as 010-12345678"
		),
		(str(value),),
		field=field,
	)


def normalise_email(value: object, field: str | None = "email_id") -> str:
	"""Return the address stripped, half-width and lowercased, or "" when blank.

	Valid means local@domain.tld with exactly one @, no whitespace, a dot-atom local part of at
	most 64 characters, domain labels of letters, digits and inner hyphens, a top-level domain
	of at least 2 letters (or an xn-- label), 254 characters in all. RuleViolation otherwise.
	"""
	email = _as_text(value).lower()
	if not email:
		return ""
	if not _is_valid_email(email):
		raise RuleViolation(
			_("Email address {0} is not valid: expected an address such as name@example.com"),
			(str(value),),
			field=field,
		)
	return email


def _is_valid_email(email: str) -> bool:
	if len(email) > 254 or email.count("@") != 1 or not email.isascii():
		return False
	local, domain = email.split("@")
	if not local or len(local) > 64 or not _EMAIL_LOCAL.match(local):
		return False
	labels = domain.split(".")
	if len(labels) < 2 or not all(_EMAIL_LABEL.match(label) for label in labels):
		return False
	return bool(_EMAIL_TLD.match(labels[-1]))


def _mask_middle(text: str, head: int, tail: int) -> str:
	return text[:head] + "*" * (len(text) - head - tail) + (text[len(text) - tail :] if tail else "")


def mask_mobile(value: object) -> str:
	"""138****5678: the first 3 and last 4 characters of a number of 8 or more; shorter ones fully masked."""
	text = clean_text(value).replace(" ", "")
	if len(text) >= 8:
		return _mask_middle(text, 3, 4)
	return "*" * len(text)


def mask_email(value: object) -> str:
	"""z***@example.com: the first character of the local part, then *** and the domain."""
	text = clean_text(value).replace(" ", "")
	if not text:
		return ""
	local, at, domain = text.rpartition("@")
	if not at:
		return text[0] + "***" if len(text) > 1 else "*"
	return (local[:1] if len(local) > 1 else "") + "***@" + domain


def mask_id_number(value: object) -> str:
	"""110101********1234 for an 18-character ID number.

	Never shows more than the first 6 and the last 4 characters, and never characters 7-14 (the
	birth date): a shorter value shows at most its first third and only the characters after the
	14th, so a 15-digit ID shows its first 5 and last 1, a 6-character value its first 2.
	"""
	text = clean_text(value).replace(" ", "")
	head = min(6, len(text) // 3)
	tail = max(0, min(4, len(text) - 14))
	return _mask_middle(text, head, tail)
