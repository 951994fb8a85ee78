"""Duplicate keys and indexes of the importer, the conflict policies, and export neutralisation."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.duplicates import (
	SAME_MOBILE,
	SAME_NAME,
	SAME_USCC,
	CustomerIndex,
	SimilarNameIndex,
	customer_keys,
)
from cims_app.domain.merge_policy import FILL_EMPTY, OVERWRITE, SKIP, append_source, conflicts, resolve
from cims_app.domain.names import match_key, match_keys_possibly_same
from cims_app.domain.spreadsheet import is_formula_like, neutralise_cell, neutralise_rows


def test_enterprise_keys_use_the_exact_name_key_and_individuals_do_not():
	enterprise = customer_keys({"customer_type": "Enterprise", "customer_name": "华为技术（深圳）有限公司"})
	person = customer_keys(
		{"customer_type": "Individual", "customer_name": "张伟", "mobile_no": "13800138000"}
	)
	assert enterprise.name_key == "华为技术(深圳)有限公司"
	assert enterprise.match_key == match_key("华为技术（深圳）有限公司")
	assert person.name_key == ""
	assert person.identifying() == ((SAME_MOBILE, "13800138000"),)


def test_same_credit_code_name_or_mobile_is_the_same_customer_strongest_reason_first():
	index = CustomerIndex()
	index.add(
		customer_keys(
			{
				"customer_name": "甲科技有限公司",
				"unified_social_credit_code": "91350100M000100Y43",
				"mobile_no": "13800138000",
			}
		),
		"C-1",
	)
	index.add(customer_keys({"customer_name": "乙科技有限公司"}), "C-2")
	row = customer_keys(
		{
			"customer_name": "甲科技有限公司",
			"unified_social_credit_code": "91350100M000100Y43",
			"mobile_no": "13800138000",
		}
	)
	assert index.same(row) == [(SAME_USCC, "C-1")]
	by_mobile = customer_keys({"customer_name": "丙公司", "mobile_no": "13800138000"})
	assert index.same(by_mobile) == [(SAME_MOBILE, "C-1")]
	conflicting = customer_keys({"customer_name": "乙科技有限公司", "mobile_no": "13800138000"})
	assert index.same(conflicting) == [(SAME_NAME, "C-2"), (SAME_MOBILE, "C-1")]


def test_full_width_and_spacing_variants_share_the_exact_key():
	index = CustomerIndex()
	index.add(customer_keys({"customer_name": "北京ＡＢＣ科技 有限公司"}), "C-1")
	assert index.same(customer_keys({"customer_name": "北京abc科技有限公司"})) == [(SAME_NAME, "C-1")]


def test_a_key_shared_by_several_customers_lists_every_owner_first_filed_first():
	index = CustomerIndex()
	index.add(customer_keys({"customer_name": "甲公司", "mobile_no": "13800138000"}), "first")
	index.add(customer_keys({"customer_name": "乙公司", "mobile_no": "13800138000"}), "second")
	assert index.owner(SAME_MOBILE, "13800138000") == "first"
	assert index.same(customer_keys({"customer_name": "丙公司", "mobile_no": "13800138000"})) == [
		(SAME_MOBILE, "first"),
		(SAME_MOBILE, "second"),
	]


def test_abbreviations_and_contained_names_are_possible_duplicates_not_same():
	index = CustomerIndex()
	for ref, name in enumerate(
		["中国石油天然气股份有限公司", "华为技术有限公司", "北京大学", "上海华瑞科技有限公司"]
	):
		index.add(customer_keys({"customer_name": name}), ref)
	assert index.similar(customer_keys({"customer_name": "中石油"})) == [0]
	assert index.similar(customer_keys({"customer_name": "华为"})) == [1]
	assert index.similar(customer_keys({"customer_name": "北大"})) == [2]
	assert index.similar(customer_keys({"customer_name": "华瑞科技"})) == [3]
	assert index.similar(customer_keys({"customer_name": "深圳腾讯计算机系统有限公司"})) == []
	assert index.same(customer_keys({"customer_name": "中石油"})) == []


def test_similar_excludes_the_refs_asked_to_leave_out():
	index = CustomerIndex()
	index.add(customer_keys({"customer_name": "华为技术有限公司"}), "C-1")
	assert index.similar(customer_keys({"customer_name": "华为技术股份有限公司"}), exclude=["C-1"]) == []


def test_rebinding_a_row_to_its_record_moves_every_key_and_leaves_other_owners_alone():
	index = CustomerIndex()
	row, other = object(), object()
	keys = customer_keys(
		{
			"customer_name": "华为技术有限公司",
			"unified_social_credit_code": "91350100M000100Y43",
			"mobile_no": "13800138000",
		}
	)
	index.add(keys, row)
	index.add(customer_keys({"customer_name": "华为技术股份有限公司", "mobile_no": "13900139000"}), other)
	index.rebind(keys, row, "C-7")
	assert index.same(keys) == [(SAME_USCC, "C-7")]
	assert index.same(customer_keys({"customer_name": "某公司", "mobile_no": "13800138000"})) == [
		(SAME_MOBILE, "C-7")
	]
	assert index.same(customer_keys({"customer_name": "丙公司", "mobile_no": "13900139000"})) == [
		(SAME_MOBILE, other)
	]
	assert index.similar(customer_keys({"customer_name": "华为"})) == ["C-7", other]
	# a key first filed by someone else stays theirs first; the rebound row follows
	index.add(customer_keys({"customer_name": "丁公司", "mobile_no": "13900139000"}), row)
	index.rebind(customer_keys({"customer_name": "丁公司", "mobile_no": "13900139000"}), row, "C-8")
	assert index.same(customer_keys({"customer_name": "戊公司", "mobile_no": "13900139000"})) == [
		(SAME_MOBILE, other),
		(SAME_MOBILE, "C-8"),
	]


NAME_CHARS = st.sampled_from(list("华为技术中国石油天然气北京大学上海科信息ab"))
KEYS = st.text(NAME_CHARS, min_size=1, max_size=9)


@given(st.lists(KEYS, min_size=1, max_size=25), KEYS)
def test_similar_name_index_finds_only_pairs_the_rule_accepts(known, query):
	index = SimilarNameIndex()
	for position, key in enumerate(known):
		index.add(key, position)
	found = index.similar(query)
	assert all(match_keys_possibly_same(query, known[position]) for position in found)


@given(st.lists(KEYS, min_size=1, max_size=25), KEYS)
def test_similar_name_index_misses_no_equal_or_contained_name(known, query):
	"""Completeness for equal keys and containment (the abbreviation rule is covered by its scope)."""
	index = SimilarNameIndex()
	for position, key in enumerate(known):
		index.add(key, position)
	found = set(index.similar(query))
	for position, key in enumerate(known):
		if len(key) < 2 or len(query) < 2 or not match_keys_possibly_same(query, key):
			continue
		short, long = sorted((query, key), key=len)
		if short == long or short in long:
			assert position in found, (query, key)
		elif len(short) <= 4 and short[0] == long[0]:
			assert position in found, (query, key)


def test_fill_empty_never_overwrites_and_empty_never_erases():
	current = {"short_name": "", "budget_range": "50万", "contract_amount": 0}
	incoming = {
		"short_name": "华为",
		"budget_range": "100万",
		"contract_amount": Decimal("5000"),
		"remarks": "",
	}
	assert resolve(current, incoming, FILL_EMPTY) == {
		"short_name": "华为",
		"contract_amount": Decimal("5000"),
	}
	assert resolve(current, incoming, OVERWRITE) == {
		"short_name": "华为",
		"budget_range": "100万",
		"contract_amount": Decimal("5000"),
	}
	assert resolve(current, incoming, SKIP) == {}


def test_equal_values_of_different_types_are_no_change():
	assert resolve({"contract_amount": 500000.0}, {"contract_amount": Decimal("500000.00")}, OVERWRITE) == {}
	assert conflicts({"a": "x", "b": 1}, {"a": "y", "b": 1.0}) == {"a": ("x", "y")}


def test_data_source_lines_are_appended_once():
	text = append_source("Manual entry by a", "导入批次 IMP-1 (a.xlsx)")
	assert text == "Manual entry by a\n导入批次 IMP-1 (a.xlsx)"
	assert append_source(text, "导入批次 IMP-1 (a.xlsx)") == text


def test_formula_like_cells_get_an_apostrophe_and_others_stay():
	assert neutralise_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
	assert [neutralise_cell(text) for text in ("+86 138", "-5", "@SUM(A1)", "\tx", "\rx")] == [
		"'+86 138",
		"'-5",
		"'@SUM(A1)",
		"'\tx",
		"'\rx",
	]
	assert neutralise_cell(-5) == -5
	assert neutralise_cell("华为 = 好") == "华为 = 好"
	assert neutralise_cell(None) is None
	assert neutralise_rows([["=1", 2], ["a", "@b"]]) == [["'=1", 2], ["a", "'@b"]]
	assert not is_formula_like(3.5)


@given(st.text())
def test_neutralised_text_never_starts_a_formula(text):
	assert not is_formula_like(neutralise_cell(text))
