"""Parsing of the values people type or paste into forms and spreadsheets: dates, amounts, numbers, yes/no."""

import datetime
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from cims_app.domain.errors import RuleViolation, _
from cims_app.domain.text import clean_text

# Excel's 1900 date system counts 1900-01-01 as serial 1 and keeps Lotus 1-2-3's fake 1900-02-29 (serial 60).
EXCEL_FAKE_LEAP_DAY = 60
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_EXCEL_EPOCH_BEFORE_LEAP_DAY = datetime.date(1899, 12, 31)
_EXCEL_EPOCH_AFTER_LEAP_DAY = datetime.date(1899, 12, 30)

_DATE_PATTERNS = (
	re.compile(r"(?P<y>\d{4}) ?(?P<sep>[-/.]) ?(?P<m>\d{1,2}) ?(?P=sep) ?(?P<d>\d{1,2})"),
	re.compile(r"(?P<y>\d{4}) ?年 ?(?P<m>\d{1,2}) ?月 ?(?P<d>\d{1,2}) ?(?:日|号)?"),
	re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)
_TIME = re.compile(r"(?:[ T]|(?<=[日号]))(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d{1,6})?)?")
_SERIAL = re.compile(r"\d{1,7}(?:\.\d+)?")
_TODAY_WORDS = frozenset({"today", "今天", "今日"})

_CENT = Decimal("0.01")
_TEN_THOUSAND = Decimal(10000)
_HUNDRED_MILLION = Decimal(100000000)
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_GROUPED_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_CURRENCY_PREFIXES = ("人民币", "rmb", "cny", "¥")
_UNIT_SUFFIXES = (
	("亿元", _HUNDRED_MILLION),
	("亿", _HUNDRED_MILLION),
	("万元", _TEN_THOUSAND),
	("万", _TEN_THOUSAND),
	("元", Decimal(1)),
)

_YES_WORDS = frozenset({"1", "是", "y", "yes", "true", "t", "✓", "✔", "√", "☑", "对", "有", "checked"})
_NO_WORDS = frozenset(
	{"0", "否", "n", "no", "false", "f", "✗", "✘", "×", "☐", "不是", "无", "没有", "unchecked"}
)


def _date_not_recognised(value: object) -> RuleViolation:
	return RuleViolation(
		_("Date {0} is not recognised: use YYYY-MM-DD, YYYY/M/D or YYYY年M月D日"), (str(value),)
	)


def _from_excel_serial(value: object, serial: float) -> datetime.datetime:
	if not (math.isfinite(serial) and 1 <= serial < EXCEL_MAX_SERIAL + 1):
		raise _date_not_recognised(value)
	day = int(serial)
	if day == EXCEL_FAKE_LEAP_DAY:
		raise RuleViolation(
			_("Date {0} does not exist: Excel serial 60 is 1900-02-29, a day that never was"), (str(value),)
		)
	epoch = _EXCEL_EPOCH_BEFORE_LEAP_DAY if day < EXCEL_FAKE_LEAP_DAY else _EXCEL_EPOCH_AFTER_LEAP_DAY
	seconds = round((serial - day) * 86400)
	return datetime.datetime.combine(epoch, datetime.time()) + datetime.timedelta(days=day, seconds=seconds)


def _parse(value: object, today: datetime.date | None) -> tuple[datetime.date, datetime.time | None] | None:
	"""(date, time or None) in `value`, None when blank; RuleViolation when not a date."""
	if value is None:
		return None
	if isinstance(value, datetime.datetime):
		return value.date(), value.time()
	if isinstance(value, datetime.date):
		return value, None
	if isinstance(value, bool):
		raise _date_not_recognised(value)
	if isinstance(value, int | float | Decimal):
		moment = _from_excel_serial(value, float(value))
		return moment.date(), moment.time()
	text = clean_text(value)
	if not text:
		return None
	if text.casefold() in _TODAY_WORDS:
		return today or datetime.date.today(), None
	if _SERIAL.fullmatch(text):
		if len(text) == 4 and 1900 <= int(text) <= 2100:
			raise _date_not_recognised(value)  # a bare year, not serial 1900-2100 (a day in 1905)
		moment = _from_excel_serial(value, float(text))
		return moment.date(), (moment.time() if "." in text else None)
	for pattern in _DATE_PATTERNS:
		found = pattern.match(text)
		if not found:
			continue
		rest = text[found.end() :]
		time = None
		if rest:
			found_time = _TIME.fullmatch(text, found.end())
			if not found_time:
				continue
			try:
				time = datetime.time(int(found_time["H"]), int(found_time["M"]), int(found_time["S"] or 0))
			except ValueError:
				raise _date_not_recognised(value)
		try:
			return datetime.date(int(found["y"]), int(found["m"]), int(found["d"])), time
		except ValueError:
			raise RuleViolation(_("Date {0} does not exist"), (str(value),))
	raise _date_not_recognised(value)


def parse_date(value: object, today: datetime.date | None = None) -> datetime.date | None:
	"""The date in `value`; None when blank; RuleViolation when not a date.

	Accepts date and datetime objects, YYYY-MM-DD, YYYY/M/D, YYYY.MM.DD, YYYY年M月D日 (日 or 号
	optional), YYYYMMDD, any of them followed by a time (ignored), full-width digits, and Excel
	serial numbers of the 1900 date system (1 = 1900-01-01, 61 = 1900-03-01; 60 is Excel's
	non-existent 1900-02-29 and is refused) up to 2958465 (9999-12-31), as numbers or as numeric
	text, except text 1900-2100, which is a bare year and refused. "today"/"今天" give
	`today` (default: the system date).
	"""
	parsed = _parse(value, today)
	return parsed[0] if parsed else None


def parse_datetime(value: object, today: datetime.date | None = None) -> datetime.datetime | None:
	"""Like parse_date, keeping a time given as HH:MM[:SS] after the date (or an Excel serial's fraction).

	A date without time gives midnight.
	"""
	parsed = _parse(value, today)
	if not parsed:
		return None
	if isinstance(value, datetime.datetime):
		return value
	return datetime.datetime.combine(parsed[0], parsed[1] or datetime.time())


def _amount_not_recognised(value: object, field: str | None) -> RuleViolation:
	return RuleViolation(
		_("Amount {0} is not recognised: use a number such as 1,234.50, 50万 or 1.2亿"),
		(str(value),),
		field=field,
	)


def parse_amount(value: object, in_wan: bool = False, field: str | None = None) -> Decimal | None:
	"""The amount in yuan in `value`, rounded half-up to 2 decimals; None when blank.

	Accepts numbers and text such as 1,234.50 (thousands separators must group by three),
	full-width digits, a ¥/￥/RMB/CNY/人民币 prefix, a 元 suffix, a 万 or 亿 unit (50.00万,
	50万元, 1.2亿) and a leading minus sign. `in_wan=True` means the column is declared in 万元:
	a number without a unit is multiplied by 10,000, while an explicit unit (万, 亿, 元) wins.
	"""
	if value is None:
		return None
	if isinstance(value, bool):
		raise _amount_not_recognised(value, field)
	multiplier = _TEN_THOUSAND if in_wan else Decimal(1)
	if isinstance(value, int | float | Decimal):
		if isinstance(value, float) and not math.isfinite(value):
			raise _amount_not_recognised(value, field)
		number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
		if not number.is_finite():
			raise _amount_not_recognised(value, field)
		return (number * multiplier).quantize(_CENT, rounding=ROUND_HALF_UP)
	text = re.sub(r"\s+", "", clean_text(value)).casefold()
	if not text:
		return None
	negative = False
	text = text.replace("−", "-")
	if text.startswith("-"):
		negative, text = True, text[1:]
	for prefix in _CURRENCY_PREFIXES:
		if text.startswith(prefix):
			text = text[len(prefix) :]
			break
	if text.startswith("-") and not negative:
		negative, text = True, text[1:]
	for suffix, unit in _UNIT_SUFFIXES:
		if text.endswith(suffix):
			text, multiplier = text[: -len(suffix)], unit
			break
	if _GROUPED_NUMBER.fullmatch(text):
		text = text.replace(",", "")
	elif not _PLAIN_NUMBER.fullmatch(text):
		raise _amount_not_recognised(value, field)
	try:
		number = Decimal(text)
	except InvalidOperation:
		raise _amount_not_recognised(value, field)
	amount = (number * multiplier).quantize(_CENT, rounding=ROUND_HALF_UP)
	return -amount if negative else amount


def parse_int(value: object, field: str | None = None) -> int | None:
	"""A whole number from a number or text (1,234 and full-width digits accepted, 12.0 is 12); None when blank."""
	if value is None:
		return None
	not_whole = RuleViolation(_("{0} is not a whole number"), (str(value),), field=field)
	if isinstance(value, bool):
		raise not_whole
	if isinstance(value, int):
		return value
	if isinstance(value, float | Decimal):
		if not (math.isfinite(value) and value == int(value)):
			raise not_whole
		return int(value)
	text = re.sub(r"\s+", "", clean_text(value)).replace("−", "-")
	if not text:
		return None
	sign = -1 if text.startswith("-") else 1
	text = text[1:] if text[:1] in "+-" else text
	if _GROUPED_NUMBER.fullmatch(text):
		text = text.replace(",", "")
	if not _PLAIN_NUMBER.fullmatch(text):
		raise not_whole
	number = Decimal(text)
	if number != number.to_integral_value():
		raise not_whole
	return sign * int(number)


def parse_percent(value: object, fraction: bool = False, field: str | None = None) -> float | None:
	"""A percentage in percent points, the unit of Frappe's Percent fields: "20%" and "20" both give 20.0.

	A plain number is taken as percent points ("0.2" is 0.2 %) unless `fraction=True`, meant for
	cells Excel formats as a percentage, whose value 0.2 reads as 20 %. A number with a % sign is
	never scaled. None when blank.
	"""
	if value is None:
		return None
	not_percent = RuleViolation(
		_("{0} is not a percentage: use a number such as 20 or 20%"), (str(value),), field=field
	)
	has_sign = False
	if isinstance(value, bool):
		raise not_percent
	if isinstance(value, int | float | Decimal):
		number = float(value)
	else:
		text = re.sub(r"\s+", "", clean_text(value)).replace("−", "-")
		if not text:
			return None
		has_sign = text.endswith("%")
		text = text.removesuffix("%")
		sign = -1.0 if text.startswith("-") else 1.0
		text = text[1:] if text[:1] in "+-" else text
		if not _PLAIN_NUMBER.fullmatch(text):
			raise not_percent
		number = sign * float(text)
	if not math.isfinite(number):
		raise not_percent
	if fraction and not has_sign:
		number = round(number * 100, 10)
	return number


def parse_check(value: object, field: str | None = None) -> int:
	"""1 or 0 for a yes/no value: 是/否, Y/N, yes/no, true/false, 1/0, ✓/✗ (√, ×, 对, 有/无 too); blank is 0."""
	if value is None:
		return 0
	if isinstance(value, bool):
		return int(value)
	if isinstance(value, int | float | Decimal) and value in (0, 1):
		return int(value)
	text = clean_text(value).casefold()
	if not text or text in _NO_WORDS:
		return 0
	if text in _YES_WORDS:
		return 1
	raise RuleViolation(_("{0} is not a yes/no value: use 是/否, Yes/No or 1/0"), (str(value),), field=field)
