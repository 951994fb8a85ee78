"""Texts written for a reader come out in the reader's language, not frozen in the site's (issue 16).

One job run tells an English and a Chinese user about the same customer: each bell and ToDo is in its
reader's language. A customer's churn reasons are stored as codes and values and read in English by an
English user and in Chinese by a Chinese user, on the form (the document), over REST and in the report.
"""

import datetime
import json

import frappe
import pytest

from cims_app.domain.churn import REASON_TEMPLATES, decode_reasons
from cims_app.jobs.churn import churn_inactive_customers, score_churn_risk
from cims_app.jobs.contracts import remind_contract_renewals
from cims_app.reminders.reader_texts import (
	churn_reasons_text,
	escape_html,
	reader_languages,
	render,
	translations_cached,
)
from tests.integration.job_support import (
	bells,
	commits,  # autouse fixture: job commits become savepoints
	completed_follow_up,
	customer_with,
	frozen_clock,
	make_user,
	open_todos,
	set_values,
	unique_suffix,
)

pytestmark = pytest.mark.integration

NOW = datetime.datetime(2026, 6, 15, 9, 0, 0, 250000)
TODAY = NOW.date()


def days(n: int) -> datetime.timedelta:
	return datetime.timedelta(days=n)


@pytest.fixture
def readers():
	"""An English-speaking rep and a Chinese-speaking manager of the same team."""
	english = make_user("CIMS Sales Rep", language="en")
	chinese = make_user("CIMS Sales Manager", language="zh")
	team = frappe.get_doc(
		{
			"doctype": "CIMS Sales Team",
			"team_name": f"双语团队{unique_suffix()}",
			"manager": chinese,
			"members": [{"user": english}],
		}
	).insert()
	return frappe._dict(english=english, chinese=chinese, team=team.name)


def high_risk_customer(account_manager: str, team: str):
	"""An Active High Value customer 90 days without a follow-up, two complaints, contract ending today."""
	customer = customer_with("Active Customer", NOW - days(400), account_manager=account_manager)
	set_values(
		"CIMS Customer",
		customer.name,
		value_tier="High Value Customer",
		sales_team=team,
		contract_end_date=TODAY,
		creation=NOW - days(400),
	)
	for _ in range(2):
		completed_follow_up(customer.name, completed_on=NOW - days(1), follow_up_type="Complaint")
	set_values("CIMS Customer", customer.name, last_follow_up_on=NOW - days(90))
	return customer


def test_one_run_tells_each_reader_in_their_own_language(readers):
	with frozen_clock(NOW):
		customer = high_risk_customer(readers.english, readers.team)
		score_churn_risk()
	[english] = [b.subject for b in bells(readers.english, customer.name)]
	[chinese] = [b.subject for b in bells(readers.chinese, customer.name)]
	assert english.startswith(f"{customer.customer_name} is now at high churn risk (")
	assert "No follow-up for 90 days (cadence 30 days)" in english
	assert "2 complaints in the last 90 days" in english
	assert chinese.startswith(f"{customer.customer_name} 现为高流失风险（")
	assert "已 90 天未跟进（跟进周期 30 天）" in chinese
	assert "近 90 天有 2 次投诉" in chinese
	assert not any("\u4e00" <= char <= "\u9fff" for char in english.replace(customer.customer_name, ""))


def test_todos_are_written_in_the_language_of_the_person_they_are_for():
	english, chinese = make_user(language="en"), make_user(language="zh")
	with frozen_clock(NOW):
		for_english = customer_with(account_manager=english, contract_end_date=TODAY + days(10))
		for_chinese = customer_with(account_manager=chinese, contract_end_date=TODAY + days(10))
		remind_contract_renewals()
	end = (TODAY + days(10)).isoformat()
	assert [t.description for t in open_todos(for_english.name)] == [
		f"Renew the contract of {for_english.customer_name} (ends on {end})"
	]
	assert [t.description for t in open_todos(for_chinese.name)] == [
		f"为 {for_chinese.customer_name} 续约（合同于 {end} 到期）"
	]


def test_win_back_todo_and_bell_carry_the_churn_reason_in_the_readers_language():
	frappe.db.sql(
		"""UPDATE `tabUser` u JOIN `tabHas Role` r ON r.parent = u.name
		SET u.enabled = 0 WHERE r.role = 'CIMS Customer Service'"""
	)
	chinese = make_user("CIMS Customer Service", language="zh")
	with frozen_clock(NOW):
		customer = customer_with("Paused Customer", NOW - days(100))
		churn_inactive_customers()
	[todo] = open_todos(customer.name)
	assert (todo.allocated_to, todo.description) == (
		chinese,
		f"挽回 {customer.customer_name}：已暂停合作 100 天",
	)
	[bell] = bells(chinese, customer.name)
	assert bell.subject == f"{customer.customer_name} 已流失（已暂停合作 100 天）：请尝试挽回"


def test_users_without_a_language_read_in_the_sites():
	site = frappe.db.get_default("lang") or "en"
	nobody = make_user(language="")
	assert reader_languages([nobody, "no-such-user@example.com"]) == {
		nobody: site,
		"no-such-user@example.com": site,
	}


@pytest.fixture
def scored_customer(readers):
	with frozen_clock(NOW):
		customer = high_risk_customer(readers.english, readers.team)
		score_churn_risk()
	return customer


def test_churn_reasons_are_stored_as_codes_and_values(scored_customer):
	stored = frappe.db.get_value("CIMS Customer", scored_customer.name, "churn_reasons")
	rows = json.loads(stored)
	assert ["no_follow_up", 90, 30] in rows
	assert ["complaints", 2] in rows
	assert all(code in REASON_TEMPLATES for code, *_values in rows)
	assert not any("\u4e00" <= char <= "\u9fff" for char in stored)
	# A filter on a code finds the customer whatever the reader's language.
	assert frappe.get_all(
		"CIMS Customer",
		filters={"name": scored_customer.name, "churn_reasons": ("like", '%"complaints"%')},
		pluck="name",
	) == [scored_customer.name]


def test_the_customer_reads_its_churn_reasons_in_each_readers_language(scored_customer):
	doc = frappe.get_doc("CIMS Customer", scored_customer.name)
	try:
		frappe.local.lang = "en"
		english = doc.as_dict()["churn_reason_text"]
		frappe.local.lang = "zh"
		chinese = doc.as_dict()["churn_reason_text"]
	finally:
		frappe.local.lang = "en"
	assert "No follow-up for 90 days (cadence 30 days)" in english.split("\n")
	assert "已 90 天未跟进（跟进周期 30 天）" in chinese.split("\n")
	assert len(english.split("\n")) == len(chinese.split("\n")) == len(decode_reasons(doc.churn_reasons))


def test_old_written_out_reasons_are_shown_as_they_were():
	assert churn_reasons_text("已 90 天未跟进（跟进周期 30 天）", "en") == "已 90 天未跟进（跟进周期 30 天）"
	assert churn_reasons_text("", "zh") == ""
	assert render("{0} complaints in the last 90 days", (3,), "zh") == "近 90 天有 3 次投诉"


def test_reminder_texts_are_escaped_exactly_as_the_framework_escapes_them():
	from frappe.utils import escape_html as framework_escape

	samples = ['<b>"A&B"</b>', "O'Neil > 5 & < 7", "上海&amp;科技", "plain", "", 12, None, "\u3000'\"<>&"]
	for sample in samples:
		assert escape_html(sample) == framework_escape(sample), sample


def test_a_run_translates_each_template_once_and_the_next_run_sees_a_translation_saved_meanwhile():
	template = "Information of {0} is due for a check (since {1}): confirm or update it"
	before = render(template, ("甲公司", "2026-06-01"), "zh")
	with translations_cached():
		assert render(template, ("甲公司", "2026-06-01"), "zh") == before
		saved = frappe.get_doc(
			{
				"doctype": "Translation",
				"language": "zh",
				"source_text": template,
				"translated_text": "请核对 {0} 的资料（{1} 起）",
			}
		).insert(ignore_permissions=True)
		# within the run the first translation holds: every reminder of a batch reads the same
		assert render(template, ("乙公司", "2026-06-01"), "zh") == before.replace("甲公司", "乙公司")
	try:
		assert render(template, ("甲公司", "2026-06-01"), "zh") == "请核对 甲公司 的资料（2026-06-01 起）"
	finally:
		saved.delete(ignore_permissions=True)
	assert render(template, ("甲公司", "2026-06-01"), "zh") == before
