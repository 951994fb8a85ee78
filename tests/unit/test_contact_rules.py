"""Mobile, landline and email validation and the masking of personal data."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.contact_rules import (
	mask_email,
	mask_id_number,
	mask_mobile,
	normalise_email,
	normalise_landline,
	normalise_mobile,
	normalise_phone,
)
from cims_app.domain.errors import RuleViolation
from cims_app.domain.text import clean_text

MOBILES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
SEPARATORS = st.sampled_from(["", "", " ", "-", "  ", ".", "\u3000", "－"])


def full_width(text: str) -> str:
	return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


@st.composite
def decorated_mobiles(draw):
	"""A valid mobile and the same number as people write it: prefixes, separators, full-width digits."""
	digits = draw(MOBILES)
	prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086", "0086-", "86", "(+86)", "+86-"]))
	written = prefix + "".join(digit + draw(SEPARATORS) for digit in digits).rstrip()
	if draw(st.booleans()):
		written = full_width(written)
	return digits, written


@given(decorated_mobiles())
def test_mobile_survives_prefixes_separators_and_full_width_digits(case):
	digits, written = case
	assert normalise_mobile(written) == digits


@given(decorated_mobiles())
def test_normalise_mobile_is_idempotent(case):
	_, written = case
	once = normalise_mobile(written)
	assert normalise_mobile(once) == once


@given(st.from_regex(r"1[0-2][0-9]{9}", fullmatch=True))
def test_mobile_with_second_digit_below_3_is_refused(number):
	with pytest.raises(RuleViolation):
		normalise_mobile(number)


@given(MOBILES, st.integers(min_value=1, max_value=10))
def test_mobile_cut_short_is_refused(number, cut):
	with pytest.raises(RuleViolation):
		normalise_mobile(number[:-cut])


def test_mobile_with_twelve_digits_is_refused():
	with pytest.raises(RuleViolation):
		normalise_mobile("138123456789")


def test_invalid_mobile_message_names_the_value_and_the_expected_form():
	with pytest.raises(RuleViolation) as caught:
		normalise_mobile("1281234567x")
	assert str(caught.value) == (
		"Mobile number 1281234567x is not valid: expected 11 digits starting with 13-19, e.g. 13812345678"
	)
	assert caught.value.message == (
		"Mobile number {0} is not valid: expected 11 digits starting with 13-19, e.g. 13812345678"
	)
	assert caught.value.params == ("1281234567x",)
	assert caught.value.field == "mobile_no"


def test_invalid_mobile_reports_the_field_it_was_given():
	with pytest.raises(RuleViolation) as caught:
		normalise_mobile("123", field="cims_mobile")
	assert caught.value.field == "cims_mobile"


def test_bare_86_prefix_is_only_stripped_before_eleven_digits():
	assert normalise_mobile("8613812345678") == "13812345678"
	with pytest.raises(RuleViolation):
		normalise_mobile("861381234567")


def test_mobile_from_spreadsheet_float_is_read_as_digits():
	assert normalise_mobile(13812345678.0) == "13812345678"


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_mobile_is_empty_not_an_error(blank):
	assert normalise_mobile(blank) == ""


@pytest.mark.parametrize(
	"written, expected",
	[
		("010-12345678", "010-12345678"),
		("(010)12345678", "010-12345678"),
		("（010）12345678", "010-12345678"),
		("010 1234 5678", "010-12345678"),
		("01012345678", "010-12345678"),
		("02162345678", "021-62345678"),
		("075512345678", "0755-12345678"),
		("07551234567", "0755-1234567"),
		("0755-1234567-123", "0755-1234567-123"),
		("0755-1234567转123", "0755-1234567-123"),
		("0755 1234567 ext. 123", "0755-1234567-123"),
		("0755-1234567x123", "0755-1234567-123"),
		("0755-1234567#123", "0755-1234567-123"),
		("010-12345678分机8", "010-12345678-8"),
		("+86 10 12345678", "010-12345678"),
		("+86 010 12345678", "010-12345678"),
		("０２１－６２３４５６７８", "021-62345678"),
	],
)
def test_landline_written_in_common_ways_is_normalised(written, expected):
	assert normalise_landline(written) == expected


@pytest.mark.parametrize(
	"written",
	[
		"12345678",  # no area code
		"010-123456",  # number too short
		"010-123456789",  # number too long
		"0101-1234567",  # 010 is a 3-digit area code
		"021-01234567",  # local numbers do not start with 0
		"0755-1234567-1234567",  # extension too long
		"010-1234abcd",
		"13812345678",  # a mobile, not a landline
	],
)
def test_malformed_landline_is_refused(written):
	with pytest.raises(RuleViolation) as caught:
		normalise_landline(written)
	assert caught.value.params == (written,)


def test_invalid_landline_message_shows_the_expected_form():
	with pytest.raises(RuleViolation) as caught:
		normalise_landline("12345")
	assert str(caught.value) == (
		"Landline number 12345 is not valid: expected an area code starting with 0, a 7 or 8 digit number "
		"and an optional extension, e.g. 010-12345678 or 0755-1234567-123"
	)


AREAS = st.one_of(
	st.just("010"),
	st.from_regex(r"02[0-9]", fullmatch=True),
	st.from_regex(r"0[3-9][0-9]{2}", fullmatch=True),
)
LOCAL_NUMBERS = st.from_regex(r"[1-9][0-9]{6,7}", fullmatch=True)
EXTENSIONS = st.one_of(st.just(""), st.from_regex(r"[0-9]{1,6}", fullmatch=True))


@given(
	AREAS,
	LOCAL_NUMBERS,
	EXTENSIONS,
	st.sampled_from(["{a}-{n}", "({a}){n}", "{a} {n}", "{a}{n}", "（{a}）{n}"]),
)
def test_landline_normalises_to_area_number_extension_in_every_layout(area, number, extension, layout):
	written = layout.format(a=area, n=number)
	if extension:
		written += "转" + extension
	expected = f"{area}-{number}" + (f"-{extension}" if extension else "")
	assert normalise_landline(written) == expected
	assert normalise_landline(expected) == expected


@given(AREAS, st.from_regex(r"[1-9][0-9]{3}", fullmatch=True), st.from_regex(r"[0-9]{4}", fullmatch=True))
def test_landline_number_split_by_spaces_is_joined(area, first, second):
	assert normalise_landline(f"{area} {first} {second}") == f"{area}-{first}{second}"


def test_phone_prefers_mobile_then_landline():
	assert normalise_phone("+86 138 1234 5678") == "13812345678"
	assert normalise_phone("(0755)1234567") == "0755-1234567"


def test_phone_that_is_neither_mobile_nor_landline_is_refused_with_both_examples():
	with pytest.raises(RuleViolation) as caught:
		normalise_phone("12345")
	assert str(caught.value) == (
		"Phone number 12345 is not valid: expected a mobile number such as 13812345678 "
		"or a landline such as 010-12345678"
	)


@pytest.mark.parametrize(
	"written, expected",
	[
		(" Zhang.San@Example.COM ", "zhang.san@example.com"),
		("ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "zhang@example.com"),
		("li+crm@mail.example.com.cn", "li+crm@mail.example.com.cn"),
		("wang_wu-1@my-company.cn", "wang_wu-1@my-company.cn"),
		("o'neil@example.org", "o'neil@example.org"),
	],
)
def test_valid_email_is_stripped_half_width_and_lowercased(written, expected):
	assert normalise_email(written) == expected


@pytest.mark.parametrize(
	"written",
	[
		"zhangsan",
		"zhangsan@",
		"@example.com",
		"zhang san@example.com",
		"zhang\n@example.com",
		"zhang@example.com\n.cn",
		"zhang@@example.com",
		"zhang@example",
		"zhang@example.c",
		"zhang@example.c0m",
		"zhang@-example.com",
		"zhang@example-.com",
		"zhang@example..com",
		".zhang@example.com",
		"zhang.@example.com",
		"zhang..san@example.com",
		"张三@example.com",
		"zhang@例子.com",
		"a" * 65 + "@example.com",
		"a@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + "." + "e" * 61 + ".com",
	],
)
def test_malformed_email_is_refused(written):
	with pytest.raises(RuleViolation):
		normalise_email(written)


def test_email_local_part_of_64_characters_is_accepted():
	assert normalise_email("a" * 64 + "@example.com") == "a" * 64 + "@example.com"


def test_invalid_email_message_names_the_value():
	with pytest.raises(RuleViolation) as caught:
		normalise_email("zhang@example")
	assert (
		str(caught.value)
		== "Email address zhang@example is not valid: expected an address such as name@example.com"
	)
	assert caught.value.field == "email_id"


EMAIL_LOCALS = st.from_regex(r"[a-zA-Z0-9_+-]{1,20}(\.[a-zA-Z0-9_+-]{1,10}){0,2}", fullmatch=True)
EMAIL_DOMAINS = st.from_regex(
	r"([a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?\.){1,3}[a-zA-Z]{2,6}", fullmatch=True
)


@given(EMAIL_LOCALS, EMAIL_DOMAINS)
def test_generated_valid_email_is_accepted_lowercased_and_stable(local, domain):
	email = normalise_email(f"  {local}@{domain} ")
	assert email == f"{local}@{domain}".lower()
	assert normalise_email(email) == email


@given(EMAIL_LOCALS, EMAIL_DOMAINS, st.sampled_from([" ", "@", ",", "..", "(", "\t"]))
def test_email_with_a_stray_character_in_the_local_part_is_refused(local, domain, stray):
	with pytest.raises(RuleViolation):
		normalise_email(f"{local[0]}{stray}{local[1:]}x@{domain}")


def test_mask_mobile_shows_first_three_and_last_four():
	assert mask_mobile("13812345678") == "138****5678"


def test_mask_mobile_of_short_value_shows_nothing():
	assert mask_mobile("1234567") == "*******"
	assert mask_mobile("") == ""


def test_mask_email_keeps_first_letter_and_domain():
	assert mask_email("zhang.san@example.com") == "z***@example.com"


def test_mask_email_of_single_letter_local_part_hides_it():
	assert mask_email("z@example.com") == "***@example.com"


def test_mask_id_number_shows_first_six_and_last_four():
	assert mask_id_number("110101199003071234") == "110101********1234"


def test_mask_id_number_of_empty_value_is_empty():
	assert mask_id_number(None) == ""
	assert mask_id_number("") == ""


def test_mask_id_number_of_old_fifteen_digit_number_hides_the_birth_date():
	assert mask_id_number("110101900307123") == "11010*********3"


@given(st.text(max_size=30))
def test_mask_id_number_never_reveals_characters_7_to_14(value):
	shown = clean_text(value).replace(" ", "")
	masked = mask_id_number(value)
	assert len(masked) == len(shown)
	assert set(masked[6:14]) <= {"*"}
	revealed = [index for index, char in enumerate(masked) if char != "*"]
	assert all(index < 6 or index >= max(14, len(shown) - 4) for index in revealed)
	assert all(masked[index] == shown[index] for index in revealed)


@given(st.text(alphabet="0123456789X", min_size=18, max_size=18))
def test_mask_id_number_of_eighteen_characters_keeps_exactly_first_six_and_last_four(number):
	assert mask_id_number(number) == number[:6] + "********" + number[-4:]
