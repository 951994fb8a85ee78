"""What a typed field may hold (cims_app.domain.field_values): the values each column stores, and junk refused."""

import datetime
import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain import field_values as fv
from cims_app.domain.errors import RuleViolation

JUNK_NUMBERS = [
	"[]",
	"\u0000",
	"@SUM(1)",
	"8-",
	"NaN",
	"nan",
	"Infinity",
	"-inf",
	"1.2.3",
	"0x1F",
	"¥100",
	"1 2",
	"--1",
	[],
	[1],
	{"a": 1},
	float("nan"),
	float("inf"),
	Decimal("NaN"),
	object(),
]


@pytest.mark.parametrize("value", JUNK_NUMBERS, ids=repr)
def test_junk_is_not_a_number(value):
	with pytest.raises(RuleViolation, match="Not a valid number") as error:
		fv.decimal_value(value, field="unit_price")
	assert error.value.field == "unit_price"


@pytest.mark.parametrize(
	("value", "expected"),
	[
		("12", 12),
		(" 1,234.5 ", 1234.5),
		("１２３", 123),
		("1e3", 1000),
		("-0.5", -0.5),
		(7, 7),
		(2.5, 2.5),
		(Decimal("3.25"), 3.25),
		(True, 1),
	],
	ids=repr,
)
def test_numbers_and_numeric_text_are_floats(value, expected):
	assert fv.float_value(value) == expected


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_numbers_are_none(value):
	assert fv.float_value(value) is None and fv.int_value(value) is None


@pytest.mark.parametrize("value", ["1e12", 10**12, -(10**12), 1e15, "9" * 40, 10**40, "1e309", "-1e309"])
def test_amounts_beyond_decimal_21_9_are_refused(value):
	with pytest.raises(RuleViolation, match="Must be between"):
		fv.float_value(value)


def test_largest_amount_fits():
	assert fv.float_value("999999999999.99") == 999999999999.99


@pytest.mark.parametrize(
	("value", "expected"), [("12", 12), (12.0, 12), ("1,000", 1000), (2**31 - 1, 2**31 - 1)]
)
def test_whole_numbers(value, expected):
	assert fv.int_value(value) == expected


@pytest.mark.parametrize("value", ["12.5", 1.5, Decimal("0.1")])
def test_fractions_are_not_whole_numbers(value):
	with pytest.raises(RuleViolation, match="Not a whole number"):
		fv.int_value(value)


@pytest.mark.parametrize("value", [2**31, -(2**31) - 1, "2147483648"])
def test_int_outside_32_bits_is_refused_unless_big(value):
	with pytest.raises(RuleViolation, match="Must be between"):
		fv.int_value(value)
	assert fv.int_value(value, big=True) == int(value)


@pytest.mark.parametrize(
	("value", "expected"),
	[(True, 1), (False, 0), (1, 1), (0, 0), ("1", 1), (" 0 ", 0), ("", 0), (None, 0), (1.0, 1)],
)
def test_checks(value, expected):
	assert fv.check_value(value) == expected


@pytest.mark.parametrize("value", [2, -1, 0.5, "yes", "2", "[]", [1]])
def test_check_junk_is_refused(value):
	with pytest.raises(RuleViolation, match="Must be 0 or 1"):
		fv.check_value(value)


@pytest.mark.parametrize(("value", "expected"), [(0, 0.0), ("0.6", 0.6), (1, 1.0)])
def test_rating_is_a_fraction(value, expected):
	assert fv.rating_value(value) == expected


@pytest.mark.parametrize("value", [5, -0.1, 1.01, "★★★"])
def test_rating_outside_0_to_1_is_refused(value):
	with pytest.raises(RuleViolation):
		fv.rating_value(value)


@pytest.mark.parametrize(
	("value", "expected"),
	[
		("2024-02-29", datetime.date(2024, 2, 29)),
		(" 2024-1-5 ", datetime.date(2024, 1, 5)),
		("2024-01-05 10:30:00", datetime.date(2024, 1, 5)),
		(datetime.date(2030, 1, 1), datetime.date(2030, 1, 1)),
		(datetime.datetime(2030, 1, 1, 8, 0), datetime.date(2030, 1, 1)),
	],
	ids=repr,
)
def test_dates(value, expected):
	assert fv.date_value(value) == expected


JUNK_DATES = [
	"[]",
	"\u0000",
	"@SUM(1)",
	"8-",
	"NaN",
	"1e309",
	"2024-13-45",
	"0000-00-00",
	"2023-02-29",
	"2024-02-30 25:61:61",
	"20240101",
	"2024/01/01",
	"01-02-2024",
	"0999-01-01",
	"today",
	20240101,
	True,
	[],
	{"a": 1},
	datetime.date(999, 1, 1),
]


@pytest.mark.parametrize("value", JUNK_DATES, ids=repr)
def test_junk_is_not_a_date(value):
	with pytest.raises(RuleViolation, match="Not a valid date") as error:
		fv.date_value(value, field="birthday")
	assert error.value.field == "birthday"


@pytest.mark.parametrize("value", [*JUNK_DATES, "2024-01-01 24:00:00", "2024-01-01T10:00:00+08:00"], ids=repr)
def test_junk_is_not_a_datetime(value):
	with pytest.raises(RuleViolation, match="Not a valid date and time"):
		fv.datetime_value(value)


@pytest.mark.parametrize(
	("value", "expected"),
	[
		("2030-01-01 10:00:00", datetime.datetime(2030, 1, 1, 10)),
		("2030-01-01T10:00", datetime.datetime(2030, 1, 1, 10)),
		("2030-01-01 10:00:00.25", datetime.datetime(2030, 1, 1, 10, 0, 0, 250000)),
		("2030-01-01", datetime.datetime(2030, 1, 1)),
		(datetime.date(2030, 1, 1), datetime.datetime(2030, 1, 1)),
	],
	ids=repr,
)
def test_datetimes(value, expected):
	assert fv.datetime_value(value) == expected


@pytest.mark.parametrize(
	("value", "expected"),
	[
		("9:05", datetime.time(9, 5)),
		("23:59:59", datetime.time(23, 59, 59)),
		(datetime.timedelta(hours=8, minutes=30), datetime.time(8, 30)),
	],
)
def test_times(value, expected):
	assert fv.time_value(value) == expected


@pytest.mark.parametrize("value", ["25:61:61", "24:00", "8-", datetime.timedelta(days=1), 930])
def test_junk_is_not_a_time(value):
	with pytest.raises(RuleViolation, match="Not a valid time"):
		fv.time_value(value)


@pytest.mark.parametrize(
	("value", "expected"), [("abc", "abc"), (12, "12"), (1.5, "1.5"), ("a\x00b", "a\x00b")]
)
def test_text_and_numbers_are_text(value, expected):
	assert fv.text_value(value) == expected


@pytest.mark.parametrize(
	("value", "message"),
	[
		([], "Must be text"),
		({"a": 1}, "Must be text"),
		(True, "Must be text"),
		(float("inf"), "Not a valid number"),
		("\ud800", "cannot be stored"),
		("ok\udfffok", "cannot be stored"),
	],
	ids=repr,
)
def test_text_junk_is_refused(value, message):
	with pytest.raises(RuleViolation, match=message):
		fv.text_value(value)


def test_text_longer_than_its_column_is_refused():
	assert fv.text_value("长" * 140, max_chars=140) == "长" * 140
	with pytest.raises(RuleViolation, match="Longer than 140 characters"):
		fv.text_value("长" * 141, max_chars=140)
	assert fv.text_value("长" * 21845, max_bytes=65535)
	with pytest.raises(RuleViolation, match="Longer than 65535 bytes"):
		fv.text_value("长" * 21846, max_bytes=65535)


def test_choice_must_be_an_option():
	assert fv.choice_value(" Won ", ["", "Open", "Won"]) == "Won"
	assert fv.choice_value("", ["Open", "Won"]) == ""
	assert fv.choice_value("anything", ["", ""]) == "anything"
	with pytest.raises(RuleViolation, match="is not one of the options"):
		fv.choice_value("Closed", ["Open", "Won"])
	with pytest.raises(RuleViolation, match="Must be text"):
		fv.choice_value(["Open"], ["Open", "Won"])


@given(st.text())
def test_any_text_is_a_number_or_refused_with_a_rule_violation(text):
	try:
		number = fv.decimal_value(text)
	except RuleViolation:
		return
	assert number is None or number.is_finite()


@given(st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none()))
def test_any_value_is_a_date_or_refused_with_a_rule_violation(value):
	try:
		fv.datetime_value(value)
		fv.date_value(value)
	except RuleViolation:
		pass


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_stored_float_is_always_finite_and_fits(value):
	try:
		stored = fv.float_value(value)
	except RuleViolation:
		return
	assert stored is None or (math.isfinite(stored) and abs(stored) < 1e12)
