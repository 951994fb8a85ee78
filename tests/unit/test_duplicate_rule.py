"""The one rule of SPEC §6 (cims_app.domain.duplicates): when two customer records are the same customer,
when one takes the other's exact name, and when they are only possible duplicates."""

from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.duplicates import (
	DIFFERENT,
	POSSIBLE,
	SAME,
	SAME_EMAIL,
	SAME_ID_NUMBER,
	SAME_MOBILE,
	SAME_NAME,
	SAME_USCC,
	SIMILAR_NAME,
	TAKEN,
	CustomerIndex,
	compare,
	customer_keys,
	resolve,
	told_apart,
	unique_name_key,
)

MOBILE = "13800138000"
USCC_A = "91350100M000100Y43"
USCC_B = "91110108MA01C8K03X"
ID_A = "110101199003074258"


def company(name: str, uscc: str = "", mobile: str = MOBILE, email: str = "", kind: str = "Enterprise"):
	return customer_keys(
		{
			"customer_type": kind,
			"customer_name": name,
			"unified_social_credit_code": uscc,
			"mobile_no": mobile,
			"email_id": email,
		}
	)


def test_companies_with_different_credit_codes_sharing_a_mobile_are_possible_duplicates_never_the_same():
	first = company("甲科技有限公司", USCC_A)
	second = company("乙贸易有限公司", USCC_B)
	assert told_apart(first, second)
	assert compare(first, second) == (POSSIBLE, SAME_MOBILE)
	both_email = company("乙贸易有限公司", USCC_B, mobile="", email="boss@example.com")
	assert compare(company("甲科技有限公司", USCC_A, email="boss@example.com"), both_email) == (
		POSSIBLE,
		SAME_EMAIL,
	)


def test_a_shared_mobile_or_email_is_the_same_customer_when_no_identifier_tells_them_apart():
	assert compare(company("甲科技有限公司"), company("甲科技")) == (SAME, SAME_MOBILE)
	# one side without a credit code: nothing tells them apart
	assert compare(company("甲科技有限公司", USCC_A), company("甲科技")) == (SAME, SAME_MOBILE)
	assert compare(company("甲", mobile="", email="a@b.cn"), company("乙", mobile="", email="a@b.cn")) == (
		SAME,
		SAME_EMAIL,
	)


def test_a_credit_code_and_an_id_number_tell_a_company_from_a_person():
	person = customer_keys(
		{"customer_type": "Individual", "customer_name": "张伟", "id_number": ID_A, "mobile_no": MOBILE}
	)
	assert compare(company("甲科技有限公司", USCC_A), person) == (POSSIBLE, SAME_MOBILE)
	assert compare(
		person, customer_keys({"customer_type": "Individual", "customer_name": "张伟", "id_number": ID_A})
	) == (
		SAME,
		SAME_ID_NUMBER,
	)


def test_same_credit_code_is_the_same_customer_whatever_else_differs():
	assert compare(
		company("甲科技有限公司", USCC_A, mobile=""), company("改名有限公司", USCC_A, mobile="")
	) == (
		SAME,
		SAME_USCC,
	)


def test_the_same_exact_name_is_the_same_company_unless_credit_codes_differ_then_the_name_is_taken():
	assert compare(company("甲科技有限公司", mobile=""), company("甲科技有限公司", USCC_A, mobile="")) == (
		SAME,
		SAME_NAME,
	)
	assert compare(
		company("甲科技有限公司", USCC_A, mobile=""), company("甲科技有限公司", USCC_B, mobile="")
	) == (
		TAKEN,
		SAME_NAME,
	)


def test_similar_names_are_possible_duplicates_and_unrelated_ones_different():
	assert compare(company("华为", mobile=""), company("华为技术有限公司", mobile="")) == (
		POSSIBLE,
		SIMILAR_NAME,
	)
	assert compare(company("华为", mobile=""), company("腾讯科技有限公司", mobile="")) == (DIFFERENT, "")


def test_resolve_an_exact_key_decides_and_a_contact_match_to_another_customer_is_only_possible():
	row = company("甲科技有限公司", USCC_A)
	same_code = company("甲科技(旧名)有限公司", USCC_A, mobile="")
	no_code_same_mobile = company("丙有限公司")
	other_code_same_mobile = company("乙有限公司", USCC_B)
	found = resolve(
		row,
		[
			("C-1", SAME_USCC, same_code),
			("C-2", SAME_MOBILE, no_code_same_mobile),
			("C-3", SAME_MOBILE, other_code_same_mobile),
		],
	)
	assert found.same == [("C-1", SAME_USCC)]
	assert found.possible == [("C-2", SAME_MOBILE), ("C-3", SAME_MOBILE)]
	assert found.taken == []


def test_an_import_of_companies_with_distinct_credit_codes_sharing_one_mobile_inserts_every_one():
	"""The 20,000-row case: one contact person for many companies; each row is new, each a possible duplicate."""
	index = CustomerIndex()
	codes = [USCC_A, USCC_B, "91440300MA5FUT3H2D", "91310115MA1K4JQ81R"]
	for number, code in enumerate(codes):
		keys = company(f"公司{number}号有限公司", code)
		found = index.resolve(keys)
		assert found.same == [] and found.taken == []
		assert [ref for ref, _reason in found.possible] == list(range(number))
		index.add(keys, number)


def test_unique_name_key_is_for_enterprises_and_institutions_only():
	assert unique_name_key("Enterprise", "甲公司") == "甲公司"
	assert unique_name_key("Institution", "北京大学") == "北京大学"
	assert unique_name_key("Individual", "张伟") is None
	assert unique_name_key("Enterprise", "") is None


CODES = st.sampled_from([USCC_A, USCC_B, "91440300MA5FUT3H2D", ""])
IDS = st.sampled_from([ID_A, "11010119900307109X", ""])
SHARED = st.sampled_from(["", MOBILE])
NAMES = st.sampled_from(["甲科技有限公司", "甲科技", "乙贸易有限公司"])
KINDS = st.sampled_from(["Enterprise", "Individual", "Institution"])


@st.composite
def records(draw):
	return customer_keys(
		{
			"customer_type": draw(KINDS),
			"customer_name": draw(NAMES),
			"unified_social_credit_code": draw(CODES),
			"id_number": draw(IDS),
			"mobile_no": draw(SHARED),
			"email_id": draw(st.sampled_from(["", "a@b.cn"])),
		}
	)


@given(records(), records())
def test_records_told_apart_by_their_identifiers_are_never_the_same_customer(first, second):
	verdict, _reason = compare(first, second)
	assert compare(second, first)[0] == verdict, "the rule is symmetric"
	if told_apart(first, second):
		assert verdict != SAME
	if (first.uscc and first.uscc == second.uscc) or (
		first.id_number and first.id_number == second.id_number
	):
		assert verdict == SAME
