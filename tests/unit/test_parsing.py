"""Dates, amounts, whole numbers, percentages and yes/no values as people type them."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.errors import RuleViolation
from cims_app.domain.parsing import (
	parse_amount,
	parse_check,
	parse_date,
	parse_datetime,
	parse_int,
	parse_percent,
)

DATES = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))
DATE_MESSAGE = "Date {0} is not recognised: use YYYY-MM-DD, YYYY/M/D or YYYY年M月D日"
AMOUNT_MESSAGE = "Amount {0} is not recognised: use a number such as 1,234.50, 50万 or 1.2亿"


def full_width(text: str) -> str:
	return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def reference_excel_serial(day: datetime.date) -> int:
	"""Excel's 1900 date system: 1900-01-01 is 1, and a fake 1900-02-29 (60) shifts every later day by one."""
	serial = (day - datetime.date(1900, 1, 1)).days + 1
	return serial + 1 if day >= datetime.date(1900, 3, 1) else serial


FORMATS = [
	lambda d: f"{d:%Y-%m-%d}",
	lambda d: f"{d.year}-{d.month}-{d.day}",
	lambda d: f"{d.year}/{d.month}/{d.day}",
	lambda d: f"{d:%Y/%m/%d}",
	lambda d: f"{d.year}年{d.month}月{d.day}日",
	lambda d: f"{d.year}年{d.month}月{d.day}",
	lambda d: f"{d:%Y.%m.%d}",
	lambda d: f"{d:%Y%m%d}",
	lambda d: full_width(f"{d:%Y-%m-%d}"),
	lambda d: full_width(f"{d.year}年{d.month}月{d.day}日"),
	lambda d: f"  {d:%Y-%m-%d}\t",
	lambda d: f"{d:%Y-%m-%d} 09:30",
	lambda d: d,
	lambda d: datetime.datetime.combine(d, datetime.time(17, 45)),
]


@given(DATES, st.sampled_from(range(len(FORMATS))))
def test_parse_date_round_trips_every_supported_format(day, format_index):
	assert parse_date(FORMATS[format_index](day)) == day


@given(DATES)
def test_parse_date_reads_excel_serials_as_numbers_and_text(day):
	serial = reference_excel_serial(day)
	assert parse_date(serial) == day
	assert parse_date(float(serial) + 0.75) == day
	assert parse_date(Decimal(serial)) == day
	if not (1900 <= serial <= 2100):
		assert parse_date(str(serial)) == day


@pytest.mark.parametrize(
	"serial, expected",
	[
		(1, datetime.date(1900, 1, 1)),
		(59, datetime.date(1900, 2, 28)),
		(61, datetime.date(1900, 3, 1)),
		(45000, datetime.date(2023, 3, 15)),
		(2958465, datetime.date(9999, 12, 31)),
		("45000", datetime.date(2023, 3, 15)),
		("４５０００", datetime.date(2023, 3, 15)),
	],
)
def test_excel_serial_landmarks(serial, expected):
	assert parse_date(serial) == expected


def test_excel_serial_60_the_fake_leap_day_is_refused():
	with pytest.raises(RuleViolation) as caught:
		parse_date(60)
	assert str(caught.value) == "Date 60 does not exist: Excel serial 60 is 1900-02-29, a day that never was"


@pytest.mark.parametrize("serial", [0, -1, 2958466, 0.5, float("nan"), float("inf")])
def test_excel_serial_outside_the_calendar_is_refused(serial):
	with pytest.raises(RuleViolation):
		parse_date(serial)


def test_bare_year_text_is_refused_rather_than_read_as_a_1905_serial():
	with pytest.raises(RuleViolation) as caught:
		parse_date("2024")
	assert str(caught.value) == DATE_MESSAGE.format("2024")


@pytest.mark.parametrize("blank", [None, "", "   ", "\u3000"])
def test_blank_date_is_none(blank):
	assert parse_date(blank) is None


@pytest.mark.parametrize(
	"garbage", ["next week", "2024-13", "24-5-1", "2024-05/01", "五月一日", "2024-05-01 9", True]
)
def test_unrecognised_date_is_refused_with_the_accepted_formats(garbage):
	with pytest.raises(RuleViolation) as caught:
		parse_date(garbage)
	assert str(caught.value) == DATE_MESSAGE.format(garbage)
	assert caught.value.message == DATE_MESSAGE


@pytest.mark.parametrize("impossible", ["2023-02-29", "2024/4/31", "2024年13月1日", "20240230"])
def test_impossible_calendar_date_is_refused(impossible):
	with pytest.raises(RuleViolation) as caught:
		parse_date(impossible)
	assert str(caught.value) == f"Date {impossible} does not exist"


def test_today_word_gives_the_frozen_today():
	frozen = datetime.date(2024, 6, 30)
	assert parse_date("今天", today=frozen) == frozen
	assert parse_date("Today", today=frozen) == frozen


@pytest.mark.parametrize(
	"written, expected",
	[
		("2024-05-01 10:30", datetime.datetime(2024, 5, 1, 10, 30)),
		("2024-05-01T10:30:15", datetime.datetime(2024, 5, 1, 10, 30, 15)),
		("2024/5/1 8:05", datetime.datetime(2024, 5, 1, 8, 5)),
		("2024年5月1日 10:30", datetime.datetime(2024, 5, 1, 10, 30)),
		("2024年5月1日10:30", datetime.datetime(2024, 5, 1, 10, 30)),
		("２０２４－０５－０１　１０：３０", datetime.datetime(2024, 5, 1, 10, 30)),
		("2024-05-01", datetime.datetime(2024, 5, 1)),
		(datetime.date(2024, 5, 1), datetime.datetime(2024, 5, 1)),
		(45000.5, datetime.datetime(2023, 3, 15, 12, 0)),
		("", None),
	],
)
def test_parse_datetime_keeps_the_time(written, expected):
	assert parse_datetime(written) == expected


@pytest.mark.parametrize("bad", ["2024-05-01 25:00", "2024-05-01 10:61", "2024-05-01 10"])
def test_datetime_with_impossible_time_is_refused(bad):
	with pytest.raises(RuleViolation):
		parse_datetime(bad)


@given(
	st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2100, 12, 31)).map(
		lambda moment: moment.replace(microsecond=0)
	)
)
def test_parse_datetime_round_trips_iso_text(moment):
	assert parse_datetime(f"{moment:%Y-%m-%d %H:%M:%S}") == moment


AMOUNTS = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False)


@given(AMOUNTS)
def test_parse_amount_round_trips_thousands_separators(amount):
	assert parse_amount(f"{amount:,.2f}") == amount
	assert parse_amount(f"{amount:.2f}") == amount


@given(AMOUNTS.filter(lambda amount: amount >= 0), st.sampled_from(["¥", "￥", "RMB ", "rmb", "人民币"]))
def test_parse_amount_ignores_currency_marks(amount, mark):
	assert parse_amount(f"{mark}{amount:,.2f}") == amount
	assert parse_amount(f"{amount:,.2f}元") == amount


@given(AMOUNTS)
def test_parse_amount_reads_full_width_text(amount):
	assert parse_amount(full_width(f"{amount:,.2f}")) == amount


@given(
	st.decimals(min_value=0, max_value=Decimal("1e6"), places=2, allow_nan=False),
	st.sampled_from(["万", "万元"]),
)
def test_parse_amount_multiplies_wan_by_ten_thousand(amount, unit):
	assert parse_amount(f"{amount:,.2f}{unit}") == amount * 10000
	assert parse_amount(f"{amount}", in_wan=True) == amount * 10000


@given(st.decimals(min_value=0, max_value=Decimal("1e4"), places=4, allow_nan=False))
def test_parse_amount_multiplies_yi_by_one_hundred_million(amount):
	assert parse_amount(f"{amount}亿") == (amount * 100000000).quantize(Decimal("0.01"))


@pytest.mark.parametrize(
	"written, in_wan, expected",
	[
		("1,234.50", False, Decimal("1234.50")),
		("１，２３４．５０", False, Decimal("1234.50")),
		("¥1,234", False, Decimal("1234.00")),
		("￥1,234", False, Decimal("1234.00")),
		("RMB 1,234", False, Decimal("1234.00")),
		("1234元", False, Decimal("1234.00")),
		("50.00万", False, Decimal("500000.00")),
		("50万元", False, Decimal("500000.00")),
		("1.2亿", False, Decimal("120000000.00")),
		("-1,234.5", False, Decimal("-1234.50")),
		("-¥5", False, Decimal("-5.00")),
		("¥-5", False, Decimal("-5.00")),
		(".5", False, Decimal("0.50")),
		(1234.565, False, Decimal("1234.57")),
		(Decimal("0.125"), False, Decimal("0.13")),
		(12, False, Decimal("12.00")),
		("50", True, Decimal("500000.00")),
		(12.5, True, Decimal("125000.00")),
		("50万", True, Decimal("500000.00")),
		("800元", True, Decimal("800.00")),
	],
)
def test_parse_amount_examples(written, in_wan, expected):
	assert parse_amount(written, in_wan=in_wan) == expected


@pytest.mark.parametrize("blank", [None, "", "  "])
def test_blank_amount_is_none(blank):
	assert parse_amount(blank) is None


@pytest.mark.parametrize(
	"garbage", ["abc", "1,23", "12,3456", "1.2.3", "12%", "$12", "1e5", "--5", "万", True, float("nan")]
)
def test_unrecognised_amount_is_refused(garbage):
	with pytest.raises(RuleViolation) as caught:
		parse_amount(garbage)
	assert str(caught.value) == AMOUNT_MESSAGE.format(garbage)


def test_parse_amount_reports_the_field_it_was_given():
	with pytest.raises(RuleViolation) as caught:
		parse_amount("abc", field="annual_amount")
	assert caught.value.field == "annual_amount"


@pytest.mark.parametrize(
	"written, expected",
	[
		("12", 12),
		("1,234", 1234),
		("１２", 12),
		("12.0", 12),
		(7.0, 7),
		(-3, -3),
		("-3", -3),
		("", None),
		(None, None),
	],
)
def test_parse_int_examples(written, expected):
	assert parse_int(written) == expected


@pytest.mark.parametrize("bad", ["12.5", 12.5, "abc", "1,23", True])
def test_parse_int_refuses_what_is_not_a_whole_number(bad):
	with pytest.raises(RuleViolation) as caught:
		parse_int(bad)
	assert str(caught.value) == f"{bad} is not a whole number"


@pytest.mark.parametrize(
	"written, fraction, expected",
	[
		("20%", False, 20.0),
		("20", False, 20.0),
		(20, False, 20.0),
		("0.2", False, 0.2),
		("２０％", False, 20.0),
		("12.5 %", False, 12.5),
		("-5%", False, -5.0),
		(0.2, True, 20.0),
		("0.2", True, 20.0),
		("20%", True, 20.0),
		("", False, None),
	],
)
def test_parse_percent_reads_percent_points(written, fraction, expected):
	assert parse_percent(written, fraction=fraction) == expected


@pytest.mark.parametrize("bad", ["abc", "20%%", "%", True])
def test_parse_percent_refuses_garbage(bad):
	with pytest.raises(RuleViolation) as caught:
		parse_percent(bad)
	assert str(caught.value) == f"{bad} is not a percentage: use a number such as 20 or 20%"


@pytest.mark.parametrize(
	"yes", ["是", "Y", "y", "Yes", "YES", "true", "True", "1", 1, 1.0, True, "✓", "✔", "√", " 是 "]
)
def test_parse_check_reads_yes(yes):
	assert parse_check(yes) == 1


@pytest.mark.parametrize("no", ["否", "N", "no", "No", "false", "FALSE", "0", 0, False, "✗", "×", "", None])
def test_parse_check_reads_no_and_blank_as_zero(no):
	assert parse_check(no) == 0


@pytest.mark.parametrize("bad", ["maybe", "2", 2, "是的吧"])
def test_parse_check_refuses_other_values(bad):
	with pytest.raises(RuleViolation) as caught:
		parse_check(bad)
	assert str(caught.value) == f"{bad} is not a yes/no value: use 是/否, Yes/No or 1/0"
