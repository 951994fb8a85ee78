"""The bilingual option vocabulary: every English option, its Chinese and its synonyms map back to the option."""

from collections import defaultdict

import pytest

from cims_app.domain.vocabulary import (
	FRAMEWORK_TRANSLATED_OPTIONS,
	LIFECYCLE_SHORT_ZH,
	NEED_TYPE_ZH,
	OPTIONS,
	VALUE_TIER_SHORT_ZH,
	VOCABULARY,
	canonical_option,
	translations,
	zh_option,
)

ALL_OPTIONS = [(field, option) for field, options in VOCABULARY.items() for option in options]
ALL_WORDS = [
	(field, word, option.value)
	for field, option in ALL_OPTIONS
	for word in (option.value, option.zh, *option.synonyms)
]


def full_width(text: str) -> str:
	return "".join(
		chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else "\u3000" if char == " " else char for char in text
	)


# The Select options SPEC §3/§4 fixes, in order.
SPEC_OPTIONS = {
	"customer_type": ("Enterprise", "Individual", "Institution"),
	"lifecycle_stage": (
		"Potential Customer",
		"Intent Customer",
		"Active Customer",
		"Paused Customer",
		"Churned Customer",
	),
	"value_tier": ("High Value Customer", "High Potential Customer", "Regular Customer"),
	"customer_category": ("Distributor", "End Customer", "Partner"),
	"need_type": ("Product Purchase", "Technical Service", "Custom Solution", "Strategic Partnership"),
	"need_urgency": ("High", "Medium", "Low"),
	"intent_level": ("A - High", "B - Medium", "C - Low"),
	"customer_size": ("<50", "50-200", "200-500", ">500"),
	"churn_risk": ("None", "Low", "Medium", "High"),
	"contact_role": ("Decision Maker", "Influencer", "User", "Finance", "Other"),
	"follow_up_type": ("Call", "Visit", "Email", "Meeting", "WeChat", "SMS", "Service", "Complaint"),
	"follow_up_status": ("Planned", "Completed", "Cancelled"),
	"follow_up_result": ("Success", "Pending", "Failed"),
	"customer_feedback": ("Positive", "Hesitant", "Negative"),
	"opportunity_status": ("Open", "Won", "Lost"),
	"campaign_type": ("Online", "Offline"),
	"campaign_format": ("Live Stream", "Webinar", "Expo", "Salon", "Promotion", "Other"),
	"campaign_status": ("Planned", "Published", "Ongoing", "Completed", "Cancelled"),
	"member_status": ("Invited", "Registered", "Attended", "No-Show"),
}

# The Chinese SPEC §4's table gives each option.
SPEC_ZH = {
	"Enterprise": "企业客户",
	"Individual": "个人客户",
	"Institution": "机构客户",
	"Potential Customer": "潜在客户",
	"Intent Customer": "意向客户",
	"Active Customer": "合作中客户",
	"Paused Customer": "暂停合作客户",
	"Churned Customer": "流失客户",
	"High Value Customer": "高价值客户",
	"High Potential Customer": "潜力客户",
	"Regular Customer": "普通客户",
	"Distributor": "经销商",
	"End Customer": "终端客户",
	"Partner": "合作伙伴",
	"Product Purchase": "产品采购型",
	"Technical Service": "技术服务型",
	"Custom Solution": "解决方案定制型",
	"Strategic Partnership": "长期战略合作型",
	"Call": "电话",
	"Visit": "拜访",
	"Email": "邮件",
	"Meeting": "会议",
	"WeChat": "微信",
	"SMS": "短信",
	"Service": "服务",
	"Complaint": "投诉",
	"Planned": "计划中",
	"Completed": "已完成",
	"Cancelled": "已取消",
	"Success": "成功",
	"Pending": "待跟进",
	"Failed": "失败",
	"Positive": "积极",
	"Hesitant": "犹豫",
	"Negative": "消极",
	"Online": "线上活动",
	"Offline": "线下活动",
	"A - High": "A-高",
	"B - Medium": "B-中",
	"C - Low": "C-低",
}


@pytest.mark.parametrize("field", sorted(SPEC_OPTIONS))
def test_options_are_the_spec_options_in_order(field):
	assert OPTIONS[field] == SPEC_OPTIONS[field]


def test_every_field_of_the_vocabulary_is_pinned_by_a_test():
	assert set(OPTIONS) == set(SPEC_OPTIONS)


@pytest.mark.parametrize("english, chinese", sorted(SPEC_ZH.items()))
def test_chinese_translation_is_the_one_in_the_spec(english, chinese):
	fields = [field for field, option in ALL_OPTIONS if option.value == english]
	assert fields
	assert all(zh_option(field, english) == chinese for field in fields)


@pytest.mark.parametrize("field, word, expected", ALL_WORDS)
def test_every_option_translation_and_synonym_maps_to_the_option(field, word, expected):
	# Also proves no word names two options of one field: one of the two would map to the other.
	assert canonical_option(field, word) == expected


@pytest.mark.parametrize("field, word, expected", ALL_WORDS)
def test_options_are_recognised_in_any_case_width_and_spacing(field, word, expected):
	assert canonical_option(field, f"  {word.upper()} ") == expected
	assert canonical_option(field, word.lower()) == expected
	assert canonical_option(field, full_width(word)) == expected


@pytest.mark.parametrize(
	"written, expected",
	[
		("A-高", "A - High"),
		("A - High", "A - High"),
		("a-high", "A - High"),
		("A", "A - High"),
		("Ａ－高", "A - High"),
		("A — 高", "A - High"),
		("B - 中", "B - Medium"),
		("c", "C - Low"),
		("C级", "C - Low"),
	],
)
def test_intent_level_tolerates_letter_and_chinese_forms(written, expected):
	assert canonical_option("intent_level", written) == expected


@pytest.mark.parametrize(
	"field, written, expected",
	[
		("customer_size", "50～200人", "50-200"),
		("customer_size", "200 - 500", "200-500"),
		("customer_size", "500人以上", ">500"),
		("lifecycle_stage", "签约客户", "Active Customer"),
		("lifecycle_stage", "线索", "Potential Customer"),
		("follow_up_type", "线下拜访", "Visit"),
		("member_status", "No Show", "No-Show"),
		("opportunity_status", "赢单", "Won"),
	],
)
def test_seed_words_and_variants_are_recognised(field, written, expected):
	assert canonical_option(field, written) == expected


@pytest.mark.parametrize("unknown", ["", None, "   ", "不知道", "Potential Customers"])
def test_unknown_or_blank_value_gives_none(unknown):
	assert canonical_option("lifecycle_stage", unknown) is None


def test_value_of_another_field_is_not_accepted():
	assert canonical_option("customer_type", "Potential Customer") is None


def test_unknown_field_is_a_programming_error():
	with pytest.raises(KeyError):
		canonical_option("no_such_field", "x")


def test_same_english_option_has_one_chinese_across_fields():
	chinese = defaultdict(set)
	for _, option in ALL_OPTIONS:
		chinese[option.value].add(option.zh)
	assert {value: words for value, words in chinese.items() if len(words) > 1} == {}


def test_short_chinese_forms_cover_exactly_the_options():
	assert tuple(LIFECYCLE_SHORT_ZH) == OPTIONS["lifecycle_stage"]
	assert tuple(VALUE_TIER_SHORT_ZH) == OPTIONS["value_tier"]
	assert tuple(NEED_TYPE_ZH) == OPTIONS["need_type"]
	assert LIFECYCLE_SHORT_ZH["Active Customer"] == "合作中"
	assert VALUE_TIER_SHORT_ZH["High Potential Customer"] == "高潜力"
	assert NEED_TYPE_ZH["Custom Solution"] == "解决方案定制型"


def test_short_chinese_forms_are_accepted_as_input():
	for english, short in {**LIFECYCLE_SHORT_ZH, **VALUE_TIER_SHORT_ZH}.items():
		field = "lifecycle_stage" if english in LIFECYCLE_SHORT_ZH else "value_tier"
		assert canonical_option(field, short) == english


def test_translations_leave_out_strings_the_framework_already_translates():
	ours = translations()
	assert not set(ours) & FRAMEWORK_TRANSLATED_OPTIONS
	assert ours["Active Customer"] == "合作中客户"
	assert translations(include_framework_strings=True)["Open"] == "进行中"


def test_framework_translated_options_are_all_real_options():
	assert FRAMEWORK_TRANSLATED_OPTIONS <= {option.value for _, option in ALL_OPTIONS}


def test_zh_option_refuses_an_unknown_option():
	with pytest.raises(KeyError):
		zh_option("customer_type", "Company")
