"""Which spreadsheet column holds which field: headers matched by label, fieldname or synonym (SPEC §6)."""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cims_app.domain.text import clean_text, unify_brackets

# Words people head their columns with, per import target, beyond the field's own label and fieldname.
# A word belongs to one field of a target only (a unit test checks it).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
	"CIMS Customer": {
		"customer_name": (
			"客户名称",
			"客户全称",
			"公司名称",
			"公司全称",
			"企业名称",
			"企业全称",
			"单位名称",
			"客户",
			"名称",
			"Company Name",
			"Company",
			"Customer",
			"Name",
		),
		"customer_type": ("客户类型", "类型", "Type"),
		"short_name": ("简称", "客户简称", "公司简称", "企业简称", "Abbreviation"),
		"lifecycle_stage": ("生命周期阶段", "客户阶段", "阶段", "客户状态", "Stage"),
		"intent_level": ("意向等级", "意向程度", "意向级别", "意向", "Intent"),
		"unified_social_credit_code": (
			"统一社会信用代码",
			"社会信用代码",
			"信用代码",
			"统一代码",
			"税号",
			"纳税人识别号",
			"USCC",
			"Credit Code",
		),
		"legal_representative": ("法人", "法定代表人", "法人代表"),
		"main_business": ("主营业务", "经营范围", "主营"),
		"registered_address": ("注册地址", "地址", "公司地址", "Address"),
		"id_number": ("身份证号", "身份证", "身份证号码", "证件号码"),
		"occupation": ("职业",),
		"birthday": ("生日", "出生日期"),
		"industry": ("行业", "所属行业"),
		"region": ("地区", "区域", "所属地区", "所属区域"),
		"customer_size": ("规模", "企业规模", "公司规模", "员工人数", "人数", "Size"),
		"annual_revenue_band": ("年营业额", "营收规模", "年收入"),
		"customer_category": ("客户类别", "类别", "客户分类", "Category"),
		"customer_source": ("客户来源", "来源", "获客渠道", "渠道", "Source"),
		"first_contact_date": ("首次接触日期", "首次联系日期", "首次接触时间"),
		"phone": ("座机", "固定电话", "办公电话", "公司电话", "电话", "Landline", "Telephone"),
		"need_type": ("需求类型",),
		"core_need": ("核心需求", "需求"),
		"need_urgency": ("紧急程度", "需求紧急程度", "紧迫度", "Urgency"),
		"budget_range": ("预算", "预算范围", "Budget"),
		"account_manager": ("负责人", "客户经理", "销售", "业务员", "跟进人", "Owner"),
		"sales_team": ("销售团队", "团队", "Team"),
		"contract_amount": ("合同金额",),
		"contract_end_date": ("合同到期日", "合同截止日期", "合同结束日期", "到期日"),
		"remarks": ("备注", "说明", "Notes", "Note"),
		"contact_name": ("联系人", "联系人姓名", "联系人名称", "Contact", "Contact Person"),
		"mobile_no": (
			"手机",
			"手机号",
			"手机号码",
			"联系电话",
			"联系人手机",
			"联系人电话",
			"移动电话",
			"联系方式",
			"Mobile",
			"Cell Phone",
		),
		"email_id": ("邮箱", "电子邮箱", "邮件", "电子邮件", "联系人邮箱", "E-mail", "Mail"),
		"contact_role": ("联系人角色", "角色", "Role"),
		"contact_designation": ("职位", "职务", "联系人职位", "Designation", "Title"),
		"contact_wechat": ("微信", "微信号", "联系人微信", "WeChat ID", "Weixin"),
	},
	"Contact": {
		"first_name": ("姓名", "联系人", "联系人姓名", "名字", "Name", "Contact Name"),
		"customer": (
			"客户",
			"客户名称",
			"公司名称",
			"所属客户",
			"公司",
			"客户编号",
			"Company",
			"Customer Name",
		),
		"mobile_no": ("手机", "手机号", "手机号码", "联系电话", "移动电话", "Mobile", "Cell Phone"),
		"phone": ("座机", "固定电话", "办公电话", "电话", "Landline", "Telephone"),
		"email_id": ("邮箱", "电子邮箱", "邮件", "电子邮件", "E-mail", "Mail"),
		"designation": ("职位", "职务", "Title"),
		"department": ("部门",),
		"gender": ("性别",),
		"cims_contact_role": ("联系人角色", "角色", "Role"),
		"cims_wechat": ("微信", "微信号", "Weixin"),
		"cims_birthday": ("生日", "出生日期"),
		"cims_is_key_contact": ("关键联系人", "是否关键联系人", "Key Contact"),
	},
	"CIMS Follow-Up": {
		"customer": ("客户", "客户名称", "公司名称", "客户编号", "Company"),
		"contact": ("联系人", "Contact Person"),
		"follow_up_type": ("跟进方式", "跟进类型", "方式", "Type"),
		"status": ("状态", "跟进状态"),
		"scheduled_on": ("计划时间", "计划日期", "预约时间"),
		"completed_on": ("跟进时间", "跟进日期", "完成时间", "日期", "Date"),
		"content": ("跟进内容", "内容", "沟通内容", "沟通记录"),
		"result": ("结果", "跟进结果"),
		"customer_feedback": ("客户反馈", "反馈", "Feedback"),
		"next_action": ("下一步", "下一步计划", "下一步行动"),
		"next_follow_up_on": ("下次跟进时间", "下次跟进日期"),
		"assigned_to": ("跟进人", "负责人", "Owner"),
		"satisfaction_score": ("满意度", "满意度评分"),
	},
	"CIMS Opportunity": {
		"opportunity_title": ("机会名称", "商机名称", "项目名称", "标题", "Title", "Opportunity"),
		"customer": ("客户", "客户名称", "公司名称", "客户编号", "Company"),
		"contact": ("联系人", "Contact Person"),
		"sales_stage": ("销售阶段", "阶段", "Stage"),
		"status": ("状态", "机会状态"),
		"expected_close_date": ("预计成交日期", "预计签单日期", "预计结单日期"),
		"owner_user": ("负责人", "销售", "Owner"),
		"unit_price": ("单价",),
		"quantity": ("数量",),
		"expected_amount": ("预计金额", "预计成交金额", "金额", "Amount"),
		"probability": ("赢率", "成交概率", "概率"),
		"won_amount": ("成交金额", "赢单金额"),
		"lost_reason": ("输单原因", "丢单原因"),
		"campaign": ("营销活动", "活动"),
		"description": ("描述", "说明", "备注"),
	},
}

_REQUIRED_MARK = re.compile(r"^[\s*＊]+|[\s*＊]+$")
_WAN_UNIT = re.compile(r"\((?:单位[:：]?)?(?:万元|万|万人民币)\)$|[(（]?万元[)）]?$")
_UNIT = re.compile(r"\((?:单位[:：]?)?(?:万元|万|元|人民币|rmb|cny|¥|%)\)$", re.IGNORECASE)
_NOISE = re.compile(r"[\s_\-:：./\\]+")


def header_key(header: object) -> str:
	"""The form of a header used to compare it with labels: half-width, without the required
	marker *, a trailing unit such as (万元) or (元), whitespace, _ - : . / and case.

	"客户名称 *" → "客户名称", "Customer Name" → "customername", "customer_name" → "customername",
	"合同金额（万元）" → "合同金额".
	"""
	text = unify_brackets(clean_text(header))
	text = _REQUIRED_MARK.sub("", text)
	text = _UNIT.sub("", text).strip()
	text = _WAN_UNIT.sub("", text).strip() or text
	return _NOISE.sub("", text).casefold()


def header_declares_wan(header: object) -> bool:
	"""Whether a header says its amounts are in 万元 (合同金额(万元), 金额（万）, 合同金额万元)."""
	text = _REQUIRED_MARK.sub("", unify_brackets(clean_text(header)))
	return bool(_WAN_UNIT.search(text))


@dataclass(frozen=True)
class Target:
	"""A field a column can map to, and the names it goes by (labels in any language, fieldname)."""

	fieldname: str
	names: tuple[str, ...]


@dataclass
class ColumnMapping:
	"""Result of mapping a header row: column index → fieldname, and every column that maps to nothing.

	`unmapped` lists (index, header) of columns no field matched; `ignored` those the user chose to
	leave out; `duplicates` (index, header, fieldname) of columns naming a field an earlier column
	already took; `unknown_overrides` user mappings to fields that do not exist. None is dropped silently.
	"""

	fields: dict[int, str] = field(default_factory=dict)
	unmapped: list[tuple[int, str]] = field(default_factory=list)
	ignored: list[tuple[int, str]] = field(default_factory=list)
	duplicates: list[tuple[int, str, str]] = field(default_factory=list)
	unknown_overrides: list[tuple[str, str]] = field(default_factory=list)
	wan_columns: set[int] = field(default_factory=set)

	def column_of(self, fieldname: str) -> int | None:
		for index, name in self.fields.items():
			if name == fieldname:
				return index
		return None

	def as_overrides(self, headers: Sequence[object]) -> dict[str, str | None]:
		"""The mapping as {header text: fieldname or None}, the form users edit in the batch."""
		return {
			column_label(headers, index): self.fields.get(index)
			for index in range(len(headers))
			if headers[index]
		}


def column_label(headers: Sequence[object], index: int) -> str:
	"""The header text of column `index`, with " (2)", " (3)" for repeated headers so each is distinct."""
	text = clean_text(headers[index])
	repeats = sum(1 for earlier in headers[:index] if clean_text(earlier) == text)
	return f"{text} ({repeats + 1})" if repeats else text


def build_lookup(targets: Iterable[Target], synonyms: Mapping[str, Sequence[str]]) -> dict[str, str]:
	"""header key → fieldname: own labels and fieldnames of every target first, then synonyms."""
	targets = list(targets)
	known = {target.fieldname for target in targets}
	lookup: dict[str, str] = {}
	for target in targets:
		for name in (target.fieldname, *target.names):
			key = header_key(name)
			if key:
				lookup.setdefault(key, target.fieldname)
	for fieldname, words in synonyms.items():
		if fieldname not in known:
			continue
		for word in words:
			key = header_key(word)
			if key:
				lookup.setdefault(key, fieldname)
	return lookup


def map_headers(
	headers: Sequence[object],
	targets: Iterable[Target],
	synonyms: Mapping[str, Sequence[str]] | None = None,
	overrides: Mapping[str, str | None] | None = None,
) -> ColumnMapping:
	"""Map each non-blank header to a target field.

	`overrides` ({header text: fieldname, or None/"" to leave the column out}) wins over the
	automatic match. Each field takes one column: a later column naming the same field is reported
	in `duplicates`. A header mentioning 万元 marks its column in `wan_columns`.
	"""
	targets = list(targets)
	known = {target.fieldname for target in targets}
	lookup = build_lookup(targets, synonyms or {})
	overrides = dict(overrides or {})
	mapping = ColumnMapping()
	taken: dict[str, int] = {}
	for index, header in enumerate(headers):
		text = clean_text(header)
		if not text:
			continue
		label = column_label(headers, index)
		if label in overrides or text in overrides:
			choice = overrides.get(label, overrides.get(text))
			if not choice:
				mapping.ignored.append((index, text))
				continue
			if choice not in known:
				mapping.unknown_overrides.append((label, str(choice)))
				mapping.unmapped.append((index, text))
				continue
			fieldname = choice
		else:
			fieldname = lookup.get(header_key(text))
			if not fieldname:
				mapping.unmapped.append((index, text))
				continue
		if fieldname in taken:
			mapping.duplicates.append((index, text, fieldname))
			continue
		taken[fieldname] = index
		mapping.fields[index] = fieldname
		if header_declares_wan(text):
			mapping.wan_columns.add(index)
	return mapping
