"""Row normalisation of the importer: the same domain rules as the forms, applied to what spreadsheets hold."""

import datetime
from decimal import Decimal

import pytest

from cims_app.imports.rows import (
	FieldSpec,
	cell_text,
	customer_row_rules,
	lookup_key,
	normalise_row,
	normalise_value,
	split_customer_contact,
)

SPECS = {
	"customer_name": FieldSpec("customer_name", "Customer Name", "text", required=True, max_length=140),
	"customer_type": FieldSpec(
		"customer_type",
		"Customer Type",
		"select",
		options=("Enterprise", "Individual", "Institution"),
		vocabulary="customer_type",
	),
	"intent_level": FieldSpec(
		"intent_level",
		"Intent Level",
		"select",
		options=("A - High", "B - Medium", "C - Low"),
		vocabulary="intent_level",
	),
	"unified_social_credit_code": FieldSpec("unified_social_credit_code", "USCC", "uscc"),
	"mobile_no": FieldSpec("mobile_no", "Mobile No", "mobile"),
	"phone": FieldSpec("phone", "Phone", "phone"),
	"email_id": FieldSpec("email_id", "Email", "email"),
	"first_contact_date": FieldSpec("first_contact_date", "First Contact Date", "date"),
	"contract_amount": FieldSpec("contract_amount", "Contract Amount", "amount"),
	"industry": FieldSpec("industry", "Industry", "link", link_doctype="CIMS Industry"),
	"core_need": FieldSpec("core_need", "Core Need", "core_need"),
	"contact_name": FieldSpec("contact_name", "Contact Name", "person_name"),
}
LINKS = {"CIMS Industry": {lookup_key("制造业"): "制造业", lookup_key("信息技术"): "信息技术"}}
VALID_USCC = "91350100M000100Y43"


def test_messy_row_is_cleaned_with_the_forms_rules():
	result = normalise_row(
		{
			"customer_name": "　华为  技术（深圳）有限公司 ",
			"customer_type": "企业",
			"intent_level": "A",
			"unified_social_credit_code": " 91350100m000100y43 ",
			"mobile_no": "+86 １３８-0013-8000",
			"phone": "（010）12345678 转 88",
			"email_id": " Li.Si@Example.COM ",
			"first_contact_date": "2024年3月5日",
			"contract_amount": "50.5万",
			"industry": " 制造 业",
			"contact_name": "张 三",
		},
		SPECS,
		LINKS,
	)
	assert result.errors == []
	assert result.values == {
		"customer_name": "华为 技术(深圳)有限公司",
		"customer_type": "Enterprise",
		"intent_level": "A - High",
		"unified_social_credit_code": VALID_USCC,
		"mobile_no": "13800138000",
		"phone": "010-12345678-88",
		"email_id": "li.si@example.com",
		"first_contact_date": datetime.date(2024, 3, 5),
		"contract_amount": Decimal("505000.00"),
		"industry": "制造业",
		"contact_name": "张三",
	}


def test_excel_serial_numbers_and_datetimes_read_as_dates():
	assert normalise_value(SPECS["first_contact_date"], 45000) == datetime.date(2023, 3, 15)
	assert normalise_value(SPECS["first_contact_date"], datetime.datetime(2024, 1, 2, 0, 0)) == datetime.date(
		2024, 1, 2
	)
	assert normalise_value(SPECS["first_contact_date"], "2024/1/2") == datetime.date(2024, 1, 2)


def test_amounts_in_a_wan_column_or_batch_are_multiplied_unless_they_say_their_unit():
	assert normalise_row({"contract_amount": 50}, SPECS, wan_fields={"contract_amount"}).values == {
		"contract_amount": Decimal("500000.00")
	}
	assert normalise_row({"contract_amount": "1,200"}, SPECS, amounts_in_wan=True).values == {
		"contract_amount": Decimal("12000000.00")
	}
	assert normalise_row({"contract_amount": "3000元"}, SPECS, amounts_in_wan=True).values == {
		"contract_amount": Decimal("3000.00")
	}


def test_numbers_typed_into_text_cells_lose_the_excel_float():
	assert cell_text(13800138000.0) == "13800138000"
	assert normalise_value(SPECS["mobile_no"], 13800138000.0) == "13800138000"


@pytest.mark.parametrize(
	("typed", "option"),
	[
		("Enterprise", "Enterprise"),
		("企业客户", "Enterprise"),
		("个人", "Individual"),
		("ｉｎｓｔｉｔｕｔｉｏｎ", "Institution"),
	],
)
def test_options_are_accepted_in_chinese_english_or_synonym(typed, option):
	assert normalise_value(SPECS["customer_type"], typed) == option


def test_option_words_cover_select_fields_outside_the_vocabulary():
	spec = FieldSpec(
		"annual_revenue_band",
		"Band",
		"select",
		options=("<10M", "10M-50M"),
		option_words={lookup_key("1000万以下"): "<10M"},
	)
	assert normalise_value(spec, "1000万以下") == "<10M"
	assert normalise_value(spec, "10m-50m") == "10M-50M"


def test_every_bad_cell_of_a_row_is_reported_with_its_field():
	result = normalise_row(
		{
			"customer_type": "公司吧",
			"unified_social_credit_code": "91350100M000100Y44",
			"mobile_no": "138001",
			"email_id": "nobody@",
			"first_contact_date": "2024-02-30",
			"contract_amount": "about 5k",
			"industry": "不存在的行业",
			"core_need": "需" * 60,
		},
		SPECS,
		LINKS,
	)
	assert sorted(error.fieldname for error in result.errors) == sorted(
		[
			"customer_name",
			"customer_type",
			"unified_social_credit_code",
			"mobile_no",
			"email_id",
			"first_contact_date",
			"contract_amount",
			"industry",
			"core_need",
		]
	)
	assert not result.ok


def test_blank_cells_are_left_out_and_text_over_the_length_limit_fails():
	result = normalise_row({"customer_name": "x" * 141, "mobile_no": "  ", "email_id": None}, SPECS)
	assert [error.fieldname for error in result.errors] == ["customer_name"]
	assert "mobile_no" not in result.values


def test_rating_reads_stars_out_of_five_as_frappes_fraction():
	spec = FieldSpec("satisfaction_score", "Score", "rating")
	assert normalise_value(spec, 4) == 0.8
	assert normalise_value(spec, "5星") == 1.0
	assert normalise_value(spec, "80%") == 0.8


def test_customer_type_defaults_to_enterprise_as_in_the_form():
	values = {"customer_name": "甲"}
	assert customer_row_rules(values) == []
	assert values["customer_type"] == "Enterprise"


def test_customer_row_splits_into_customer_and_primary_contact():
	customer, contact = split_customer_contact(
		{
			"customer_name": "甲公司",
			"contact_name": "张三",
			"mobile_no": "13800138000",
			"email_id": "z@example.com",
			"contact_role": "Decision Maker",
			"contact_wechat": "zs",
		}
	)
	assert customer == {"customer_name": "甲公司", "mobile_no": "13800138000", "email_id": "z@example.com"}
	assert contact["first_name"] == "张三"
	assert contact["cims_contact_role"] == "Decision Maker"
	assert contact["mobile_no"] == "13800138000"


def test_mobile_without_contact_name_stays_on_the_customer_only():
	customer, contact = split_customer_contact({"customer_name": "甲公司", "mobile_no": "13800138000"})
	assert contact == {}
	assert customer["mobile_no"] == "13800138000"
