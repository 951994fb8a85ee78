"""A sales user's day in the real Desk, in Chinese, on a laptop and on a phone.

Log in; create an enterprise customer (the enterprise section shows, the individual one hides);
add its contact from the customer form and make it the primary contact; log a completed follow-up
with a next date through the follow-up quick entry; move the lifecycle stage (through the workflow's
action when the customer lifecycle workflow is active, else in the form); run a report. At 1366x900
and at 390x844 with a phone's user agent. Screenshots go to tests/e2e/screenshots/.
"""

import re
from urllib.parse import quote

import pytest

from tests.e2e.conftest import SCREENSHOTS, SKIP_REASON

if SKIP_REASON:
	pytest.skip(SKIP_REASON, allow_module_level=True)

import frappe
from frappe.utils import add_days, now_datetime
from selenium.webdriver.common.by import By

from tests.e2e.desk import PASSWORD, Desk, make_desk_user
from tests.integration.support import hard_delete, unique_suffix, valid_mobile, valid_uscc
from tests.unit.translation_sources import app_strings, read_zh

pytestmark = pytest.mark.e2e

ROLES = ("CIMS Sales Rep", "CIMS Sales Manager")
REPORTS = ("CIMS Customer Distribution", "CIMS Sales Funnel", "CIMS Follow-Up Activity")
FOLLOW_UP_CONTENT = "电话沟通了年度采购计划，客户希望下周看到详细报价和交付周期，并安排技术人员现场演示。"
HAN = re.compile(r"[\u4e00-\u9fff]")
KANBAN_BOARD = "CIMS Customer Lifecycle Board"
STAGES = ["Potential Customer", "Intent Customer", "Active Customer", "Paused Customer", "Churned Customer"]


@pytest.fixture()
def desk_user(setup_wizard_done):
	"""A sales user whose Desk language is Chinese (committed: the web server must see it)."""
	email = make_desk_user(
		"desk", ROLES, "王", "销售", language="zh", time_zone=frappe.utils.get_system_timezone()
	)
	frappe.db.commit()
	yield email
	frappe.db.rollback()
	purge_customers_of(email)
	# Traces of the session itself: its logins, and Versions of records it touched (e.g. the Kanban board).
	frappe.db.delete("Activity Log", {"owner": email})
	frappe.db.delete("Version", {"owner": email})
	frappe.delete_doc("User", email, ignore_permissions=True, force=True)
	frappe.db.commit()


@pytest.mark.parametrize(
	"label, width, height, mobile",
	[("desktop", 1366, 900, False), ("phone", 390, 844, True)],
)
def test_sales_user_works_a_day_in_chinese_desk(browser, desk_url, desk_user, label, width, height, mobile):
	desk = Desk(browser(width, height, mobile=mobile), desk_url, SCREENSHOTS, label)
	desk.login(desk_user, PASSWORD)
	assert desk.js("return frappe.boot.lang") == "zh"
	assert desk.js("return window.innerWidth") == width

	customer_name = f"杭州云栖{unique_suffix()}科技有限公司"
	customer = create_enterprise_customer(desk, customer_name)
	contact = add_primary_contact(desk, customer)
	assert_no_untranslated_app_strings(desk, "the customer form")
	desk.screenshot("1-customer")

	follow_up = log_follow_up_with_next_date(desk, customer)
	confirm_information_up_to_date(desk, customer, contact)
	move_lifecycle_stage(desk, customer)
	desk.screenshot("4-stage-moved")
	run_report(desk)
	see_customer_in_list_kanban_and_calendar(desk, customer)
	request_deletion(desk, customer)

	assert frappe.db.get_value("Contact", contact, "mobile_no")
	assert frappe.db.get_value("CIMS Follow-Up", follow_up, "next_follow_up_on")
	assert not desk.severe_console_errors(), desk.severe_console_errors()


def create_enterprise_customer(desk: Desk, customer_name: str) -> str:
	desk.open("cims-customer/new")
	desk.wait_form("CIMS Customer", new=True)
	desk.type_into("customer_name", customer_name)
	desk.choose("customer_type", "Individual")
	assert desk.is_section_visible("individual_section") and not desk.is_section_visible("enterprise_section")
	desk.choose("customer_type", "Enterprise")
	assert desk.is_section_visible("enterprise_section") and not desk.is_section_visible("individual_section")
	desk.type_into("unified_social_credit_code", valid_uscc())
	desk.type_into("legal_representative", "张三")
	desk.save()
	name = desk.js("return cur_frm.doc.name")
	frappe.db.rollback()
	assert frappe.db.get_value("CIMS Customer", name, "customer_name") == customer_name
	return name


def add_primary_contact(desk: Desk, customer: str) -> str:
	"""From the customer's Contacts section: New Contact, a mobile number, then pick it as primary."""
	desk.click_until(
		desk.translate("New Contact"),
		".form-layout",
		"return !!window.cur_frm && cur_frm.doctype === 'Contact' && cur_frm.is_new()",
		"the new Contact form",
	)
	desk.wait_form("Contact", new=True)
	desk.type_into("first_name", "李四")
	mobile = valid_mobile()
	desk.add_grid_row("phone_nos", {"phone": mobile}, checks=("is_primary_mobile_no",))
	links = desk.js("return cur_frm.doc.links.map(l => [l.link_doctype, l.link_name])")
	assert links == [["CIMS Customer", customer]]
	desk.save()
	contact = desk.js("return cur_frm.doc.name")
	desk.screenshot("2-contact")

	desk.open(f"cims-customer/{customer}")
	desk.wait_form("CIMS Customer", new=False)
	desk.pick_link("primary_contact", "李四")
	desk.save()
	frappe.db.rollback()
	assert frappe.db.get_value("CIMS Customer", customer, ["primary_contact", "mobile_no"]) == (
		contact,
		mobile,
	)
	return contact


def log_follow_up_with_next_date(desk: Desk, customer: str) -> str:
	"""Create > Follow-Up opens the quick entry (quick_entry is on); fill it and save it there."""
	desk.open_menu_item(desk.translate("Create"), desk.translate("Follow-Up"))
	dialog = ".modal.show"
	desk.wait_for(
		lambda d: (
			d.execute_script(
				"return !!document.querySelector('.modal.show') && frappe.quick_entry && frappe.quick_entry.doctype"
			)
			== "CIMS Follow-Up"
		),
		"the follow-up quick entry",
	)
	assert desk.js("return frappe.quick_entry.dialog.get_value('customer')") == customer
	# The Link control checks the customer with the server before it writes it to the dialog's model; a
	# field refresh before then (the dialog refreshes its fields 0.1 s after a select changes) draws the
	# control again from the empty model. A user's first move comes later: the test waits for the model.
	desk.wait_for(
		lambda d: d.execute_script(
			"return frappe.quick_entry.dialog.doc.customer === arguments[0]", customer
		),
		"the quick entry's model to hold the customer",
	)
	dialog_width = desk.js(
		"return document.querySelector('.modal.show .modal-dialog').getBoundingClientRect().width"
	)
	assert dialog_width <= desk.js("return window.innerWidth"), "the quick entry is wider than the screen"
	desk.choose("follow_up_type", "Phone Call", dialog)
	desk.choose("status", "Completed", dialog)
	desk.type_into("content", FOLLOW_UP_CONTENT, dialog)
	desk.type_into("next_action", "发送报价单并预约演示", dialog)
	next_date = add_days(now_datetime(), 7).replace(hour=10, minute=0, second=0, microsecond=0)
	desk.type_into("next_follow_up_on", next_date.strftime("%Y-%m-%d %H:%M:%S"), dialog)
	desk.screenshot("3-follow-up-quick-entry")
	desk.submit_dialog(desk.translate("Save"))
	frappe.db.rollback()
	follow_ups = frappe.get_all(
		"CIMS Follow-Up", filters={"customer": customer, "status": "Completed"}, pluck="name"
	)
	assert len(follow_ups) == 1, follow_ups
	return follow_ups[0]


def confirm_information_up_to_date(desk: Desk, customer: str, contact: str) -> None:
	"""The customer form's button stamps today's upkeep on the customer and verifies its primary contact."""
	desk.open(f"cims-customer/{customer}")
	desk.wait_form("CIMS Customer", new=False)
	label = desk.translate("Confirm Information Up to Date")
	if desk.js("return frappe.is_mobile()"):
		desk.js("window.scrollTo(0, 0)")
		desk.driver.find_element(By.CSS_SELECTOR, ".page-head .menu-btn-group > button").click()
	desk.click_button(label, ".page-head")
	desk.wait_for(lambda d: d.execute_script("return !!cur_frm.doc.last_maintained_on"), "the form to reload")
	frappe.db.rollback()
	assert str(frappe.db.get_value("CIMS Customer", customer, "last_maintained_on")) == frappe.utils.nowdate()
	assert frappe.db.get_value("Contact", contact, "cims_verified_by") == desk.js(
		"return frappe.session.user"
	)


def request_deletion(desk: Desk, customer: str) -> None:
	"""Manage > Request Deletion asks for a reason and files a Delete request for approval."""
	desk.open(f"cims-customer/{customer}")
	desk.wait_form("CIMS Customer", new=False)
	desk.open_menu_item(desk.translate("Manage"), desk.translate("Request Deletion"))
	desk.dialog()
	desk.type_into("reason", "客户公司已注销，重复录入", ".modal.show")
	desk.screenshot("9-request-deletion")
	desk.submit_dialog(desk.translate("Send Request"))
	frappe.db.rollback()
	requests = frappe.get_all(
		"CIMS Approval Request",
		filters={"reference_doctype": "CIMS Customer", "reference_name": customer, "request_type": "Delete"},
		fields=["status", "reason"],
	)
	assert [(r.status, r.reason) for r in requests] == [("Pending Approval", "客户公司已注销，重复录入")]


def move_lifecycle_stage(desk: Desk, customer: str) -> None:
	"""Potential → Intent: through the workflow's action when one is active, else in the form."""
	desk.open(f"cims-customer/{customer}")
	desk.wait_form("CIMS Customer", new=False)
	workflow = frappe.db.get_value("Workflow", {"document_type": "CIMS Customer", "is_active": 1})
	if workflow:
		current = frappe.db.get_value("CIMS Customer", customer, "lifecycle_stage")
		action = frappe.db.get_value(
			"Workflow Transition",
			{"parent": workflow, "state": current, "next_state": ("like", "Intent%")},
			"action",
		)
		assert action, f"the workflow {workflow} has no action from {current} to Intent"
		desk.apply_workflow_action(desk.translate(action))
		desk.wait_for(
			lambda d: d.execute_script("return cur_frm.doc.lifecycle_stage") != current, "the workflow action"
		)
	else:
		desk.choose("lifecycle_stage", "Intent Customer")
		desk.save()
	frappe.db.rollback()
	assert frappe.db.get_value("CIMS Customer", customer, "lifecycle_stage") == "Intent Customer"


def run_report(desk: Desk) -> None:
	"""The first CIMS report that exists, else the Report view of CIMS Customer."""
	report = next((r for r in REPORTS if frappe.db.exists("Report", r)), None)
	if report:
		desk.open(f"query-report/{report}")
	else:
		desk.open("cims-customer/view/report")
	desk.wait_for(
		lambda d: d.execute_script(
			"return !!document.querySelector('.dt-row, .no-result:not(.hide), .report-view .dt-scrollable')"
		),
		"the report to render",
		60,
	)
	desk.wait_idle()
	desk.screenshot("5-report")


def see_customer_in_list_kanban_and_calendar(desk: Desk, customer: str) -> None:
	"""The list shows the stage as a translated indicator, the Kanban board has a column per stage with
	the customer under Intent, and the calendar shows the planned next follow-up."""
	name = frappe.db.get_value("CIMS Customer", customer, "customer_name")
	desk.open("cims-customer")
	desk.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".list-row-container"), "the customer list")
	row_text = desk.wait_for(
		lambda d: next(
			(e.text for e in d.find_elements(By.CSS_SELECTOR, ".list-row-container") if name in e.text), None
		),
		"the customer in the list",
	)
	assert desk.translate("Intent Customer") in row_text
	desk.screenshot("6-list")

	desk.open(f"cims-customer/view/kanban/{quote(KANBAN_BOARD)}")
	columns = desk.wait_for(
		lambda d: [
			e.get_attribute("data-column-value") for e in d.find_elements(By.CSS_SELECTOR, ".kanban-column")
		],
		"the Kanban columns",
	)
	assert columns == STAGES, columns
	desk.wait_for(
		lambda d: (
			name
			in " ".join(
				e.text
				for e in d.find_elements(
					By.CSS_SELECTOR, ".kanban-column[data-column-value='Intent Customer'] .kanban-card"
				)
			)
		),
		"the customer's card under Intent Customer",
	)
	desk.screenshot("7-kanban")

	desk.open("cims-follow-up/view/calendar/default")
	desk.wait_for(
		lambda d: any(name in e.text for e in d.find_elements(By.CSS_SELECTOR, ".fc-event, .fc-list-item")),
		"the planned follow-up in the calendar",
	)
	desk.screenshot("8-calendar")


def assert_no_untranslated_app_strings(desk: Desk, where: str) -> None:
	"""No label, tab, section, button or indicator on screen shows one of the app's English strings."""
	zh = read_zh()
	english = {text for text in app_strings() if zh.get(text) != text}  # not kept as is on purpose
	shown = desk.visible_texts(
		".form-layout .control-label, .form-layout .section-head, .form-tabs .nav-link, "
		".page-head .btn, .page-head .indicator-pill, .form-layout .btn, .form-layout h4, .form-layout h5"
	)
	untranslated = sorted({text for text in shown if text in english and not HAN.search(text)})
	assert not untranslated, f"English app strings on {where}: {untranslated}"


def purge_customers_of(user: str) -> None:
	"""Remove everything the browser committed as `user`: customers and what hangs off them."""
	customers = frappe.get_all("CIMS Customer", filters={"owner": user}, pluck="name")
	if not customers:
		return
	follow_ups = frappe.get_all("CIMS Follow-Up", filters={"customer": ("in", customers)}, pluck="name")
	contacts = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "link_doctype": "CIMS Customer", "link_name": ("in", customers)},
		pluck="parent",
	)
	records = customers + follow_ups + contacts
	for doctype in ("ToDo", "Comment", "Version", "Event"):
		field = {
			"ToDo": "reference_name",
			"Comment": "reference_name",
			"Version": "docname",
			"Event": "name",
		}[doctype]
		if doctype == "Event":
			names = frappe.get_all(
				"Event Participants", filters={"reference_docname": ("in", records)}, pluck="parent"
			)
			for event in set(names):
				frappe.delete_doc("Event", event, ignore_permissions=True, force=True)
			continue
		frappe.db.delete(doctype, {field: ("in", records)})
	for contact in set(contacts):
		frappe.delete_doc("Contact", contact, ignore_permissions=True, force=True)
	requests = frappe.get_all(
		"CIMS Approval Request", filters={"reference_name": ("in", records)}, pluck="name"
	)
	for doctype, field in (("Workflow Action", "reference_name"), ("Notification Log", "document_name")):
		frappe.db.delete(doctype, {field: ("in", requests + records)})
	frappe.db.delete("ToDo", {"reference_name": ("in", requests)})
	frappe.db.delete("Version", {"docname": ("in", requests)})
	frappe.db.delete("CIMS Stage Change", {"reference_name": ("in", records)})
	frappe.db.delete("CIMS Approval Request", {"name": ("in", requests)})
	hard_delete("CIMS Follow-Up", follow_ups)
	hard_delete(
		"CIMS Opportunity",
		frappe.get_all("CIMS Opportunity", filters={"customer": ("in", customers)}, pluck="name"),
	)
	hard_delete("CIMS Customer", customers)
