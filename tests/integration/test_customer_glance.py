"""The customer form's glance panel (cims_app.api.customer_profile.get_glance): who to call, stage, tier and
churn risk, the last and next follow-up and the open opportunities, under the row rules."""

import frappe
import pytest
from frappe.utils import add_days, now_datetime

from cims_app.api.customer_profile import get_glance
from tests.integration.support import make_customer, make_login_user, server_messages, valid_mobile

pytestmark = pytest.mark.integration

REP, ANALYST = "CIMS Sales Rep", "CIMS Data Analyst"
GLANCE = "/api/method/cims_app.api.customer_profile.get_glance"


def add_contact(customer: str, first_name: str, **values) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": first_name,
				"links": [{"link_doctype": "CIMS Customer", "link_name": customer}],
				**values,
			}
		)
		.insert()
		.name
	)


@pytest.fixture
def customer_day():
	"""A rep's customer with a primary contact, a key contact (mobile, WeChat), a completed and a planned
	follow-up, two open opportunities and a won one (rolled back)."""
	rep = make_login_user(REP)
	customer = make_customer(account_manager=rep)
	frappe.db.set_value(
		"CIMS Customer",
		customer.name,
		{"churn_risk": "High", "churn_risk_score": 82, "value_tier": "Regular Customer"},
	)
	primary = add_contact(
		customer.name, "钱七", phone_nos=[{"phone": valid_mobile(), "is_primary_mobile_no": 1}]
	)
	key_mobile = valid_mobile()
	key = add_contact(
		customer.name,
		"孙八",
		cims_is_key_contact=1,
		cims_contact_role="Decision Maker",
		cims_wechat="sunba_wx",
		phone_nos=[{"phone": key_mobile, "is_primary_mobile_no": 1}],
	)
	frappe.db.set_value("CIMS Customer", customer.name, "primary_contact", primary)
	done = frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up",
			"customer": customer.name,
			"contact": key,
			"follow_up_type": "Meeting",
			"status": "Completed",
			"completed_on": add_days(now_datetime(), -3),
			"content": "<p>与孙总开会讨论了年度框架协议的条款，客户希望下周拿到报价。</p>",
			"next_action": "发送报价",
		}
	).insert()
	planned = frappe.get_doc(
		{
			"doctype": "CIMS Follow-Up",
			"customer": customer.name,
			"follow_up_type": "Meeting",
			"status": "Planned",
			"scheduled_on": add_days(now_datetime(), 2),
		}
	).insert()
	opportunities = []
	for title, price, close in (("二期扩容", 30000, 10), ("年度维保", 20000, 40)):
		opportunities.append(
			frappe.get_doc(
				{
					"doctype": "CIMS Opportunity",
					"opportunity_title": title,
					"customer": customer.name,
					"unit_price": price,
					"quantity": 1,
					"expected_close_date": add_days(now_datetime(), close).date(),
				}
			)
			.insert()
			.name
		)
	frappe.get_doc(
		{
			"doctype": "CIMS Opportunity",
			"opportunity_title": "首单",
			"customer": customer.name,
			"status": "Won",
			"won_amount": 9000,
		}
	).insert()
	return frappe._dict(
		rep=rep,
		customer=customer.name,
		primary=primary,
		key=key,
		key_mobile=key_mobile,
		done=done.name,
		planned=planned.name,
		opportunities=opportunities,
	)


def test_glance_puts_the_key_contact_first_with_mobile_and_wechat(customer_day):
	frappe.set_user(customer_day.rep)
	glance = get_glance(customer_day.customer)
	assert [c["name"] for c in glance["contacts"]] == [customer_day.key, customer_day.primary]
	key = glance["contacts"][0]
	assert (key["mobile_no"], key["cims_wechat"], key["cims_contact_role"]) == (
		customer_day.key_mobile,
		"sunba_wx",
		"Decision Maker",
	)


def test_glance_has_stage_risk_follow_ups_and_open_opportunities(customer_day):
	frappe.set_user(customer_day.rep)
	glance = get_glance(customer_day.customer)
	assert (
		glance["lifecycle_stage"],
		glance["value_tier"],
		glance["churn_risk"],
		glance["churn_risk_score"],
	) == (
		"Potential Customer",
		"Regular Customer",
		"High",
		82,
	)
	assert glance["last_follow_up"]["name"] == customer_day.done
	assert glance["last_follow_up"]["excerpt"].startswith("与孙总开会")
	assert glance["next_follow_up"]["name"] == customer_day.planned
	assert not glance["next_follow_up"]["overdue"]
	assert [o["name"] for o in glance["open_opportunities"]] == customer_day.opportunities, (
		"soonest close first"
	)
	assert (glance["open_opportunity_count"], glance["open_opportunity_amount"]) == (2, 50000.0), (
		"won left out"
	)


def test_glance_gives_the_churn_reasons_in_the_readers_language(customer_day):
	from cims_app.domain.churn import Reason, encode_reasons

	frappe.db.set_value(
		"CIMS Customer",
		customer_day.customer,
		"churn_reasons",
		encode_reasons([Reason("no_follow_up", (65, 30))]),
	)
	frappe.db.set_value("User", customer_day.rep, "language", "zh")
	frappe.set_user(customer_day.rep)
	frappe.local.lang = "zh"
	try:
		assert get_glance(customer_day.customer)["churn_reasons"] == "已 65 天未跟进（跟进周期 30 天）"
	finally:
		frappe.local.lang = "en"


def test_glance_of_a_customer_without_contacts_or_records(customer_day):
	bare = make_customer(account_manager=customer_day.rep).name
	frappe.set_user(customer_day.rep)
	glance = get_glance(bare)
	assert glance["contacts"] == [] and glance["open_opportunities"] == []
	assert glance["last_follow_up"] is None and glance["next_follow_up"] is None
	assert glance["open_opportunity_count"] == 0


def test_glance_is_refused_to_a_rep_who_does_not_reach_the_customer(customer_day):
	frappe.set_user(make_login_user(REP))
	with pytest.raises(frappe.PermissionError):
		get_glance(customer_day.customer)


def test_analyst_glance_has_no_contacts_or_personal_data(customer_day):
	frappe.set_user(make_login_user(ANALYST))
	glance = get_glance(customer_day.customer)
	assert glance["contacts"] == []
	assert glance["open_opportunity_count"] == 2


def test_glance_over_http_for_the_rep_and_refused_to_another_rep(api, role_users):
	customer = make_customer(account_manager=role_users[REP][0])
	other = make_customer(account_manager=role_users["CIMS Sales Manager"][0])
	frappe.db.commit()
	try:
		mine = api(REP).get(GLANCE, customer=customer.name)
		assert mine.ok, server_messages(mine)
		assert mine.json()["message"]["customer_name"] == customer.customer_name
		assert api(REP).get(GLANCE, customer=other.name).status_code == 403
	finally:
		frappe.db.rollback()
		from tests.integration.support import remove_customers_and_their_records

		remove_customers_and_their_records([customer.name, other.name])
		frappe.db.commit()
