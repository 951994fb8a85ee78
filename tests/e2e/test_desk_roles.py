"""A rep's, a manager's and marketing's day in the real Desk, in Chinese, asserting what each of them sees.

Rep (1366 px and a 390 px phone): the workspace shows today's and overdue follow-ups of their own book; a
customer opens on its glance panel, above the fold on the phone: whom to call, a tap-to-call link, WeChat
to copy, stage, churn risk with its reasons, last and next follow-up, open opportunities; 记录跟进 opens the quick entry
filled with the customer and the contact; a workflow action moves the stage; a customer is claimed from
the public pool (公海客户) page, whose quota goes down by one.
Manager (1366 px): the team's sales funnel; two customers of a leaving rep reassigned from the list; the
rest of the rep's book handed over, with what moved.
Marketing: a campaign published and started (1366 px), and a guest checked in at the door from a phone on
the 签到 page (390 px).

Screenshots go to tests/e2e/screenshots/ (roles-*.png).
"""

import datetime
import re

import pytest

from tests.e2e.conftest import SCREENSHOTS, SKIP_REASON

if SKIP_REASON:
	pytest.skip(SKIP_REASON, allow_module_level=True)

import frappe
from frappe.utils import add_days, get_datetime, now_datetime, nowdate
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.e2e.desk import Desk
from tests.integration.support import (
	make_sales_team,
	remove_customers_and_their_records,
	remove_users,
	unique_suffix,
	valid_mobile,
)

pytestmark = pytest.mark.e2e

PASSWORD = "Cims-E2E-Roles-2026!"
REP, MANAGER, MARKETING = "CIMS Sales Rep", "CIMS Sales Manager", "CIMS Marketing"
PHONE = ("phone", 390, 844, True)
DESKTOP = ("desktop", 1366, 900, False)
FOLLOW_UP_CONTENT = "与采购总监开会确认了二期扩容的范围和预算，客户要求月底前提交正式方案和报价。"
# Option values the test writes: the ones issue 16's vocabulary keeps (Meeting, Completed, Planned).
MEETING, COMPLETED, PLANNED = "Meeting", "Completed", "Planned"


# Site, users and data -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chinese_money(site):
	"""Amounts in yuan, as on a site set up in China (the setup wizard's currency); restored afterwards."""
	before = frappe.db.get_default("currency")
	symbol = frappe.db.get_value("Currency", "CNY", "symbol")
	frappe.db.set_default("currency", "CNY")
	frappe.db.set_value("Currency", "CNY", "symbol", symbol or "¥")
	frappe.db.commit()
	frappe.clear_cache()
	yield
	frappe.db.set_default("currency", before)
	frappe.db.set_value("Currency", "CNY", "symbol", symbol)
	frappe.db.commit()
	frappe.clear_cache()


@pytest.fixture()
def people(setup_wizard_done, chinese_money):
	"""`people(role, first_name)` makes a Desk user in Chinese (committed); all removed afterwards."""
	made = []

	def person(roles, first_name: str) -> str:
		roles = [roles] if isinstance(roles, str) else roles
		email = f"cims-e2e-roles-{unique_suffix()}@example.com"
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name,
				"language": "zh",
				"time_zone": frappe.utils.get_system_timezone(),
				"send_welcome_email": 0,
				"user_type": "System User",
				"roles": [{"role": role} for role in roles],
			}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
		frappe.utils.password.update_password(email, PASSWORD)
		frappe.db.commit()
		made.append(email)
		return email

	yield person
	frappe.db.rollback()
	for doctype, field in (("Activity Log", "owner"), ("Version", "owner"), ("ToDo", "allocated_to")):
		frappe.db.delete(doctype, {field: ("in", made)})
	remove_users(made)
	frappe.db.commit()


@pytest.fixture()
def records():
	"""Customers and teams made by a test, removed with what hangs off them (committed)."""
	made = frappe._dict(customers=[], teams=[], campaigns=[])
	yield made
	frappe.db.rollback()
	remove_customers_and_their_records(made.customers)
	for campaign in made.campaigns:
		frappe.db.delete("CIMS Campaign Member", {"campaign": campaign})
		frappe.db.delete("Version", {"docname": campaign})
		frappe.db.delete("CIMS Campaign", {"name": campaign})
	frappe.db.delete("CIMS Sales Team Member", {"parent": ("in", made.teams or [""])})
	frappe.db.delete("CIMS Sales Team", {"name": ("in", made.teams or [""])})
	frappe.db.commit()


def chinese_token(length: int = 3) -> str:
	"""A random word of brand-like characters: names stay unique and read like real company names."""
	characters = "安博诚达丰光华嘉锦凯隆明瑞盛泰鑫"
	return "".join(characters[int(digit, 16)] for digit in unique_suffix()[:length])


def customer(records, name: str, account_manager: str | None, **values) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "CIMS Customer",
			"customer_name": name,
			"customer_type": "Enterprise",
			"account_manager": account_manager,
			**values,
		}
	).insert()
	records.customers.append(doc.name)
	return doc.name


def to_pool(name: str) -> None:
	frappe.db.set_value(
		"CIMS Customer",
		name,
		{"account_manager": None, "sales_team": None, "in_public_pool": 1, "pool_released_on": nowdate()},
	)


def follow_up(customer_name: str, status: str, when: datetime.datetime, **values) -> str:
	field = "completed_on" if status == COMPLETED else "scheduled_on"
	return (
		frappe.get_doc(
			{
				"doctype": "CIMS Follow-Up",
				"customer": customer_name,
				"follow_up_type": MEETING,
				"status": status,
				field: when,
				**values,
			}
		)
		.insert()
		.name
	)


def opportunity(customer_name: str, title: str, amount: float, **values) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "CIMS Opportunity",
				"opportunity_title": title,
				"customer": customer_name,
				"sales_stage": "需求分析",
				"unit_price": amount,
				"quantity": 1,
				"expected_close_date": add_days(nowdate(), 20),
				**values,
			}
		)
		.insert()
		.name
	)


@pytest.fixture()
def claim_limit():
	"""The pool's per-rep claim limit for the test, restored afterwards."""
	before = frappe.db.get_single_value("CIMS Settings", "public_pool_claim_limit")

	def set_limit(limit: int) -> None:
		frappe.db.set_single_value("CIMS Settings", "public_pool_claim_limit", limit)
		frappe.db.commit()

	yield set_limit
	frappe.db.set_single_value("CIMS Settings", "public_pool_claim_limit", before)
	frappe.db.commit()


# Browser helpers ------------------------------------------------------------------------------------------


def open_desk(browser, desk_url, size, user: str) -> Desk:
	label, width, height, mobile = size
	desk = Desk(browser(width, height, mobile=mobile), desk_url, SCREENSHOTS, f"roles-{label}")
	desk.login(user, PASSWORD)
	assert desk.js("return frappe.boot.lang") == "zh"
	return desk


def text_of(desk: Desk, selector: str) -> str:
	return desk.js(
		"const e = document.querySelector(arguments[0]); return e && e.offsetParent !== null ? e.innerText : ''",
		selector,
	)


def wait_text(desk: Desk, selector: str, *texts: str, timeout: int = 30) -> str:
	"""Wait until the visible element `selector` shows every one of `texts`; return its text."""
	return desk.wait_for(
		lambda d: (lambda shown: shown if shown and all(t in shown for t in texts) else None)(
			text_of(desk, selector)
		),
		f"{selector} to show {texts}",
		timeout,
	)


def wait_alert(desk: Desk, text: str) -> None:
	desk.wait_for(
		lambda d: any(
			text in e.text for e in d.find_elements(By.CSS_SELECTOR, ".alert-message, .desk-alert")
		),
		f"the alert {text!r}",
	)


def wait_dialog_closed(desk: Desk) -> None:
	desk.wait_for(
		lambda d: not d.execute_script("return !!document.querySelector('.modal.show')"),
		"the dialog to close",
	)


def close_message(desk: Desk) -> None:
	"""Close the message dialog with its ×, as often as it takes: a click while it still fades in is lost."""

	def closed(driver) -> bool:
		buttons = [
			e
			for e in driver.find_elements(By.CSS_SELECTOR, ".modal.show:has(.msgprint) .btn-modal-close")
			if e.is_displayed()
		]
		if not buttons:
			return True
		buttons[0].click()
		return False

	desk.wait_for(closed, "the message to close")
	wait_dialog_closed(desk)


def rect(desk: Desk, selector: str) -> dict:
	return desk.js(
		"const r = document.querySelector(arguments[0]).getBoundingClientRect();"
		"return {top: r.top, bottom: r.bottom, height: window.innerHeight, width: window.innerWidth};",
		selector,
	)


def click(desk: Desk, selector: str) -> None:
	"""Click the first visible `selector`, finding it again when the page redraws it under the click."""

	def clicked(driver) -> bool:
		element = next((e for e in driver.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()), None)
		if element is None:
			return False
		desk.js("arguments[0].scrollIntoView({block: 'center'})", element)
		element.click()
		return True

	desk.wait_idle()
	desk.wait_for(clicked, f"a visible {selector} to click")


def tr(desk: Desk, text: str, *args) -> str:
	return desk.js("return __(arguments[0], arguments[1])", text, list(args))


# A rep's day -------------------------------------------------------------------------------------------------


@pytest.fixture()
def rep_day(people, records, claim_limit):
	"""A rep with a customer (key contact with mobile and WeChat, a follow-up done, one due today, one
	overdue, an open opportunity) and two public-pool customers; claim limit 5."""
	claim_limit(5)
	token = chinese_token()
	s = frappe._dict(
		rep=people(REP, "王小明"), token=token, mobile=valid_mobile(), wechat=f"liming_{unique_suffix()}"
	)
	s.pool_names = [f"{token}{trade}有限公司" for trade in ("贸易", "物流")]
	s.customer = customer(records, f"杭州{token}科技有限公司", s.rep, region="上海", industry="制造业")
	s.contact = (
		frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": "李明",
				"designation": "采购总监",
				"cims_is_key_contact": 1,
				"cims_contact_role": "Decision Maker",
				"cims_wechat": s.wechat,
				"phone_nos": [{"phone": s.mobile, "is_primary_mobile_no": 1}],
				"links": [{"link_doctype": "CIMS Customer", "link_name": s.customer}],
			}
		)
		.insert()
		.name
	)
	now = now_datetime()
	follow_up(
		s.customer,
		COMPLETED,
		add_days(now, -6),
		content="<p>电话了解了二期扩容需求，客户希望看到交付计划。</p>",
		next_action="准备交付计划",
	)
	s.overdue = follow_up(s.customer, PLANNED, add_days(now, -1))
	s.due_today = follow_up(s.customer, PLANNED, get_datetime(f"{nowdate()} 23:59:00"))
	opportunity(s.customer, "二期扩容项目", 380000)
	frappe.db.set_value(  # as the daily churn job writes them
		"CIMS Customer",
		s.customer,
		{"churn_risk": "High", "churn_risk_score": 80, "churn_reasons": '[["no_follow_up", 65, 30]]'},
	)
	s.pool = [customer(records, name, None) for name in s.pool_names]
	for name in s.pool:
		to_pool(name)
	frappe.db.commit()
	return s


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_rep_day_workspace_glance_follow_up_stage_and_pool(browser, desk_url, rep_day, size):
	desk = open_desk(browser, desk_url, size, rep_day.rep)
	see_todays_and_overdue_follow_ups(desk)
	see_the_customer_at_a_glance(desk, rep_day, phone=size is PHONE)
	tap_to_call_and_copy_wechat(desk, rep_day)
	log_a_follow_up_from_the_glance(desk, rep_day)
	move_the_stage(desk, rep_day)
	claim_from_the_pool(desk, rep_day)
	see_their_own_customers_in_the_list(desk, rep_day)
	assert not desk.severe_console_errors(), desk.severe_console_errors()


def see_todays_and_overdue_follow_ups(desk: Desk) -> None:
	"""The workspace's first cards are the rep's own follow-ups: one due today, one overdue."""
	desk.open("cims")
	for label in ("Follow-Ups Due Today", "Overdue Follow-Ups"):
		title = tr(desk, label)
		desk.wait_for(
			lambda d, title=title: any(
				e.text.split("\n")[0] == title and e.text.strip().endswith("\n1")
				for e in d.find_elements(By.CSS_SELECTOR, ".number-widget-box")
			),
			f"the card {title} showing 1",
		)
	desk.screenshot("1-workspace")


def see_the_customer_at_a_glance(desk: Desk, s, phone: bool) -> None:
	desk.open(f"cims-customer/{s.customer}")
	desk.wait_form("CIMS Customer", new=False)
	glance = wait_text(
		desk,
		".cims-glance",
		"李明",
		tr(desk, "Decision Maker"),
		tr(desk, "Key Contact"),
		s.mobile,
		s.wechat,
		tr(desk, "Potential Customer"),
		f"{tr(desk, 'High')} {tr(desk, 'Churn Risk')} 80",
		tr(desk, "No follow-up for {0} days (cadence {1} days)", 65, 30),
		tr(desk, "Overdue"),
		"二期扩容项目",
		tr(desk, "{0} open opportunities, {1} in all", 1, desk.js("return format_currency(380000)")),
		tr(desk, "Log Follow-Up"),
	)
	assert tr(desk, "Last Follow-Up") in glance and tr(desk, "Next Follow-Up") in glance
	# Above the fold: the contact to call and the button to log a follow-up need no scrolling.
	desk.js("window.scrollTo(0, 0)")
	for selector in (".cims-glance-call", ".cims-glance-log"):
		box = rect(desk, selector)
		assert 0 < box["top"] and box["bottom"] <= box["height"], (selector, box)
	# The timeline's filters wait behind 筛选.
	assert not desk.js("return $('.cims-follow-up-filters').is(':visible')")
	click(desk, ".cims-follow-up-filter-toggle")
	assert desk.js("return $('.cims-follow-up-filters').is(':visible')")
	assert tr(desk, "Filter Follow-Ups") == "筛选"
	desk.screenshot("2-customer-glance")


def tap_to_call_and_copy_wechat(desk: Desk, s) -> None:
	"""A tap on the number dials it (a tel: link, caught before the browser leaves); WeChat is copied."""
	desk.js(
		"window.cims_dialled = null; document.addEventListener('click', (e) => {"
		" const a = e.target.closest('a[href^=\"tel:\"]'); if (a) { window.cims_dialled = a.href; e.preventDefault(); }"
		"}, true)"
	)
	desk.js("window.scrollTo(0, 0)")
	desk.driver.find_element(By.CSS_SELECTOR, ".cims-glance-call").click()
	assert desk.js("return window.cims_dialled") == f"tel:{s.mobile}"
	click(desk, ".cims-glance-copy-wechat")
	wait_alert(desk, tr(desk, "Copied to clipboard."))


def log_a_follow_up_from_the_glance(desk: Desk, s) -> None:
	click(desk, ".cims-glance-log")
	desk.wait_for(
		lambda d: d.execute_script(
			"return !!document.querySelector('.modal.show') && frappe.quick_entry"
			" && frappe.quick_entry.doctype === 'CIMS Follow-Up'"
		),
		"the follow-up quick entry",
	)
	values = desk.js(
		"const d = frappe.quick_entry.dialog; return [d.get_value('customer'), d.get_value('contact')]"
	)
	assert values == [s.customer, s.contact]
	# the framework's own quick-entry button reads in Chinese too (its word is missing from its zh.csv)
	assert (
		desk.js("return $('.modal.show .modal-footer .btn-secondary:visible').first().text().trim()")
		== "编辑完整表单"
	)
	dialog = ".modal.show"
	desk.choose("follow_up_type", MEETING, dialog)
	desk.choose("status", COMPLETED, dialog)
	desk.type_into("content", FOLLOW_UP_CONTENT, dialog)
	desk.type_into("next_action", "月底前提交正式方案和报价", dialog)
	desk.screenshot("3-log-follow-up")
	desk.submit_dialog(tr(desk, "Save"))
	assert desk.js("return cur_frm && cur_frm.doc.name") == s.customer, "the rep stays on the customer"
	wait_text(desk, ".cims-glance-follow-ups", tr(desk, MEETING), "与采购总监开会")
	frappe.db.rollback()
	logged = frappe.get_all(
		"CIMS Follow-Up",
		filters={"customer": s.customer, "status": COMPLETED, "contact": s.contact},
		pluck="content",
	)
	assert any("二期扩容的范围" in (content or "") for content in logged), logged


def move_the_stage(desk: Desk, s) -> None:
	workflow = frappe.db.get_value("Workflow", {"document_type": "CIMS Customer", "is_active": 1})
	action = frappe.db.get_value(
		"Workflow Transition",
		{"parent": workflow, "state": "Potential Customer", "next_state": "Intent Customer"},
		"action",
	)
	desk.apply_workflow_action(tr(desk, action))
	wait_text(desk, ".cims-glance-pills", tr(desk, "Intent Customer"))
	frappe.db.rollback()
	assert frappe.db.get_value("CIMS Customer", s.customer, "lifecycle_stage") == "Intent Customer"


def claim_from_the_pool(desk: Desk, s) -> None:
	desk.open("cims-public-pool")
	desk.type_into("search", s.token, ".page-form")
	first = s.pool[0]
	row = f".cims-pool-row[data-name='{first}']"
	wait_text(desk, ".cims-pool-list", *s.pool_names)
	wait_text(desk, ".cims-pool-quota", tr(desk, "You may claim {0} more (limit {1})", 5, 5))
	assert tr(desk, "Claim") == "领取"
	desk.screenshot("4-public-pool")
	click(desk, f"{row} .cims-pool-claim")
	wait_alert(desk, tr(desk, "{0} is now your customer", s.pool_names[0]))
	wait_text(desk, ".cims-pool-quota", tr(desk, "You may claim {0} more (limit {1})", 4, 5))
	desk.wait_for(
		lambda d: not d.find_elements(By.CSS_SELECTOR, row), "the claimed customer to leave the pool"
	)
	frappe.db.rollback()
	assert frappe.db.get_value("CIMS Customer", first, ["account_manager", "in_public_pool"]) == (s.rep, 0)


def see_their_own_customers_in_the_list(desk: Desk, s) -> None:
	"""The rep's customer list opens on their own book (the claimed one included), without the pool."""
	desk.open("cims-customer")
	mine = [frappe.db.get_value("CIMS Customer", name, "customer_name") for name in (s.customer, s.pool[0])]
	listed = wait_text(desk, ".result", *mine)
	assert s.pool_names[1] not in listed, "a pool customer is not the rep's"
	assert desk.js("return cur_list.filter_area.get()") == [["CIMS Customer", "account_manager", "=", s.rep]]
	desk.screenshot("5-my-customers")


# A manager's day -----------------------------------------------------------------------------------------------


@pytest.fixture()
def team_day(people, records):
	"""A manager's team: a leaving rep with four customers (a planned follow-up and an open opportunity on
	the last one) and the rep who takes them over."""
	token = chinese_token()
	s = frappe._dict(
		manager=people(MANAGER, "张经理"),
		leaving=people(REP, "赵离职"),
		taking=people(REP, "钱接手"),
		token=token,
	)
	s.team = make_sales_team(s.manager, [s.leaving, s.taking], team_name=f"华东{token}组")
	records.teams.append(s.team)
	s.customers = [
		customer(records, f"{city}{token}{trade}有限公司", s.leaving, sales_team=s.team)
		for city, trade in (("苏州", "精密制造"), ("宁波", "港航物流"), ("无锡", "新材料"), ("南京", "软件"))
	]
	s.follow_up = follow_up(s.customers[3], PLANNED, add_days(now_datetime(), 3), assigned_to=s.leaving)
	s.opportunity = opportunity(s.customers[3], "年度采购框架", 120000, owner_user=s.leaving)
	# The team's other deals, which stay where they are: the funnel has more than one stage.
	opportunity(s.customers[0], "产线自动化改造", 260000, sales_stage="商务谈判", owner_user=s.taking)
	opportunity(s.customers[1], "仓储系统升级", 90000, sales_stage="初步接触", owner_user=s.taking)
	frappe.db.commit()
	return s


def test_manager_sees_the_team_funnel_reassigns_and_hands_over_a_leaving_reps_book(
	browser, desk_url, team_day
):
	s = team_day
	desk = open_desk(browser, desk_url, DESKTOP, s.manager)
	see_the_team_funnel(desk, s)
	reassign_two_customers(desk, s)
	hand_over_the_rest(desk, s)
	assert not desk.severe_console_errors(), desk.severe_console_errors()


def see_the_team_funnel(desk: Desk, s) -> None:
	desk.open(f"query-report/CIMS Sales Funnel?sales_team={s.team}")
	amount = desk.js("return format_currency(120000)")
	desk.wait_for(
		lambda d: any(
			"需求分析" in e.text and amount in e.text for e in d.find_elements(By.CSS_SELECTOR, ".dt-row")
		),
		"the team's opportunity in the funnel",
		60,
	)
	desk.wait_for(
		lambda d: d.execute_script(
			"return Array.from(document.querySelectorAll('.chart-container .bar'))"
			".some((bar) => parseFloat(bar.getAttribute('height')) > 0)"
		),
		"the funnel chart",
	)
	headers = desk.visible_texts(".dt-header .dt-cell__content")
	assert tr(desk, "Open Amount") in headers and tr(desk, "Stage Conversion") in headers
	desk.screenshot("6-team-funnel")


def reassign_two_customers(desk: Desk, s) -> None:
	desk.open(f"cims-customer?account_manager={s.leaving}")
	names = [frappe.db.get_value("CIMS Customer", c, "customer_name") for c in s.customers]
	desk.wait_for(
		lambda d: all(name in d.find_element(By.CSS_SELECTOR, ".result").text for name in names),
		"the leaving rep's customers in the list",
	)
	for name in names[:2]:
		desk.js(
			"const row = Array.from(document.querySelectorAll('.list-row-container'))"
			".find((r) => r.innerText.includes(arguments[0]));"
			"row.querySelector('.list-row-checkbox').click();",
			name,
		)
	desk.js("window.scrollTo(0, 0)")
	click(desk, ".page-head .actions-btn-group > button")
	desk.click_button(tr(desk, "Reassign"), ".page-head .actions-btn-group")
	desk.wait_for(
		lambda d: text_of(desk, ".modal.show .modal-title") == tr(desk, "Reassign {0} Customers", 2),
		"the dialog",
	)
	desk.choose("to_user", s.taking, ".modal.show")
	desk.screenshot("7-bulk-reassign")
	desk.click_button(tr(desk, "Reassign"), ".modal.show .modal-footer")
	shown = wait_text(desk, ".modal.show .msgprint", names[0], names[1], "钱接手")
	assert tr(desk, "{0} customers now managed by {1}:", 2, "钱接手") in shown
	desk.screenshot("8-reassigned")
	close_message(desk)
	frappe.db.rollback()
	assert [frappe.db.get_value("CIMS Customer", c, "account_manager") for c in s.customers] == [
		s.taking,
		s.taking,
		s.leaving,
		s.leaving,
	]


def hand_over_the_rest(desk: Desk, s) -> None:
	desk.js("window.scrollTo(0, 0)")
	click(desk, ".page-head .menu-btn-group > button")
	desk.click_button(tr(desk, "Hand Over a Leaving Rep's Book"), ".page-head")
	desk.wait_for(
		lambda d: text_of(desk, ".modal.show .modal-title") == tr(desk, "Hand Over a Leaving Rep's Book"),
		"the hand-over dialog",
	)
	desk.choose("from_user", s.leaving, ".modal.show")
	desk.choose("to_user", s.taking, ".modal.show")
	desk.screenshot("9-hand-over")
	desk.click_button(tr(desk, "Hand Over"), ".modal.show .modal-footer")
	wait_text(
		desk,
		".modal.show .msgprint",
		tr(
			desk,
			"{0} customers, {1} planned follow-ups and {2} open opportunities moved from {3} to {4}.",
			2,
			1,
			1,
			"赵离职",
			"钱接手",
		),
	)
	desk.screenshot("10-handed-over")
	frappe.db.rollback()
	assert {frappe.db.get_value("CIMS Customer", c, "account_manager") for c in s.customers} == {s.taking}
	assert frappe.db.get_value("CIMS Follow-Up", s.follow_up, "assigned_to") == s.taking
	assert frappe.db.get_value("CIMS Opportunity", s.opportunity, "owner_user") == s.taking


# Marketing's day -------------------------------------------------------------------------------------------------


@pytest.fixture()
def campaign_day(people, records):
	s = frappe._dict(marketer=people(MARKETING, "孙市场"))
	campaign = frappe.get_doc(
		{
			"doctype": "CIMS Campaign",
			"campaign_name": f"{chinese_token()}春季新品发布会",
			"campaign_type": frappe.get_meta("CIMS Campaign").get_options("campaign_type").split("\n")[-1],
			"format": "Expo",
			"start_datetime": add_days(now_datetime(), 7),
			"end_datetime": add_days(now_datetime(), 8),
			"location": "杭州国际博览中心",
			"owner_user": s.marketer,
		}
	).insert()
	records.campaigns.append(campaign.name)
	s.campaign = campaign.name
	s.guest = customer(records, f"{chinese_token()}电子科技有限公司", None)
	member = frappe.get_doc(
		{"doctype": "CIMS Campaign Member", "campaign": campaign.name, "customer": s.guest}
	)
	s.member = member.insert(ignore_permissions=True)
	frappe.db.commit()
	return s


def test_marketing_starts_a_campaign_and_checks_a_guest_in_from_a_phone(browser, desk_url, campaign_day):
	s = campaign_day
	start_the_campaign(open_desk(browser, desk_url, DESKTOP, s.marketer), s)
	check_the_guest_in_from_a_phone(open_desk(browser, desk_url, PHONE, s.marketer), s)


def start_the_campaign(desk: Desk, s) -> None:
	desk.open(f"cims-campaign/{s.campaign}")
	desk.wait_form("CIMS Campaign", new=False)
	desk.open_menu_item(tr(desk, "Status"), tr(desk, "Publish"))
	desk.click_button(tr(desk, "Yes"), ".modal.show")
	desk.wait_for(
		lambda d: d.execute_script("return cur_frm.doc.status") != PLANNED, "the campaign to be published"
	)
	desk.wait_idle()
	desk.open_menu_item(tr(desk, "Status"), tr(desk, "Start Campaign"))
	desk.wait_for(
		lambda d: d.execute_script("return cur_frm.doc.status") == "Ongoing", "the campaign to start"
	)
	wait_text(desk, ".page-head .indicator-pill", tr(desk, "Ongoing"))
	desk.screenshot("11-campaign-started")
	frappe.db.rollback()
	assert frappe.db.get_value("CIMS Campaign", s.campaign, "status") == "Ongoing"
	assert not desk.severe_console_errors(), desk.severe_console_errors()


def check_the_guest_in_from_a_phone(desk: Desk, s) -> None:
	"""At the door: the 签到 page, the started campaign, the guest's code typed in (the camera's job is the
	check-in page's own test), and the guest shown as checked in."""
	desk.open("cims-check-in")
	desk.wait_for(
		lambda d: d.execute_script(
			"const s = document.querySelector('.page-form [data-fieldname=campaign] select');"
			" return s && Array.from(s.options).some(o => o.value === arguments[0]);",
			s.campaign,
		),
		"the started campaign on the check-in page",
	)
	desk.choose("campaign", s.campaign, ".page-form")
	code = desk.driver.find_element(By.CSS_SELECTOR, ".cims-check-in-manual input")
	code.send_keys(s.member.check_in_token, Keys.ENTER)
	row = f".cims-check-in-row[data-member='{s.member.name}']"
	guest = frappe.db.get_value("CIMS Customer", s.guest, "customer_name")
	shown = wait_text(desk, row, guest)
	assert re.search(r"已签到（\d\d:\d\d）", shown), shown
	desk.screenshot("12-check-in")
	frappe.db.rollback()
	assert frappe.db.get_value("CIMS Campaign Member", s.member.name, "status") == "Attended"
	assert not desk.severe_console_errors(), desk.severe_console_errors()
