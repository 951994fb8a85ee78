"""Company name keys (exact and match) and possible-duplicate detection; person names."""

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cims_app.domain.names import (
	LEGAL_SUFFIXES,
	exact_key,
	match_key,
	names_possibly_same,
	normalise_person_name,
)

SUFFIX_CHARACTERS = set("".join(LEGAL_SUFFIXES))
# Company-name material that no legal suffix is made of, so a generated stem never ends in part of one.
CJK_STEM = "".join(
	sorted(
		set("华为腾讯阿里巴京东美的格力海尔联想小米中兴比亚迪宁德时代恒瑞医药上深圳科技信息网络")
		- SUFFIX_CHARACTERS
	)
)
ASCII_STEM = "abdefhjkmpqrsuvwxyz0123456789"
STEMS = st.builds(
	lambda head, tail: head + tail,
	st.text(alphabet=CJK_STEM, min_size=1, max_size=8),
	st.text(alphabet=CJK_STEM + ASCII_STEM + " ", max_size=8).map(str.rstrip),
)
NAMES = st.text(alphabet=CJK_STEM + ASCII_STEM + "ABCXYZ ()（）【】.,-有限公司集团股份Co.Ltd", max_size=20)


def full_width(text: str) -> str:
	return "".join(
		chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else "\u3000" if char == " " else char for char in text
	)


def is_latin(suffix: str) -> bool:
	return suffix.isascii()


@given(NAMES)
def test_exact_key_is_invariant_under_full_width_conversion(name):
	assert exact_key(full_width(name)) == exact_key(name)


@given(NAMES)
def test_exact_key_is_invariant_under_case(name):
	assert exact_key(name.upper()) == exact_key(name.lower()) == exact_key(name)


@given(
	NAMES, st.lists(st.tuples(st.integers(min_value=0), st.sampled_from([" ", "  ", "\t", "\u3000", "\n"])))
)
def test_exact_key_is_invariant_under_whitespace_insertion(name, insertions):
	spaced = name
	for position, space in insertions:
		index = position % (len(spaced) + 1)
		spaced = spaced[:index] + space + spaced[index:]
	assert exact_key(spaced) == exact_key(name)


def test_exact_key_unifies_brackets_and_removes_whitespace():
	assert exact_key(" 某某（北京）【集团】 Co., LTD ") == "某某(北京)(集团)co.,ltd"


def test_exact_key_keeps_legal_form_so_different_forms_stay_different_companies():
	assert exact_key("某某科技有限公司") != exact_key("某某科技股份有限公司")


def test_legal_suffixes_are_listed_longest_first():
	lengths = [len(suffix) for suffix in LEGAL_SUFFIXES]
	assert lengths == sorted(lengths, reverse=True)


def test_branch_office_is_not_a_legal_suffix():
	assert "分公司" not in LEGAL_SUFFIXES
	assert match_key("某某科技北京分公司") == "某某科技北京分公司"


@pytest.mark.parametrize("suffix", LEGAL_SUFFIXES)
@given(stem=STEMS)
def test_match_key_ignores_every_legal_suffix(stem, suffix):
	joined = f"{stem} {suffix}" if is_latin(suffix) else stem + suffix
	assert match_key(joined) == match_key(stem)


@pytest.mark.parametrize("suffix", [suffix for suffix in LEGAL_SUFFIXES if not suffix.isascii()])
@given(stem=STEMS)
def test_match_key_ignores_chinese_suffix_in_full_width_brackets(stem, suffix):
	assert match_key(stem + full_width(suffix)) == match_key(stem)


@given(STEMS, st.lists(st.sampled_from(LEGAL_SUFFIXES), min_size=1, max_size=3))
def test_match_key_strips_stacked_suffixes(stem, suffixes):
	name = stem + "".join(f" {suffix}" if is_latin(suffix) else suffix for suffix in suffixes)
	assert match_key(name) == match_key(stem)


@pytest.mark.parametrize(
	"name, expected",
	[
		("某某科技有限公司", "某某科技"),
		("某某科技股份有限公司", "某某科技"),
		("某某科技有限责任公司", "某某科技"),
		("某某（集团）股份有限公司", "某某"),
		("某某集团有限公司", "某某"),
		("某某集团", "某某"),
		("Acme Co., Ltd.", "acme"),
		("ACME CO LTD", "acme"),
		("Acme Co.,Ltd", "acme"),
		("Acme Company Limited", "acme"),
		("Acme Inc.", "acme"),
		("Acme Corp.", "acme"),
		("Acme Corporation", "acme"),
		("Acme L.L.C.", "acme"),
		("Acme GmbH", "acme"),
		("华为技术 Co., Ltd.", "华为技术"),
		("某某科技有限公司。", "某某科技"),
		("北京某某科技有限公司", "北京某某科技"),
		("A.B.C. Trading", "abctrading"),
	],
)
def test_match_key_examples(name, expected):
	assert match_key(name) == expected


@pytest.mark.parametrize("name", ["Zinc", "Costco", "Reinc", "Limitedness"])
def test_match_key_strips_latin_suffixes_only_as_whole_words(name):
	assert match_key(name) == name.lower()


@pytest.mark.parametrize("name", ["有限公司", "公司", "集团", "Ltd", "Co., Ltd."])
def test_match_key_of_a_bare_suffix_keeps_it(name):
	assert match_key(name) == re.sub(r"[\W_]", "", name.lower())


def test_match_key_of_punctuation_only_falls_back_to_exact_key():
	assert match_key("(!)") == exact_key("(!)") == "(!)"


@given(NAMES, NAMES)
def test_names_possibly_same_is_symmetric(first, second):
	assert names_possibly_same(first, second) == names_possibly_same(second, first)


@given(st.text(max_size=20))
def test_names_possibly_same_is_reflexive_for_non_blank_names(name):
	assume(name.strip() and exact_key(name))
	assert names_possibly_same(name, name)


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_blank_name_is_never_possibly_the_same(blank):
	assert not names_possibly_same(blank, blank)
	assert not names_possibly_same(blank, "某某科技有限公司")


@pytest.mark.parametrize(
	"first, second",
	[
		("某某科技有限公司", "某某科技股份有限公司"),  # equal match keys
		("华为技术有限公司", "华为"),  # contained, 2 CJK characters
		("阿里巴巴网络技术有限公司", "阿里巴巴"),
		("Tencent Holdings Ltd", "Tencent"),  # contained, 7 Latin letters
		("中国石油天然气股份有限公司", "中石油"),  # abbreviation: in order, 3 of 7
		("北京大学", "北大"),
		("上海汽车集团", "上汽集团"),  # same match key after 集团
	],
)
def test_similar_names_are_possibly_the_same(first, second):
	assert names_possibly_same(first, second)
	assert names_possibly_same(second, first)


@pytest.mark.parametrize(
	"first, second",
	[
		("华为技术有限公司", "腾讯科技有限公司"),
		("华为技术有限公司", "华"),  # one CJK character says nothing
		("International Business Machines", "IBM"),  # letters in order but far below 40 %
		("Acme Trading", "Acm"),  # contained but only 3 Latin letters, and 3 of 11 in order
		("中国石油天然气股份有限公司", "石化"),  # not in order
	],
)
def test_unrelated_names_are_not_possibly_the_same(first, second):
	assert not names_possibly_same(first, second)
	assert not names_possibly_same(second, first)


@pytest.mark.parametrize(
	"written, expected",
	[
		(" 张  三 ", "张三"),
		("欧阳　娜娜", "欧阳娜娜"),
		("John   Smith", "John Smith"),
		("阿里木 · 买买提", "阿里木·买买提"),
		("ＪＯＨＮ　Ｓｍｉｔｈ", "JOHN Smith"),
		("李 Lei", "李 Lei"),
		(None, ""),
	],
)
def test_normalise_person_name(written, expected):
	assert normalise_person_name(written) == expected
