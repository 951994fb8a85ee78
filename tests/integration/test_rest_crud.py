"""Every CIMS DocType can be created, read and updated through /api/resource with valid data."""

from urllib.parse import quote

import frappe
import pytest

from tests.integration.support import hard_delete, server_messages, unique_suffix, valid_mobile, valid_uscc

pytestmark = pytest.mark.integration


def resource(doctype: str, name: str | None = None) -> str:
	path = f"/api/resource/{quote(doctype)}"
	return f"{path}/{quote(name, safe='')}" if name else path


class Created:
	"""Remembers what a test made over HTTP (the server commits it) so it can be removed afterwards."""

	def __init__(self):
		self.records: list[tuple[str, str]] = []

	def add(self, doctype: str, name: str) -> str:
		self.records.append((doctype, name))
		return name

	def cleanup(self):
		for doctype, name in reversed(self.records):
			if doctype == "CIMS Customer":
				hard_delete(
					"CIMS Stage Change",
					frappe.get_all("CIMS Stage Change", {"reference_name": name}, pluck="name"),
				)
			if doctype in ("CIMS Industry", "CIMS Region"):
				frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
				continue
			hard_delete(doctype, name)
			if doctype == "Contact":
				frappe.db.delete("Dynamic Link", {"parent": name, "parenttype": "Contact"})
				frappe.db.delete("Contact Phone", {"parent": name})
				frappe.db.delete("Contact Email", {"parent": name})
		frappe.db.commit()


@pytest.fixture
def created():
	tracker = Created()
	yield tracker
	tracker.cleanup()


def create(client, created: Created, doctype: str, payload: dict) -> dict:
	response = client.post(resource(doctype), payload)
	assert response.status_code == 200, f"{doctype}: {response.status_code} {server_messages(response)}"
	data = response.json()["data"]
	created.add(doctype, data["name"])
	return data


def read(client, doctype: str, name: str) -> dict:
	response = client.get(resource(doctype, name))
	assert response.status_code == 200, (
		f"{doctype} {name}: {response.status_code} {server_messages(response)}"
	)
	return response.json()["data"]


def update(client, doctype: str, name: str, values: dict) -> dict:
	response = client.put(resource(doctype, name), values)
	assert response.status_code == 200, (
		f"{doctype} {name}: {response.status_code} {server_messages(response)}"
	)
	return response.json()["data"]


def test_customer_created_over_rest_gets_series_name_and_derived_fields(api, created):
	admin = api("System Manager")
	name = f"杭州恒通{unique_suffix()}科技有限公司"
	data = create(
		admin,
		created,
		"CIMS Customer",
		{
			"customer_name": f"  {name} ",
			"customer_type": "Enterprise",
			"unified_social_credit_code": valid_uscc().lower(),
			"industry": "软件开发",
			"region": "浙江",
			"need_type": "Custom Solution",
			"mobile_no": "+86 138-0013-8000",
		},
	)
	assert data["name"][:7] == frappe.utils.nowdate().replace("-", "")[:6] + "-"
	assert data["customer_name"] == name
	assert data["mobile_no"] == "13800138000"
	assert data["unified_social_credit_code"] == data["unified_social_credit_code"].upper()
	assert data["lifecycle_stage"] == "Potential Customer"
	assert data["classification_label"] == "软件开发-普通-潜在-解决方案定制型"

	fetched = read(admin, "CIMS Customer", data["name"])
	assert fetched["customer_name"] == name
	updated = update(
		admin, "CIMS Customer", data["name"], {"lifecycle_stage": "Intent Customer", "remarks": "更新"}
	)
	assert updated["remarks"] == "更新"
	changes = frappe.get_all(
		"CIMS Stage Change", {"reference_name": data["name"]}, ["from_stage", "to_stage", "changed_by"]
	)
	assert [(c.from_stage, c.to_stage) for c in changes] == [("Potential Customer", "Intent Customer")]


def test_every_cims_doctype_supports_create_read_update_over_rest(api, created):
	admin = api("System Manager")
	suffix = unique_suffix()
	customer = create(
		admin,
		created,
		"CIMS Customer",
		{"customer_name": f"成都鼎盛{suffix}有限公司", "customer_type": "Enterprise"},
	)["name"]
	individual = create(
		admin, created, "CIMS Customer", {"customer_name": f"张三{suffix}", "customer_type": "Individual"}
	)["name"]
	contact = create(
		admin,
		created,
		"Contact",
		{
			"first_name": f"李四{suffix}",
			"email_ids": [{"email_id": f"li.si.{suffix}@example.com", "is_primary": 1}],
			"phone_nos": [{"phone": valid_mobile(), "is_primary_mobile_no": 1}],
			"links": [{"link_doctype": "CIMS Customer", "link_name": customer}],
			"cims_contact_role": "Decision Maker",
			"cims_wechat": f"wx_{suffix}",
		},
	)["name"]
	team = create(
		admin,
		created,
		"CIMS Sales Team",
		{
			"team_name": f"华东一组{suffix}",
			"manager": "Administrator",
			"members": [{"user": "Administrator"}],
		},
	)["name"]
	template = create(
		admin,
		created,
		"CIMS Follow-Up Template",
		{"template_name": f"模板{suffix}", "content": "<p>首次电话沟通内容模板</p>"},
	)["name"]
	plan = create(
		admin,
		created,
		"CIMS Follow-Up Plan",
		{
			"plan_name": f"新客户计划{suffix}",
			"lifecycle_stage": "Potential Customer",
			"frequency_days": 7,
			"steps": [
				{"sequence": 1, "follow_up_type": "Phone Call", "template": template, "offset_days": 0}
			],
		},
	)["name"]
	campaign = create(
		admin,
		created,
		"CIMS Campaign",
		{
			"campaign_name": f"新品发布会{suffix}",
			"campaign_type": "Offline Event",
			"format": "Salon",
			"budget_items": [{"item": "场地", "amount": 30000}, {"item": "物料", "amount": 12000}],
			"agenda": [{"time": "14:00", "topic": "开场"}],
		},
	)
	assert campaign["total_budget"] == 42000
	opportunity = create(
		admin,
		created,
		"CIMS Opportunity",
		{
			"opportunity_title": f"ERP 项目{suffix}",
			"customer": customer,
			"contact": contact,
			"sales_stage": "需求分析",
			"unit_price": 2500,
			"quantity": 40,
			"campaign": campaign["name"],
			"competitors": [{"competitor_name": "竞品甲", "quoted_price": 90000}],
		},
	)
	assert opportunity["expected_amount"] == 100000
	assert opportunity["probability"] == 40
	assert opportunity["weighted_amount"] == 40000

	payloads = {
		"CIMS Follow-Up": {
			"customer": customer,
			"contact": contact,
			"follow_up_type": "Phone Call",
			"status": "Completed",
			"content": "电话沟通了采购计划，客户预计下月启动招标。",
			"next_action": "发送方案资料",
			"opportunity": opportunity["name"],
			"follow_up_plan": plan,
		},
		"CIMS Campaign Member": {"campaign": campaign["name"], "customer": customer, "contact": contact},
		"CIMS Industry": {"industry_name": f"新行业{suffix}", "parent_cims_industry": "全部行业"},
		"CIMS Region": {"region_name": f"新区域{suffix}", "parent_cims_region": "华东"},
		"CIMS Customer Source": {"source_name": f"新来源{suffix}", "source_group": "Online Channel"},
		"CIMS Sales Stage": {"stage_name": f"新阶段{suffix}", "sequence": 99, "probability": 5},
		"CIMS Sales Target": {
			"target_for": "Sales Team",
			"sales_team": team,
			"period_start": "2026-01-01",
			"period_end": "2026-12-31",
			"target_amount": 5000000,
		},
		"CIMS Assignment Rule": {
			"rule_name": f"华东规则{suffix}",
			"region": "华东",
			"assign_to": "User",
			"assignee": "Administrator",
		},
		"CIMS Approval Request": {
			"request_type": "Value Tier Change",
			"reference_doctype": "CIMS Customer",
			"reference_name": individual,
			"new_value": "High Value Customer",
			"reason": "年度框架协议已签署",
		},
	}
	for doctype, payload in payloads.items():
		data = create(admin, created, doctype, payload)
		assert read(admin, doctype, data["name"])["name"] == data["name"]

	updated = update(admin, "CIMS Opportunity", opportunity["name"], {"status": "Won", "won_amount": 98000})
	assert updated["probability"] == 100
	assert updated["closed_on"] == frappe.utils.nowdate()

	follow_up_customer = read(admin, "CIMS Customer", customer)
	assert follow_up_customer["last_follow_up_on"], (
		"a completed follow-up sets the customer's last follow-up date"
	)


def test_settings_single_reads_defaults_and_saves_over_rest(api):
	admin = api("System Manager")
	settings = read(admin, "CIMS Settings", "CIMS Settings")
	assert settings["low_value_lead_days"] == 30
	assert settings["high_value_min_amount"] == 500000
	try:
		assert (
			update(admin, "CIMS Settings", "CIMS Settings", {"low_value_lead_days": 45})[
				"low_value_lead_days"
			]
			== 45
		)
	finally:
		frappe.db.set_single_value("CIMS Settings", "low_value_lead_days", 30)
		frappe.db.commit()


def test_stage_change_and_reminder_log_cannot_be_written_by_hand_over_rest(api):
	admin = api("System Manager")
	for doctype in ("CIMS Stage Change", "CIMS Reminder Log"):
		response = admin.post(
			resource(doctype),
			{
				"reference_doctype": "User",
				"reference_name": "Administrator",
				"rule": "x",
				"due_date": "2026-01-01",
			},
		)
		assert response.status_code == 403, f"{doctype} accepted a hand-made log row"
