"""What a typed field may hold: numbers that fit their column, real dates, 0/1, storable text.

The rules behind `cims_app.records.typed_fields`, which applies them to every CIMS record before it is saved,
whichever way it arrives (form, REST, import, job). Strict where the importer (`domain.parsing`) is
lenient: a value here comes from a program or a form control, never from a person typing a cell.
Each function returns the value the column stores (None for blank) or raises RuleViolation.
"""

import datetime
import math
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from cims_app.domain.errors import RuleViolation, _
from cims_app.domain.text import to_half_width

# MariaDB columns of Frappe's field types: decimal(21,9) keeps 12 digits before the point, int(11) is
# 32-bit, a rating is a fraction 0-1 in decimal(3,2), a text column holds 65,535 bytes.
DECIMAL_LIMIT = Decimal(10) ** 12
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
TEXT_BYTES = 65535
# The years MariaDB's DATE and DATETIME support.
FIRST_YEAR, LAST_YEAR = 1000, 9999

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d{1,4})?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_DATE = r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
_TIME = r"(?P<H>\d{1,2}):(?P<M>\d{1,2})(?::(?P<S>\d{1,2})(?:\.(?P<f>\d{1,6}))?)?"
_DATE_ONLY = re.compile(_DATE)
_DATE_TIME = re.compile(_DATE + r"(?:[ T]" + _TIME + r")?")
_TIME_ONLY = re.compile(_TIME)
# Lone UTF-16 surrogates: a str may hold them (JSON "\ud800"), no UTF-8 column can.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _blank(value: object) -> bool:
	return value is None or (isinstance(value, str) and not value.strip())


def _not_a_number(field: str | None) -> RuleViolation:
	return RuleViolation(_("Not a valid number"), (), field=field)


def _decimal(value: object, field: str | None) -> Decimal:
	if isinstance(value, bool):
		return Decimal(int(value))
	if isinstance(value, int | Decimal):
		number = Decimal(value)
	elif isinstance(value, float):
		if not math.isfinite(value):
			raise _not_a_number(field)
		number = Decimal(repr(value))
	elif isinstance(value, str):
		text = to_half_width(value).strip().replace("−", "-").lower()
		if _GROUPED.fullmatch(text):
			text = text.replace(",", "")
		if not _NUMBER.fullmatch(text):
			raise _not_a_number(field)
		try:
			number = Decimal(text)
		except InvalidOperation:
			raise _not_a_number(field)
	else:
		raise _not_a_number(field)
	if not number.is_finite():
		raise _not_a_number(field)
	return number


def decimal_value(value: object, field: str | None = None) -> Decimal | None:
	"""The finite Decimal in a number or numeric text ("1,234.5", full-width digits, "1e3"); None when blank.

	RuleViolation for NaN, infinities, "8-", "@SUM(1)", lists and anything else that is not a number.
	"""
	return None if _blank(value) else _decimal(value, field)


def float_value(value: object, field: str | None = None, limit: Decimal = DECIMAL_LIMIT) -> float | None:
	"""A Currency, Float or Percent value as the float Frappe keeps, refused when its column cannot hold it."""
	number = decimal_value(value, field)
	if number is None:
		return None
	if abs(number) >= limit:
		raise RuleViolation(
			_("Must be between {0} and {1}"), (f"-{limit - 1:,}", f"{limit - 1:,}"), field=field
		)
	return float(number)


def int_value(value: object, field: str | None = None, big: bool = False) -> int | None:
	"""An Int value: a whole number (12.0 is 12) inside the 32-bit column (64-bit when `big`)."""
	number = decimal_value(value, field)
	if number is None:
		return None
	if number != number.to_integral_value():
		raise RuleViolation(_("Not a whole number"), (), field=field)
	lowest, highest = (BIGINT_MIN, BIGINT_MAX) if big else (INT_MIN, INT_MAX)
	if not lowest <= number <= highest:
		raise RuleViolation(_("Must be between {0} and {1}"), (f"{lowest:,}", f"{highest:,}"), field=field)
	return int(number)


def check_value(value: object, field: str | None = None) -> int:
	"""A Check: True/False, 1/0 or "1"/"0"; blank is 0."""
	if _blank(value):
		return 0
	if isinstance(value, bool):
		return int(value)
	if isinstance(value, int | float | Decimal) and not isinstance(value, bool) and value in (0, 1):
		return int(value)
	if isinstance(value, str) and value.strip() in ("0", "1"):
		return int(value.strip())
	raise RuleViolation(_("Must be 0 or 1"), (), field=field)


def rating_value(value: object, field: str | None = None) -> float | None:
	"""A Rating: the fraction of stars, 0 to 1."""
	number = decimal_value(value, field)
	if number is None:
		return None
	if not 0 <= number <= 1:
		raise RuleViolation(_("Must be between {0} and {1}"), ("0", "1"), field=field)
	return float(number)


def _in_supported_years(moment: datetime.date, message: str, field: str | None) -> None:
	if not FIRST_YEAR <= moment.year <= LAST_YEAR:
		raise RuleViolation(message, (), field=field)


def date_value(value: object, field: str | None = None) -> datetime.date | None:
	"""A Date: a date or datetime object, or text YYYY-MM-DD (a time after it is dropped); None when blank."""
	message = _("Not a valid date: use YYYY-MM-DD")
	if _blank(value):
		return None
	moment = _moment(value, message, field)
	moment = moment.date() if isinstance(moment, datetime.datetime) else moment
	_in_supported_years(moment, message, field)
	return moment


def datetime_value(value: object, field: str | None = None) -> datetime.datetime | None:
	"""A Datetime: a datetime or date object, or text YYYY-MM-DD[ HH:MM[:SS[.ffffff]]]; None when blank."""
	message = _("Not a valid date and time: use YYYY-MM-DD HH:MM:SS")
	if _blank(value):
		return None
	moment = _moment(value, message, field)
	if not isinstance(moment, datetime.datetime):
		moment = datetime.datetime.combine(moment, datetime.time())
	if moment.tzinfo is not None:
		raise RuleViolation(message, (), field=field)
	_in_supported_years(moment, message, field)
	return moment


def _moment(value: object, message: str, field: str | None) -> datetime.date:
	if isinstance(value, datetime.date):
		return value
	if not isinstance(value, str):
		raise RuleViolation(message, (), field=field)
	found = _DATE_TIME.fullmatch(value.strip())
	if not found:
		raise RuleViolation(message, (), field=field)
	try:
		day = datetime.date(int(found["y"]), int(found["m"]), int(found["d"]))
		if found["H"] is None:
			return day
		return datetime.datetime.combine(day, _clock(found))
	except ValueError:
		raise RuleViolation(message, (), field=field)


def _clock(found: re.Match) -> datetime.time:
	return datetime.time(
		int(found["H"]), int(found["M"]), int(found["S"] or 0), int((found["f"] or "0").ljust(6, "0"))
	)


def time_value(value: object, field: str | None = None) -> datetime.time | None:
	"""A Time: a time object, a duration under a day (what MariaDB returns), or text HH:MM[:SS[.ffffff]]."""
	message = _("Not a valid time: use HH:MM:SS")
	if _blank(value):
		return None
	if isinstance(value, datetime.time):
		return value
	if isinstance(value, datetime.timedelta):
		if datetime.timedelta(0) <= value < datetime.timedelta(days=1):
			return (datetime.datetime.min + value).time()
		raise RuleViolation(message, (), field=field)
	if isinstance(value, str) and (found := _TIME_ONLY.fullmatch(value.strip())):
		try:
			return _clock(found)
		except ValueError:
			pass
	raise RuleViolation(message, (), field=field)


def text_value(
	value: object, field: str | None = None, max_chars: int | None = None, max_bytes: int | None = None
):
	"""Text for a Data, Link, Select or text column: a string (a finite number becomes its text), storable,
	not too long.

	Refused: lists, objects, True/False, NaN and infinities, lone surrogates (no UTF-8 column stores them),
	more than `max_chars` characters (a varchar column) or `max_bytes` UTF-8 bytes (a text column).
	"""
	if value is None:
		return None
	if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
		raise RuleViolation(_("Must be text, not a list, an object or true/false"), (), field=field)
	if isinstance(value, float | Decimal) and not math.isfinite(value):
		raise _not_a_number(field)
	text = value if isinstance(value, str) else str(value)
	if _SURROGATE.search(text):
		raise RuleViolation(_("Contains characters that cannot be stored"), (), field=field)
	if max_chars and len(text) > max_chars:
		raise RuleViolation(_("Longer than {0} characters"), (max_chars,), field=field)
	if max_bytes and len(text) * 4 > max_bytes and len(text.encode("utf-8")) > max_bytes:
		raise RuleViolation(_("Longer than {0} bytes"), (max_bytes,), field=field)
	return text


def choice_value(value: object, options: Sequence[str], field: str | None = None, max_chars: int = 140):
	"""A Select: one of `options` (surrounding spaces dropped), or blank; any text when there are no options."""
	value = text_value(value, field, max_chars=max_chars)
	if value is None:
		return None
	text = str(value).strip()
	choices = [option for option in options if option]
	if text and choices and text not in choices:
		raise RuleViolation(_("{0} is not one of the options"), (text[:40],), field=field)
	return text
