"""Check digits of the Unified Social Credit Code (GB 32100-2015) and the resident ID number (GB 11643-1999)."""

import datetime
import re

from cims_app.domain.errors import RuleViolation, _
from cims_app.domain.text import to_half_width

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

_USCC_VALUES = {char: value for value, char in enumerate(USCC_ALPHABET)}
_WHITESPACE = re.compile(r"\s+")


def _compact_upper(value: object) -> str:
	return _WHITESPACE.sub("", to_half_width(value)).upper()


def uscc_check_char(first17: str) -> str:
	"""The 18th character of a Unified Social Credit Code whose first 17 characters are given."""
	if len(first17) != 17 or any(char not in _USCC_VALUES for char in first17):
		raise ValueError(f"expected 17 characters from {USCC_ALPHABET}, got {first17!r}")
	total = sum(_USCC_VALUES[char] * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
	return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: object, field: str | None = "unified_social_credit_code") -> str:
	"""Return the code half-width, without spaces and uppercased; "" when blank.

	GB 32100-2015 requires 18 characters from 0-9 and A-Y without I, O, S, V and Z, the last one
	the check character of the first 17. RuleViolation says which of the three is wrong.
	"""
	code = _compact_upper(value)
	if not code:
		return ""
	if len(code) != 18:
		raise RuleViolation(
			_("Unified Social Credit Code {0} must be 18 characters long, not {1}"),
			(str(value), len(code)),
			field=field,
		)
	wrong = "".join(dict.fromkeys(char for char in code if char not in _USCC_VALUES))
	if wrong:
		raise RuleViolation(
			_(
				"Unified Social Credit Code {0} contains characters that are not allowed: {1} (use digits and capital letters except I, O, S, V and Z)"
			),
			(str(value), wrong),
			field=field,
		)
	if uscc_check_char(code[:17]) != code[17]:
		raise RuleViolation(
			_(
				"Unified Social Credit Code {0} has a wrong check character (the last one): please check it for typos"
			),
			(str(value),),
			field=field,
		)
	return code


def id_check_char(first17: str) -> str:
	"""The 18th character of a resident ID number whose first 17 digits are given."""
	if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
		raise ValueError(f"expected 17 digits, got {first17!r}")
	total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
	return ID_CHECK_CHARS[total % 11]


def normalise_id_number(
	value: object, field: str | None = "id_number", today: datetime.date | None = None
) -> str:
	"""Return the 18-character ID number without spaces, with an uppercase X; "" when blank.

	GB 11643-1999: 17 digits then a check character (digit or X); characters 7-14 are the birth
	date, which must exist, be on or after 1900-01-01 and not after `today` (default: the
	system date). RuleViolation says what is wrong.
	"""
	number = _compact_upper(value)
	if not number:
		return ""
	if (
		len(number) != 18
		or not (number[:17].isascii() and number[:17].isdigit())
		or number[17] not in ID_CHECK_CHARS
	):
		raise RuleViolation(
			_("ID number {0} is not valid: expected 17 digits followed by a digit or X"),
			(str(value),),
			field=field,
		)
	birth_date = _birth_date(number[6:14])
	if birth_date is None or not ID_EARLIEST_BIRTH_DATE <= birth_date <= (today or datetime.date.today()):
		raise RuleViolation(
			_("ID number {0} has an impossible birth date {1}"),
			(str(value), number[6:14]),
			field=field,
		)
	if id_check_char(number[:17]) != number[17]:
		raise RuleViolation(
			_("ID number {0} has a wrong check character (the last one): please check it for typos"),
			(str(value),),
			field=field,
		)
	return number


def _birth_date(yyyymmdd: str) -> datetime.date | None:
	try:
		return datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
	except ValueError:
		return None


def birth_date_from_id(value: object, today: datetime.date | None = None) -> datetime.date:
	"""The birth date in a valid ID number (RuleViolation for an invalid or blank one)."""
	number = normalise_id_number(value, today=today)
	if not number:
		raise RuleViolation(_("ID number is empty"), (), field="id_number")
	return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_from_id(value: object, today: datetime.date | None = None) -> str:
	"""'Male' when the 17th digit of a valid ID number is odd, else 'Female' (Frappe's Gender names)."""
	number = normalise_id_number(value, today=today)
	if not number:
		raise RuleViolation(_("ID number is empty"), (), field="id_number")
	return "Male" if int(number[16]) % 2 else "Female"
