"""Masking personal data inside free text (cims_app.domain.personal_data)."""

from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.personal_data import mask_personal_text


def test_mobile_numbers_and_emails_in_a_search_snippet_are_masked():
	text = "Customer Name : 杭州恒通科技 ||| Mobile No : 13800138000 ||| Email : zhang.san@example.com"
	assert mask_personal_text(text) == (
		"Customer Name : 杭州恒通科技 ||| Mobile No : 138****8000 ||| Email : z***@example.com"
	)


def test_longer_digit_runs_such_as_credit_codes_are_left_alone():
	assert mask_personal_text("91330106MA2KXXXX13800138000X") == "91330106MA2KXXXX13800138000X"
	assert mask_personal_text("12345678901234") == "12345678901234"


def test_empty_text():
	assert mask_personal_text(None) == ""
	assert mask_personal_text("") == ""


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_no_mobile_number_survives(mobile):
	masked = mask_personal_text(f"电话{mobile}。")
	assert mobile not in masked
	assert masked == f"电话{mobile[:3]}****{mobile[-4:]}。"
