"""The bilingual option vocabulary: every English option, its Chinese and its synonyms map back to the option."""

from collections import defaultdict

import pytest

from cims_app.domain.vocabulary import (
	FIELD_VOCABULARY,
	FRAMEWORK_TRANSLATED_OPTIONS,
	LEGACY_FIELDS,
	LEGACY_VALUES,
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


# The Select options of SPEC §3/§4, in order; where the framework's Chinese of SPEC's English word read
# wrong, the option has English of its own (SPEC §1.5), the SPEC word staying a synonym (RENAMED below).
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
	"churn_risk": ("No Risk", "Low", "Medium", "High"),
	"contact_role": ("Decision Maker", "Influencer", "End User", "Finance", "Other"),
	"follow_up_type": (
		"Phone Call",
		"Customer Visit",
		"E-mail",
		"Meeting",
		"WeChat",
		"SMS",
		"Service",
		"Complaint",
	),
	"follow_up_status": ("Planned", "Completed", "Called Off"),
	"follow_up_result": ("Success", "Needs Follow-Up", "Failed"),
	"customer_feedback": ("Positive", "Hesitant", "Negative"),
	"opportunity_status": ("In Progress", "Won", "Lost"),
	"campaign_type": ("Online Event", "Offline Event"),
	"campaign_format": ("Live Stream", "Webinar", "Expo", "Salon", "Promotion", "Other"),
	"campaign_status": ("Planned", "Announced", "Ongoing", "Completed", "Called Off"),
	"member_status": ("Invited", "Registered", "Attended", "No-Show"),
	"source_group": ("Offline Channel", "Online Channel", "Referral", "Self-Service", "Other"),
	"approval_status": ("Pending Approval", "Approved", "Rejected"),
	"conflict_policy": ("Fill Empty", "Overwrite", "Keep Existing"),
}
# SPEC's English word → the option that replaced it, per field.
RENAMED = {
	"follow_up_type": {"Call": "Phone Call", "Visit": "Customer Visit", "Email": "E-mail"},
	"follow_up_status": {"Cancelled": "Called Off"},
	"follow_up_result": {"Pending": "Needs Follow-Up"},
	"opportunity_status": {"Open": "In Progress"},
	"campaign_type": {"Online": "Online Event", "Offline": "Offline Event"},
	"campaign_status": {"Published": "Announced", "Cancelled": "Called Off"},
	"source_group": {"Online": "Online Channel", "Offline": "Offline Channel"},
	"approval_status": {"Pending": "Pending Approval"},
	"contact_role": {"User": "End User"},
	"churn_risk": {"None": "No Risk"},
	"conflict_policy": {"Skip": "Keep Existing"},
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
	"Phone Call": "电话",
	"Customer Visit": "拜访",
	"E-mail": "邮件",
	"Meeting": "会议",
	"WeChat": "微信",
	"SMS": "短信",
	"Service": "服务",
	"Complaint": "投诉",
	"Planned": "计划中",
	"Completed": "已完成",
	"Called Off": "已取消",
	"Success": "成功",
	"Needs Follow-Up": "待跟进",
	"Failed": "失败",
	"Positive": "积极",
	"Hesitant": "犹豫",
	"Negative": "消极",
	"Online Event": "线上活动",
	"Offline Event": "线下活动",
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
		("follow_up_type", "线下拜访", "Customer Visit"),
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
	assert translations(include_framework_strings=True)["In Progress"] == "进行中"


def test_framework_translated_options_are_all_real_options():
	assert FRAMEWORK_TRANSLATED_OPTIONS <= {option.value for _, option in ALL_OPTIONS}


def test_zh_option_refuses_an_unknown_option():
	with pytest.raises(KeyError):
		zh_option("customer_type", "Company")


@pytest.mark.parametrize("field", sorted(RENAMED))
def test_renamed_options_are_the_legacy_values(field):
	assert LEGACY_VALUES[field] == RENAMED[field]


def test_every_renamed_field_is_pinned_by_a_test():
	assert set(LEGACY_VALUES) == set(RENAMED)


@pytest.mark.parametrize(
	"field, old, new",
	[(field, old, new) for field, renames in RENAMED.items() for old, new in renames.items()],
)
def test_the_old_english_of_a_renamed_option_still_names_it(field, old, new):
	assert new in OPTIONS[field]
	assert old not in OPTIONS[field]
	assert canonical_option(field, old) == new
	assert canonical_option(field, old.upper()) == new


@pytest.mark.parametrize(
	"field, word, expected",
	[
		("follow_up_type", "通话", "Phone Call"),
		("follow_up_type", "访问", "Customer Visit"),
		("follow_up_type", "电子邮件", "E-mail"),
		("follow_up_status", "取消", "Called Off"),
		("follow_up_result", "有待", "Needs Follow-Up"),
		("opportunity_status", "开", "In Progress"),
		("campaign_type", "离线", "Offline Event"),
		("campaign_status", "发布时间", "Announced"),
		("approval_status", "有待", None),
	],
)
def test_the_framework_words_users_saw_before_are_accepted_on_import(field, word, expected):
	"""Sheets exported before the rename carry the framework's Chinese of the old options."""
	assert canonical_option(field, word) == expected


def test_every_select_field_speaks_a_known_vocabulary():
	assert set(FIELD_VOCABULARY.values()) <= set(VOCABULARY)


def test_legacy_fields_list_every_field_of_a_renamed_vocabulary():
	expected = {
		(doctype, fieldname)
		for (doctype, fieldname), field in FIELD_VOCABULARY.items()
		if field in LEGACY_VALUES
	}
	listed = {(doctype, fieldname) for doctype, fields in LEGACY_FIELDS.items() for fieldname in fields}
	assert listed == expected
	assert LEGACY_FIELDS["CIMS Follow-Up Plan Step"]["follow_up_type"]["Call"] == "Phone Call"
	assert LEGACY_FIELDS["Contact"]["cims_contact_role"] == {"User": "End User"}
