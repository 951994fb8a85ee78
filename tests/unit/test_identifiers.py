"""Unified Social Credit Code (GB 32100-2015) and resident ID number (GB 11643-1999) check digits."""

import datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cims_app.domain.errors import RuleViolation
from cims_app.domain.identifiers import (
	ID_CHECK_CHARS,
	USCC_ALPHABET,
	birth_date_from_id,
	gender_from_id,
	id_check_char,
	normalise_id_number,
	normalise_uscc,
	uscc_check_char,
)

TODAY = datetime.date(2024, 6, 30)


def reference_uscc_check(first17: str) -> str:
	"""GB 32100-2015 written out independently: C18 = 31 - (Σ Ci·Wi mod 31), 31 read as 0."""
	weights = [3**i % 31 for i in range(17)]  # the standard's weights are 3^(i) mod 31
	total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, weights, strict=True))
	return USCC_ALPHABET[(31 - total % 31) % 31]


def reference_id_check(first17: str) -> str:
	"""GB 11643-1999 written out independently: weights 2^(17-i) mod 11, check from (12 - Σ mod 11) mod 11."""
	total = sum(int(digit) * (2 ** (17 - index) % 11) for index, digit in enumerate(first17))
	value = (12 - total % 11) % 11
	return "X" if value == 10 else str(value)


USCC_BODIES = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@st.composite
def valid_usccs(draw):
	body = draw(USCC_BODIES)
	return body + uscc_check_char(body)


@st.composite
def valid_id_numbers(draw):
	region = draw(st.from_regex(r"[1-8][0-9]{5}", fullmatch=True))
	birth = draw(st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY))
	sequence = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
	body = f"{region}{birth:%Y%m%d}{sequence}"
	return body + id_check_char(body)


def test_uscc_alphabet_has_31_characters_without_i_o_s_v_z():
	assert len(USCC_ALPHABET) == 31
	assert not set("IOSVZ") & set(USCC_ALPHABET)


def test_published_example_uscc_is_valid():
	assert normalise_uscc("91350100M000100Y43") == "91350100M000100Y43"


@given(USCC_BODIES)
def test_uscc_check_char_matches_the_standard_formula(body):
	assert uscc_check_char(body) == reference_uscc_check(body)


@given(valid_usccs())
def test_uscc_with_computed_check_char_validates(code):
	assert normalise_uscc(code) == code


@given(valid_usccs(), st.sampled_from([" ", "  ", "\u3000"]), st.booleans())
def test_uscc_is_accepted_lowercase_full_width_and_with_spaces(code, space, use_full_width):
	written = f"{space}{code[:8]}{space}{code[8:]}{space}".lower()
	if use_full_width:
		written = "".join(chr(ord(char) + 0xFEE0) if char.isalnum() else char for char in written)
	assert normalise_uscc(written) == code


@given(valid_usccs(), st.integers(min_value=0, max_value=17), st.sampled_from(USCC_ALPHABET))
def test_uscc_with_any_single_character_changed_is_refused(code, position, replacement):
	assume(code[position] != replacement)
	changed = code[:position] + replacement + code[position + 1 :]
	with pytest.raises(RuleViolation):
		normalise_uscc(changed)


def test_uscc_with_wrong_check_digit_is_refused():
	with pytest.raises(RuleViolation) as caught:
		normalise_uscc("91350100M000100Y44")
	assert str(caught.value) == (
		"Unified Social Credit Code 91350100M000100Y44 has a wrong check character (the last one): "
		"please check it for typos"
	)
	assert caught.value.field == "unified_social_credit_code"


def test_uscc_of_wrong_length_is_refused_saying_so():
	with pytest.raises(RuleViolation) as caught:
		normalise_uscc("91350100M000100Y4")
	assert (
		str(caught.value) == "Unified Social Credit Code 91350100M000100Y4 must be 18 characters long, not 17"
	)


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_uscc_with_letter_outside_the_alphabet_is_refused_naming_it(letter):
	code = "91350100M000100Y43"
	written = code[:9] + letter + code[10:]
	with pytest.raises(RuleViolation) as caught:
		normalise_uscc(written)
	assert str(caught.value) == (
		f"Unified Social Credit Code {written} contains characters that are not allowed: {letter} "
		"(use digits and capital letters except I, O, S, V and Z)"
	)


def test_blank_uscc_is_empty_not_an_error():
	assert normalise_uscc("  ") == ""


@pytest.mark.parametrize("bad", ["1234", "91350100M000100Y43", "9135010OM000100Y4"])
def test_uscc_check_char_refuses_bodies_that_are_not_17_alphabet_characters(bad):
	with pytest.raises(ValueError):
		uscc_check_char(bad)


@given(st.from_regex(r"[0-9]{17}", fullmatch=True))
def test_id_check_char_matches_the_standard_formula(body):
	assert id_check_char(body) == reference_id_check(body)


def test_id_check_char_of_known_number():
	# 11010519491231002X is the specimen number printed in GB 11643-1999.
	assert id_check_char("11010519491231002") == "X"
	assert normalise_id_number("11010519491231002x") == "11010519491231002X"


@given(valid_id_numbers())
def test_id_number_with_valid_birth_date_and_check_char_validates(number):
	assert normalise_id_number(number.lower(), today=TODAY) == number


@given(valid_id_numbers(), st.integers(min_value=0, max_value=17), st.sampled_from(ID_CHECK_CHARS))
def test_id_number_with_any_single_character_changed_is_refused(number, position, replacement):
	assume(replacement != number[position])
	assume(position == 17 or replacement != "X")
	changed = number[:position] + replacement + number[position + 1 :]
	with pytest.raises(RuleViolation):
		normalise_id_number(changed, today=TODAY)


@given(valid_id_numbers())
def test_birth_date_from_id_reads_characters_7_to_14(number):
	expected = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
	assert birth_date_from_id(number, today=TODAY) == expected


@given(valid_id_numbers())
def test_gender_from_id_follows_parity_of_17th_digit(number):
	assert gender_from_id(number, today=TODAY) == ("Male" if int(number[16]) % 2 else "Female")


def with_check(body: str) -> str:
	return body + id_check_char(body)


def test_id_number_with_impossible_birth_date_is_refused():
	number = with_check("11010119990231123")
	with pytest.raises(RuleViolation) as caught:
		normalise_id_number(number, today=TODAY)
	assert str(caught.value) == f"ID number {number} has an impossible birth date 19990231"
	assert caught.value.field == "id_number"


def test_id_number_born_before_1900_is_refused():
	with pytest.raises(RuleViolation):
		normalise_id_number(with_check("11010118991231123"), today=TODAY)


def test_id_number_born_on_1900_01_01_is_accepted():
	number = with_check("11010119000101123")
	assert normalise_id_number(number, today=TODAY) == number


def test_id_number_born_tomorrow_is_refused_and_born_today_accepted():
	tomorrow = with_check("110101" + f"{TODAY + datetime.timedelta(days=1):%Y%m%d}" + "123")
	born_today = with_check("110101" + f"{TODAY:%Y%m%d}" + "123")
	with pytest.raises(RuleViolation):
		normalise_id_number(tomorrow, today=TODAY)
	assert normalise_id_number(born_today, today=TODAY) == born_today


def test_id_number_with_wrong_check_char_is_refused():
	number = with_check("11010119900307123")
	wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
	with pytest.raises(RuleViolation) as caught:
		normalise_id_number(wrong, today=TODAY)
	assert str(caught.value) == (
		f"ID number {wrong} has a wrong check character (the last one): please check it for typos"
	)


@pytest.mark.parametrize(
	"bad", ["110101900307123", "1101011990030712345", "1101011990030712AX", "11010119900307123Y"]
)
def test_id_number_of_wrong_shape_is_refused(bad):
	with pytest.raises(RuleViolation) as caught:
		normalise_id_number(bad, today=TODAY)
	assert str(caught.value) == f"ID number {bad} is not valid: expected 17 digits followed by a digit or X"


def test_blank_id_number_is_empty_but_has_no_birth_date():
	assert normalise_id_number("") == ""
	with pytest.raises(RuleViolation):
		birth_date_from_id("")


def test_id_number_is_accepted_with_spaces_and_full_width_digits():
	number = with_check("11010119900307123")
	written = " " + "".join(chr(ord(char) + 0xFEE0) for char in number[:6]) + " " + number[6:] + " "
	assert normalise_id_number(written, today=TODAY) == number
