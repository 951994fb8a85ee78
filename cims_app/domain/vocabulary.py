"""The bilingual option vocabulary (SPEC §4): English option values, their Chinese, and accepted synonyms."""

import re
from dataclasses import dataclass

from cims_app.domain.text import clean_text, without_whitespace


@dataclass(frozen=True)
class Option:
	"""One Select option: the stored English `value`, its `zh` translation and other accepted words."""

	value: str
	zh: str
	synonyms: tuple[str, ...] = ()


def _options(*rows: tuple) -> tuple[Option, ...]:
	return tuple(Option(value, zh, tuple(synonyms)) for value, zh, *synonyms in rows)


VOCABULARY: dict[str, tuple[Option, ...]] = {
	"customer_type": _options(
		("Enterprise", "企业客户", "企业", "公司"),
		("Individual", "个人客户", "个人"),
		("Institution", "机构客户", "机构", "事业单位"),
	),
	"lifecycle_stage": _options(
		("Potential Customer", "潜在客户", "线索", "潜在", "Potential"),
		("Intent Customer", "意向客户", "洽谈中", "意向", "Intent"),
		("Active Customer", "合作中客户", "合作中", "签约客户", "成交客户", "Active"),
		("Paused Customer", "暂停合作客户", "暂停合作", "暂停", "Paused"),
		("Churned Customer", "流失客户", "流失", "Churned"),
	),
	"value_tier": _options(
		("High Value Customer", "高价值客户", "高价值", "High Value"),
		("High Potential Customer", "潜力客户", "高潜力客户", "高潜力", "潜力", "High Potential"),
		("Regular Customer", "普通客户", "普通", "Regular"),
	),
	"customer_category": _options(
		("Distributor", "经销商", "代理商", "分销商"),
		("End Customer", "终端客户", "终端", "最终用户"),
		("Partner", "合作伙伴", "伙伴"),
	),
	"need_type": _options(
		("Product Purchase", "产品采购型", "产品采购"),
		("Technical Service", "技术服务型", "技术服务"),
		("Custom Solution", "解决方案定制型", "解决方案定制", "定制方案", "定制"),
		("Strategic Partnership", "长期战略合作型", "长期战略合作", "战略合作"),
	),
	"need_urgency": _options(
		("High", "高", "紧急"),
		("Medium", "中", "一般"),
		("Low", "低", "不紧急"),
	),
	"intent_level": _options(
		("A - High", "A-高", "A", "A级", "High", "高", "高意向"),
		("B - Medium", "B-中", "B", "B级", "Medium", "中", "中意向"),
		("C - Low", "C-低", "C", "C级", "Low", "低", "低意向"),
	),
	"customer_size": _options(
		("<50", "50人以下", "<50人", "少于50人", "0-50", "1-49"),
		("50-200", "50-200人"),
		("200-500", "200-500人"),
		(">500", "500人以上", ">500人", "超过500人"),
	),
	"churn_risk": _options(
		("No Risk", "无风险", "无", "None"),
		("Low", "低"),
		("Medium", "中"),
		("High", "高"),
	),
	"contact_role": _options(
		("Decision Maker", "决策者", "决策人"),
		("Influencer", "影响者", "影响人"),
		("End User", "使用者", "用户", "User"),
		("Finance", "财务"),
		("Other", "其他", "其它"),
	),
	"follow_up_type": _options(
		("Phone Call", "电话", "通话", "电话沟通", "打电话", "Phone", "Call"),
		("Customer Visit", "拜访", "线下拜访", "上门拜访", "访问", "Visit"),
		("E-mail", "邮件", "电子邮件", "Email"),
		("Meeting", "会议", "开会"),
		("WeChat", "微信", "Weixin"),
		("SMS", "短信"),
		("Service", "服务", "售后服务"),
		("Complaint", "投诉"),
	),
	"follow_up_status": _options(
		("Planned", "计划中", "计划"),
		("Completed", "已完成", "完成"),
		("Called Off", "已取消", "取消", "Cancelled", "Canceled"),
	),
	"follow_up_result": _options(
		("Success", "成功"),
		("Needs Follow-Up", "待跟进", "待定", "有待", "Pending"),
		("Failed", "失败"),
	),
	"customer_feedback": _options(
		("Positive", "积极", "正面"),
		("Hesitant", "犹豫", "观望"),
		("Negative", "消极", "负面"),
	),
	"opportunity_status": _options(
		("In Progress", "进行中", "跟进中", "开", "Open"),
		("Won", "赢单", "成交"),
		("Lost", "输单", "丢单"),
	),
	"campaign_type": _options(
		("Online Event", "线上活动", "线上", "Online"),
		("Offline Event", "线下活动", "线下", "离线", "Offline"),
	),
	"campaign_format": _options(
		("Live Stream", "直播", "Livestream"),
		("Webinar", "网络研讨会", "线上研讨会"),
		("Expo", "展会", "展览会", "Exhibition"),
		("Salon", "沙龙"),
		("Promotion", "促销", "促销活动"),
		("Other", "其他", "其它"),
	),
	"campaign_status": _options(
		("Planned", "计划中", "计划"),
		("Announced", "已发布", "发布", "发布时间", "Published"),
		("Ongoing", "进行中"),
		("Completed", "已完成", "完成"),
		("Called Off", "已取消", "取消", "Cancelled", "Canceled"),
	),
	"member_status": _options(
		("Invited", "已邀请", "邀请"),
		("Registered", "已报名", "报名"),
		("Attended", "已签到", "签到", "已参加", "出席"),
		("No-Show", "未到场", "缺席", "No Show"),
	),
	"source_group": _options(
		("Offline Channel", "线下渠道", "线下", "Offline"),
		("Online Channel", "线上渠道", "线上", "Online"),
		("Referral", "转介绍", "推荐"),
		("Self-Service", "自助", "自助注册"),
		("Other", "其他", "其它"),
	),
	"approval_status": _options(
		("Pending Approval", "待批准", "待审批", "Pending"),
		("Approved", "已批准", "批准"),
		("Rejected", "拒绝", "已驳回", "驳回"),
	),
	"conflict_policy": _options(
		("Fill Empty", "仅填充空值", "填充空值"),
		("Overwrite", "覆写", "覆盖"),
		("Keep Existing", "保留已有数据", "跳过", "Skip"),
	),
}

# Option values renamed because the framework's Chinese of the old English word read wrong in the app's
# context (SPEC §1.5: Call → 通话, Open → 开, Pending → 有待...): vocabulary field → {old value: new value}.
# The old words stay synonyms of the new options, so imports, API calls and saved filters keep working;
# cims_app.patches.v0_1.rename_option_values moves stored values.
LEGACY_VALUES: dict[str, dict[str, str]] = {
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

# Which vocabulary each Select field of the app speaks: (DocType, fieldname) → vocabulary field.
FIELD_VOCABULARY: dict[tuple[str, str], str] = {
	("CIMS Customer", "customer_type"): "customer_type",
	("CIMS Customer", "lifecycle_stage"): "lifecycle_stage",
	("CIMS Customer", "value_tier"): "value_tier",
	("CIMS Customer", "value_tier_override"): "value_tier",
	("CIMS Customer", "intent_level"): "intent_level",
	("CIMS Customer", "customer_size"): "customer_size",
	("CIMS Customer", "customer_category"): "customer_category",
	("CIMS Customer", "need_type"): "need_type",
	("CIMS Customer", "need_urgency"): "need_urgency",
	("CIMS Customer", "churn_risk"): "churn_risk",
	("Contact", "cims_contact_role"): "contact_role",
	("CIMS Assignment Rule", "customer_type"): "customer_type",
	("CIMS Customer Source", "source_group"): "source_group",
	("CIMS Follow-Up", "follow_up_type"): "follow_up_type",
	("CIMS Follow-Up", "status"): "follow_up_status",
	("CIMS Follow-Up", "result"): "follow_up_result",
	("CIMS Follow-Up", "customer_feedback"): "customer_feedback",
	("CIMS Follow-Up", "stage_after"): "lifecycle_stage",
	("CIMS Follow-Up Plan", "lifecycle_stage"): "lifecycle_stage",
	("CIMS Follow-Up Plan Step", "follow_up_type"): "follow_up_type",
	("CIMS Follow-Up Template", "follow_up_type"): "follow_up_type",
	("CIMS Opportunity", "status"): "opportunity_status",
	("CIMS Campaign", "campaign_type"): "campaign_type",
	("CIMS Campaign", "format"): "campaign_format",
	("CIMS Campaign", "status"): "campaign_status",
	("CIMS Campaign", "target_intent_level"): "intent_level",
	("CIMS Campaign", "target_lifecycle_stage"): "lifecycle_stage",
	("CIMS Campaign Member", "status"): "member_status",
	("CIMS Approval Request", "status"): "approval_status",
	("CIMS Import Batch", "conflict_policy"): "conflict_policy",
}


def _legacy_fields() -> dict[str, dict[str, dict[str, str]]]:
	fields: dict[str, dict[str, dict[str, str]]] = {}
	for (doctype, fieldname), field in FIELD_VOCABULARY.items():
		if field in LEGACY_VALUES:
			fields.setdefault(doctype, {})[fieldname] = LEGACY_VALUES[field]
	return fields


# DocType → fieldname → {old value: new value}, for the fields whose options were renamed.
LEGACY_FIELDS: dict[str, dict[str, dict[str, str]]] = _legacy_fields()

# The ordered English options of each field, as a Select field's options.
OPTIONS: dict[str, tuple[str, ...]] = {
	field: tuple(option.value for option in options) for field, options in VOCABULARY.items()
}

LIFECYCLE_SHORT_ZH: dict[str, str] = {
	"Potential Customer": "潜在",
	"Intent Customer": "意向",
	"Active Customer": "合作中",
	"Paused Customer": "暂停合作",
	"Churned Customer": "流失",
}
VALUE_TIER_SHORT_ZH: dict[str, str] = {
	"High Value Customer": "高价值",
	"High Potential Customer": "高潜力",
	"Regular Customer": "普通",
}
NEED_TYPE_ZH: dict[str, str] = {option.value: option.zh for option in VOCABULARY["need_type"]}

_DASHES = re.compile(r"\s*[-‐‑‒–—−~〜～至]\s*")


def _lookup_key(value: object) -> str:
	"""Half-width, any dash or ~ as -, no whitespace, case folded: "A - High" = "a-high", "50～200" = "50-200"."""
	return without_whitespace(_DASHES.sub("-", clean_text(value))).casefold()


_LOOKUP: dict[str, dict[str, str]] = {
	field: {
		_lookup_key(word): option.value
		for option in reversed(options)
		for word in (*option.synonyms, option.zh, option.value)
	}
	for field, options in VOCABULARY.items()
}


def canonical_option(field: str, value: object) -> str | None:
	"""The English option of `field` that `value` names, or None when blank or unknown.

	`value` may be the English option in any case, its Chinese, or a synonym, full-width or
	with extra spaces; intent levels also as A-高, A - High or A. KeyError for an unknown field.
	"""
	words = _LOOKUP[field]
	return words.get(_lookup_key(value)) if value is not None else None


def zh_option(field: str, value: str) -> str:
	"""The Chinese of an English option of `field` (KeyError when it is not one)."""
	for option in VOCABULARY[field]:
		if option.value == value:
			return option.zh
	raise KeyError(f"{value!r} is not an option of {field}")


# Options whose English Frappe v15 already translates (frappe/locale/zh.po, frappe/translations/zh.csv).
# Translations are global on a site, so the app ships no Chinese of its own for them: the framework's
# word is shown, and it is the word of this vocabulary. Where the framework's word read wrong in the app's
# context, the option got an English value of its own instead (LEGACY_VALUES);
# tests/integration/test_option_vocabulary.py compares every option as the Desk renders it.
FRAMEWORK_TRANSLATED_OPTIONS: frozenset[str] = frozenset(
	{
		"Approved",
		"Completed",
		"Failed",
		"High",
		"In Progress",
		"Low",
		"Medium",
		"Meeting",
		"Other",
		"Overwrite",
		"Pending Approval",
		"Rejected",
		"SMS",
		"Service",
		"Success",
	}
)


def translations(include_framework_strings: bool = False) -> dict[str, str]:
	"""English option → Chinese for the app's zh translation file.

	Leaves out FRAMEWORK_TRANSLATED_OPTIONS unless asked, so the app never overrides Frappe's Chinese.
	"""
	return {
		option.value: option.zh
		for options in VOCABULARY.values()
		for option in options
		if include_framework_strings or option.value not in FRAMEWORK_TRANSLATED_OPTIONS
	}
