"""Every option of the app, in Chinese, as the Desk shows it, against the words users expect (SPEC §4).

Translations are global on a site: the Desk's list views, report view, filters, timeline and indicators
render a Select value with `__(value)`, looked up in the messages the boot sends (`get_all_translations`:
the framework's csv and po files, then every app's csv, then the site's Translation records). So the
Chinese of an option is whatever that dictionary holds for its English, ours or the framework's. This
test reads every Select field of every CIMS DocType (and the app's custom fields) from the meta on the
site, every state and action of the app's workflows, renders each in zh exactly so, and compares the
whole table with SPEC §4 and, for options SPEC does not name, with the words below.
"""

import frappe
import pytest
from frappe.translate import get_all_translations

from cims_app.domain.vocabulary import FIELD_VOCABULARY, LEGACY_VALUES

pytestmark = pytest.mark.integration

# SPEC §4, as written there: vocabulary field → {SPEC's English word: the Chinese users expect}.
SPEC_TABLE = {
	"customer_type": {"Enterprise": "企业客户", "Individual": "个人客户", "Institution": "机构客户"},
	"lifecycle_stage": {
		"Potential Customer": "潜在客户",
		"Intent Customer": "意向客户",
		"Active Customer": "合作中客户",
		"Paused Customer": "暂停合作客户",
		"Churned Customer": "流失客户",
	},
	"value_tier": {
		"High Value Customer": "高价值客户",
		"High Potential Customer": "潜力客户",
		"Regular Customer": "普通客户",
	},
	"customer_category": {"Distributor": "经销商", "End Customer": "终端客户", "Partner": "合作伙伴"},
	"need_type": {
		"Product Purchase": "产品采购型",
		"Technical Service": "技术服务型",
		"Custom Solution": "解决方案定制型",
		"Strategic Partnership": "长期战略合作型",
	},
	"follow_up_type": {
		"Call": "电话",
		"Visit": "拜访",
		"Email": "邮件",
		"Meeting": "会议",
		"WeChat": "微信",
		"SMS": "短信",
		"Service": "服务",
		"Complaint": "投诉",
	},
	"follow_up_status": {"Planned": "计划中", "Completed": "已完成", "Cancelled": "已取消"},
	"follow_up_result": {"Success": "成功", "Pending": "待跟进", "Failed": "失败"},
	"customer_feedback": {"Positive": "积极", "Hesitant": "犹豫", "Negative": "消极"},
	"campaign_type": {"Online": "线上活动", "Offline": "线下活动"},
	"intent_level": {"A - High": "A-高", "B - Medium": "B-中", "C - Low": "C-低"},
}

# Options SPEC §4 does not give Chinese for: the words accepted in their field's context.
ACCEPTED = {
	"customer_size": {"<50": "<50", "50-200": "50-200", "200-500": "200-500", ">500": ">500"},
	"need_urgency": {"High": "高", "Medium": "中", "Low": "低"},
	"churn_risk": {"No Risk": "无风险", "Low": "低", "Medium": "中", "High": "高"},
	"contact_role": {
		"Decision Maker": "决策者",
		"Influencer": "影响者",
		"End User": "使用者",
		"Finance": "财务",
		"Other": "其他",
	},
	"opportunity_status": {"In Progress": "进行中", "Won": "赢单", "Lost": "输单"},
	"campaign_format": {
		"Live Stream": "直播",
		"Webinar": "网络研讨会",
		"Expo": "展会",
		"Salon": "沙龙",
		"Promotion": "促销",
		"Other": "其他",
	},
	"campaign_status": {
		"Planned": "计划中",
		"Announced": "已发布",
		"Ongoing": "进行中",
		"Completed": "已完成",
		"Called Off": "已取消",
	},
	"member_status": {"Invited": "已邀请", "Registered": "已报名", "Attended": "已签到", "No-Show": "未到场"},
	"source_group": {
		"Offline Channel": "线下渠道",
		"Online Channel": "线上渠道",
		"Referral": "转介绍",
		"Self-Service": "自助",
		"Other": "其他",
	},
	"approval_status": {"Pending Approval": "待批准", "Approved": "已批准", "Rejected": "拒绝"},
	"conflict_policy": {"Fill Empty": "仅填充空值", "Overwrite": "覆写", "Keep Existing": "保留已有数据"},
}
# Select fields outside the shared vocabulary: (DocType, fieldname) → {option: Chinese}.
OTHER_FIELDS = {
	("CIMS Approval Request", "request_type"): {"Delete": "删除", "Value Tier Change": "价值分层变更"},
	("CIMS Assignment Rule", "assign_to"): {"User": "用户", "Round Robin in Team": "团队内轮流分配"},
	("CIMS Sales Target", "target_for"): {"User": "用户", "Sales Team": "销售团队"},
	("CIMS Customer", "annual_revenue_band"): {
		"<10M": "1000万以下",
		"10M-50M": "1000万-5000万",
		"50M-100M": "5000万-1亿",
		"100M-500M": "1亿-5亿",
		">500M": "5亿以上",
	},
	("CIMS Import Batch", "import_doctype"): {
		"CIMS Customer": "客户",
		"Contact": "联系人",
		"CIMS Follow-Up": "跟进记录",
		"CIMS Opportunity": "销售机会",
	},
	("CIMS Import Batch", "import_type"): {"Insert": "插入", "Update": "更新", "Merge": "合并"},
	("CIMS Import Batch", "status"): {
		"Draft": "草案",
		"Previewed": "已预览",
		"Queued": "排队",
		"Running": "运行中",
		"Interrupted": "已中断",
		"Completed": "已完成",
		"Partially Completed": "部分完成",
		"Failed": "失败",
	},
	("CIMS Campaign", "invitation_status"): {"Sending": "发送中", "Sent": "已发送", "Interrupted": "已中断"},
	("CIMS Import Row", "status"): {
		"Inserted": "新增",
		"Updated": "已更新",
		"Merged": "合并",
		"Skipped": "跳过",
		"Failed": "失败",
	},
}
# The app's workflows: every state and action, as the form's indicator and Actions menu show them.
WORKFLOW_WORDS = {
	"CIMS Customer Lifecycle": {
		"Potential Customer": "潜在客户",
		"Intent Customer": "意向客户",
		"Active Customer": "合作中客户",
		"Paused Customer": "暂停合作客户",
		"Churned Customer": "流失客户",
		"Confirm Intent": "确认意向",
		"Sign Customer": "签约",
		"Pause Cooperation": "暂停合作",
		"Resume Cooperation": "恢复合作",
		"Mark as Churned": "标记为流失",
		"Win Back": "挽回",
		"Back to Potential": "退回潜在客户",
		"Mark as Lost Lead": "标记为无效线索",
	},
	"CIMS Approval Request": {
		"Pending Approval": "待批准",
		"Approved": "已批准",
		"Rejected": "拒绝",
		"Approve": "批准",
		"Reject": "驳回",
	},
}
# Framework words that read wrong in the app's context and must never be what an option shows.
WRONG_IN_CONTEXT = {
	"开",
	"取消",
	"通话",
	"电子邮件",
	"线上",
	"离线",
	"访问",
	"有待",
	"发布时间",
	"跳跃",
	"没有",
}


def expected_words(field: str) -> dict[str, str]:
	"""Option → Chinese for a vocabulary field: SPEC §4's words under the option's current English."""
	renamed = LEGACY_VALUES.get(field, {})
	words = {renamed.get(english, english): zh for english, zh in SPEC_TABLE.get(field, {}).items()}
	return {**ACCEPTED.get(field, {}), **words}


@pytest.fixture(scope="module")
def desk_zh():
	"""What the browser's __() looks up for a zh user: the boot's messages of the site."""
	frappe.translate.clear_cache()
	messages = get_all_translations("zh")
	assert len(messages) > 1000, "the site's zh translations did not load"
	return messages


def select_fields() -> list[tuple[str, str, list[str]]]:
	"""(DocType, fieldname, options) of every Select field of the app, read from the meta on the site."""
	doctypes = frappe.get_all("DocType", filters={"module": "CIMS App"}, pluck="name")
	custom = frappe.get_all("Custom Field", filters={"module": "CIMS App", "fieldtype": "Select"}, pluck="dt")
	fields = []
	for doctype in sorted({*doctypes, *custom}):
		for df in frappe.get_meta(doctype).fields:
			if df.fieldtype != "Select" or df.fieldname == "naming_series":
				continue
			if doctype not in doctypes and not df.fieldname.startswith("cims_"):
				continue
			fields.append((doctype, df.fieldname, [o for o in (df.options or "").split("\n") if o.strip()]))
	return fields


def expected_for(doctype: str, fieldname: str) -> dict[str, str]:
	if (doctype, fieldname) in OTHER_FIELDS:
		return OTHER_FIELDS[(doctype, fieldname)]
	return expected_words(FIELD_VOCABULARY[(doctype, fieldname)])


def test_every_select_field_of_the_app_has_its_words_listed_here():
	unlisted = [
		(doctype, fieldname)
		for doctype, fieldname, _options in select_fields()
		if (doctype, fieldname) not in FIELD_VOCABULARY and (doctype, fieldname) not in OTHER_FIELDS
	]
	assert not unlisted, f"Select fields with no expected Chinese in this test: {unlisted}"


def test_every_option_reads_in_chinese_as_spec_and_context_expect(desk_zh):
	rendered, expected = {}, {}
	for doctype, fieldname, options in select_fields():
		words = expected_for(doctype, fieldname)
		for option in options:
			key = (doctype, fieldname, option)
			# List, report view, filters and indicators: __(value); the form's Select: __(value, null, doctype).
			rendered[key] = (
				desk_zh.get(option, option),
				desk_zh.get(f"{option}:{doctype}") or desk_zh.get(option, option),
			)
			expected[key] = (words.get(option), words.get(option))
	wrong = {key: (shown, expected[key][0]) for key, shown in rendered.items() if shown != expected[key]}
	assert not wrong, (
		"options shown with other Chinese than expected ((DocType, field, option): (shown, expected)):\n"
		+ "\n".join(f"  {key}: {shown} ≠ {want}" for key, (shown, want) in sorted(wrong.items()))
	)


def test_spec_words_are_all_on_the_site(desk_zh):
	"""Every row of SPEC §4 is an option of some field on the site, under its current English."""
	on_site = {(FIELD_VOCABULARY.get((d, f)), o) for d, f, options in select_fields() for o in options}
	missing = [
		(field, english)
		for field, words in SPEC_TABLE.items()
		for english in words
		if (field, LEGACY_VALUES.get(field, {}).get(english, english)) not in on_site
	]
	assert not missing


def test_no_option_shows_a_framework_word_that_reads_wrong_here(desk_zh):
	shown = {
		(doctype, fieldname, option): desk_zh.get(option, option)
		for doctype, fieldname, options in select_fields()
		for option in options
	}
	assert {key: word for key, word in shown.items() if word in WRONG_IN_CONTEXT} == {}


@pytest.mark.parametrize("workflow", sorted(WORKFLOW_WORDS))
def test_workflow_states_and_actions_read_as_expected(desk_zh, workflow):
	doc = frappe.get_doc("Workflow", workflow)
	words = {row.state for row in doc.states} | {row.action for row in doc.transitions}
	words |= {row.next_state for row in doc.transitions}
	assert {word: desk_zh.get(word, word) for word in sorted(words)} == WORKFLOW_WORDS[workflow]


def test_server_side_translation_gives_the_same_words(desk_zh):
	"""frappe._ (reports, exports, notifications) says what the browser's __() says."""
	frappe.local.lang = "zh"
	try:
		for doctype, fieldname, options in select_fields():
			for option in options:
				assert frappe._(option) == desk_zh.get(option, option), (doctype, fieldname, option)
	finally:
		frappe.local.lang = "en"


def test_a_save_with_an_old_english_option_stores_the_new_one():
	"""Scripts, integrations and older clients that still send "Call" or "Open" keep working."""
	from tests.integration.support import make_customer, unique_suffix

	customer = make_customer()
	follow_up = frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up",
			"customer": customer.name,
			"follow_up_type": "Call",
			"status": "Planned",
		}
	).insert()
	follow_up.status = "Cancelled"
	follow_up.save()
	opportunity = frappe.get_doc(
		{
			"doctype": "CIMS Opportunity",
			"opportunity_title": f"机会{unique_suffix()}",
			"customer": customer.name,
			"status": "Open",
		}
	).insert()
	campaign = frappe.get_doc(
		{"doctype": "CIMS Campaign", "campaign_name": f"活动{unique_suffix()}", "campaign_type": "Online"}
	).insert()
	source = frappe.get_doc(
		{
			"doctype": "CIMS Customer Source",
			"source_name": f"来源{unique_suffix()}",
			"source_group": "Offline",
		}
	).insert()
	assert frappe.db.get_value("CIMS Follow-Up", follow_up.name, ["follow_up_type", "status"]) == (
		"Phone Call",
		"Called Off",
	)
	assert frappe.db.get_value("CIMS Opportunity", opportunity.name, "status") == "In Progress"
	assert frappe.db.get_value("CIMS Campaign", campaign.name, "campaign_type") == "Online Event"
	assert frappe.db.get_value("CIMS Customer Source", source.name, "source_group") == "Offline Channel"
