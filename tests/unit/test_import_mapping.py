"""Column mapping of the Excel import: headers match fields by label, fieldname or synonym, and no column
is ever dropped without being reported."""

import pytest

from cims_app.domain.import_mapping import (
	SYNONYMS,
	Target,
	build_lookup,
	column_label,
	header_declares_wan,
	header_key,
	map_headers,
)

CUSTOMER_TARGETS = [
	Target("customer_name", ("Customer Name", "客户名称")),
	Target("customer_type", ("Customer Type", "客户类型")),
	Target("unified_social_credit_code", ("Unified Social Credit Code", "统一社会信用代码")),
	Target("contact_name", ("Contact Name", "联系人姓名")),
	Target("mobile_no", ("Mobile No", "手机号码")),
	Target("email_id", ("Email", "电子邮件")),
	Target("phone", ("Phone", "电话")),
	Target("contract_amount", ("Contract Amount", "合同金额")),
	Target("remarks", ("Remarks", "备注")),
]
CUSTOMER_SYNONYMS = SYNONYMS["CIMS Customer"]


@pytest.mark.parametrize(
	("header", "key"),
	[
		("客户名称 *", "客户名称"),
		("* 客户名称", "客户名称"),
		("Customer Name", "customername"),
		("customer_name", "customername"),
		("  Customer   Name  ", "customername"),
		("合同金额（万元）", "合同金额"),
		("合同金额(元)", "合同金额"),
		("ＣＵＳＴＯＭＥＲ　ＮＡＭＥ", "customername"),
		("E-mail:", "email"),
	],
)
def test_header_key_ignores_required_mark_units_width_case_and_punctuation(header, key):
	assert header_key(header) == key


@pytest.mark.parametrize(
	("header", "in_wan"),
	[
		("合同金额(万元)", True),
		("合同金额（万元）", True),
		("合同金额万元", True),
		("金额(万)", True),
		("合同金额", False),
		("合同金额(元)", False),
	],
)
def test_header_declares_wan_only_for_ten_thousand_yuan_units(header, in_wan):
	assert header_declares_wan(header) is in_wan


def test_chinese_and_english_labels_fieldnames_and_synonyms_all_map():
	headers = ["公司名称", "Customer Type", "unified_social_credit_code", "联系人", "手机号", "邮箱", "座机"]
	mapping = map_headers(headers, CUSTOMER_TARGETS, CUSTOMER_SYNONYMS)
	assert mapping.fields == {
		0: "customer_name",
		1: "customer_type",
		2: "unified_social_credit_code",
		3: "contact_name",
		4: "mobile_no",
		5: "email_id",
		6: "phone",
	}
	assert mapping.unmapped == []


@pytest.mark.parametrize("header", ["客户名称", "客户全称", "公司名称", "Company Name"])
def test_every_name_synonym_maps_to_customer_name(header):
	assert map_headers([header], CUSTOMER_TARGETS, CUSTOMER_SYNONYMS).fields == {0: "customer_name"}


@pytest.mark.parametrize("header", ["手机", "手机号", "联系电话", "手机号码", "Mobile"])
def test_every_mobile_synonym_maps_to_mobile_no(header):
	assert map_headers([header], CUSTOMER_TARGETS, CUSTOMER_SYNONYMS).fields == {0: "mobile_no"}


def test_unknown_columns_are_reported_not_dropped():
	mapping = map_headers(["客户名称", "内部编号", "", None, "随便写的"], CUSTOMER_TARGETS, CUSTOMER_SYNONYMS)
	assert mapping.fields == {0: "customer_name"}
	assert mapping.unmapped == [(1, "内部编号"), (4, "随便写的")]


def test_a_second_column_for_the_same_field_is_reported_as_duplicate():
	mapping = map_headers(["客户名称", "公司名称"], CUSTOMER_TARGETS, CUSTOMER_SYNONYMS)
	assert mapping.fields == {0: "customer_name"}
	assert mapping.duplicates == [(1, "公司名称", "customer_name")]


def test_user_overrides_map_ignore_and_report_unknown_fields():
	headers = ["单位", "备注", "内部编号", "手机"]
	overrides = {"单位": "customer_name", "备注": None, "内部编号": "no_such_field"}
	mapping = map_headers(headers, CUSTOMER_TARGETS, CUSTOMER_SYNONYMS, overrides)
	assert mapping.fields == {0: "customer_name", 3: "mobile_no"}
	assert mapping.ignored == [(1, "备注")]
	assert mapping.unknown_overrides == [("内部编号", "no_such_field")]
	assert (2, "内部编号") in mapping.unmapped


def test_labels_win_over_another_fields_synonym():
	"""电话 is the Phone field's own label here, though people also use it for mobiles."""
	lookup = build_lookup(CUSTOMER_TARGETS, {"mobile_no": ("电话",)})
	assert lookup[header_key("电话")] == "phone"


def test_repeated_headers_get_numbered_labels_and_round_trip_as_overrides():
	headers = ["客户名称", "备注", "备注"]
	assert [column_label(headers, index) for index in range(3)] == ["客户名称", "备注", "备注 (2)"]
	mapping = map_headers(headers, CUSTOMER_TARGETS, CUSTOMER_SYNONYMS)
	overrides = mapping.as_overrides(headers)
	assert overrides == {"客户名称": "customer_name", "备注": "remarks", "备注 (2)": None}
	again = map_headers(headers, CUSTOMER_TARGETS, CUSTOMER_SYNONYMS, overrides)
	assert again.fields == mapping.fields
	assert again.ignored == [(2, "备注")]


def test_wan_header_marks_its_column():
	mapping = map_headers(["客户名称", "合同金额(万元)"], CUSTOMER_TARGETS, CUSTOMER_SYNONYMS)
	assert mapping.fields[1] == "contract_amount"
	assert mapping.wan_columns == {1}


@pytest.mark.parametrize("doctype", sorted(SYNONYMS))
def test_no_synonym_names_two_fields_of_one_import(doctype):
	owners: dict[str, str] = {}
	clashes = []
	for fieldname, words in SYNONYMS[doctype].items():
		for word in words:
			key = header_key(word)
			if key in owners and owners[key] != fieldname:
				clashes.append((word, owners[key], fieldname))
			owners.setdefault(key, fieldname)
	assert clashes == []
