"""The CIMS script reports against hand-computed figures on a small, fixed data set.

Every test builds its own sales team with two reps, five customers, follow-ups, opportunities, a campaign
with members, stage changes and a target, all with fixed dates (2024, a leap year), inserted as rows so
the dates and amounts are exactly what the figures below assume. Reports are run through the framework
(`frappe.desk.query_report.run`, as a user of the report's roles) with the team as filter, so other data
on the site does not change the figures. Everything is rolled back after each test.
"""

import datetime
import io
import json

import frappe
import pytest
from frappe.utils import add_days, now_datetime

from tests.integration.support import unique_suffix, valid_id_number, valid_uscc

REPORTS = (
	"CIMS Customer Distribution",
	"CIMS Sales Funnel",
	"CIMS Sales Performance",
	"CIMS Campaign Effectiveness",
	"CIMS Acquisition by Source",
	"CIMS Pipeline Forecast",
	"CIMS Churn Risk",
	"CIMS Follow-Up Activity",
	"CIMS Stage Duration",
	"CIMS Data Quality",
)
YEAR_2024 = {"from_date": "2024-01-01", "to_date": "2024-12-31"}
STAGES = ("线索获取", "初步接触", "需求分析", "方案提交", "商务谈判", "成交", "售后跟进")


def put(doctype: str, **values):
	"""Insert a row exactly as given (no controller): fixed creation dates and amounts."""
	stamp = values.pop("creation", None) or now_datetime()
	doc = frappe.get_doc({"doctype": doctype, **values})
	doc.name = values.get("name") or f"T7-{unique_suffix()}{unique_suffix()}"
	doc.creation = doc.modified = stamp
	doc.owner = doc.modified_by = "Administrator"
	doc.db_insert()
	for index, child in enumerate(doc.get_all_children(), start=1):
		child.name = unique_suffix() + unique_suffix()
		child.parent, child.parenttype, child.idx = doc.name, doctype, index
		child.creation = child.modified = stamp
		child.db_insert()
	return doc


def put_user(role: str) -> str:
	email = f"t7-{role.lower().replace(' ', '-')}-{unique_suffix()}@example.com"
	put(
		"User",
		name=email,
		email=email,
		first_name=role,
		full_name=email.split("@")[0],
		enabled=1,
		user_type="System User",
		roles=[{"role": role}],
	)
	return email


@pytest.fixture
def book():
	"""The fixed data set: team T with reps A and B, customers C1-C5, and everything hanging off them."""
	s = frappe._dict()
	suffix = unique_suffix()
	s.rep_a, s.rep_b = put_user("CIMS Sales Rep"), put_user("CIMS Sales Rep")
	s.analyst = put_user("CIMS Data Analyst")
	s.team = put(
		"CIMS Sales Team",
		name=f"T7团队-{suffix}",
		team_name=f"T7团队-{suffix}",
		members=[{"user": s.rep_a, "is_active": 1}, {"user": s.rep_b, "is_active": 1}],
	).name
	s.source_1 = put("CIMS Customer Source", name=f"T7展会-{suffix}", source_name=f"T7展会-{suffix}").name
	s.source_2 = put("CIMS Customer Source", name=f"T7网络-{suffix}", source_name=f"T7网络-{suffix}").name
	common = {"sales_team": s.team, "region": "上海", "in_public_pool": 0}
	now = now_datetime()

	def customer(key, **values):
		s[key] = put(
			"CIMS Customer",
			name=f"T7C{key}-{suffix}",
			customer_name=f"T7客户{key}{suffix}",
			**{**common, **values},
		).name

	customer(
		"c1",
		account_manager=s.rep_a,
		customer_source=s.source_1,
		customer_type="Enterprise",
		industry="制造业",
		unified_social_credit_code=valid_uscc(),
		mobile_no="13800000001",
		email_id="c1@example.com",
		lifecycle_stage="Active Customer",
		lifecycle_stage_changed_on=add_days(now, -40),
		value_tier="High Value Customer",
		annual_amount=600000,
		cumulative_amount=900000,
		first_deal_date="2024-03-01",
		churn_risk="High",
		churn_risk_score=85,
		maintenance_due_on="2099-01-01",
		creation="2024-01-10 09:00:00",
	)
	customer(
		"c2",
		account_manager=s.rep_a,
		customer_source=s.source_1,
		customer_type="Enterprise",
		industry="制造业",
		unified_social_credit_code=valid_uscc(),
		lifecycle_stage="Potential Customer",
		lifecycle_stage_changed_on=add_days(now, -10),
		churn_risk="No Risk",
		creation="2024-02-15 09:00:00",
	)
	customer(
		"c3",
		account_manager=s.rep_a,
		customer_source=s.source_2,
		customer_type="Individual",
		id_number=valid_id_number(),
		mobile_no="13800000003",
		lifecycle_stage="Intent Customer",
		lifecycle_stage_changed_on=add_days(now, -20),
		churn_risk="Medium",
		churn_risk_score=55,
		maintenance_due_on="2024-06-01",
		creation="2024-05-20 09:00:00",
	)
	customer(
		"c4",
		account_manager=s.rep_b,
		customer_source=s.source_1,
		customer_type="Enterprise",
		industry="制造业",
		unified_social_credit_code=valid_uscc(),
		mobile_no="13800000004",
		lifecycle_stage="Churned Customer",
		lifecycle_stage_changed_on=add_days(now, -30),
		churned_on="2010-05-01",
		cumulative_amount=100000,
		first_deal_date="2009-01-01",
		churn_risk="No Risk",
		creation="2024-03-05 09:00:00",
	)
	customer(
		"c5",
		account_manager=s.rep_b,
		customer_source=s.source_2,
		customer_type="Institution",
		mobile_no="13800000005",
		lifecycle_stage="Paused Customer",
		lifecycle_stage_changed_on=add_days(now, -50),
		value_tier="Regular Customer",
		annual_amount=50000,
		churn_risk="High",
		churn_risk_score=75,
		creation="2023-12-20 09:00:00",
	)

	s.campaign = put(
		"CIMS Campaign",
		name=f"T7CAMP-{suffix}",
		campaign_name=f"T7活动{suffix}",
		campaign_type="Offline Event",
		format="Expo",
		status="Completed",
		start_datetime="2024-03-01 09:00:00",
		total_budget=30000,
		customer_source=s.source_1,
	).name
	for key, status, extra in (
		("c1", "Attended", {"converted": 1, "high_intent": 1}),
		("c2", "Registered", {}),
		("c3", "No-Show", {}),
		("c4", "Invited", {}),
		("c5", "Attended", {}),
	):
		put("CIMS Campaign Member", campaign=s.campaign, customer=s[key], status=status, **extra)

	def opportunity(key, customer_key, owner, stage, status, creation, **values):
		s[key] = put(
			"CIMS Opportunity",
			name=f"T7O{key}-{suffix}",
			opportunity_title=f"T7机会{key}",
			customer=s[customer_key],
			owner_user=owner,
			sales_stage=stage,
			status=status,
			creation=creation,
			**values,
		).name

	opportunity(
		"o1",
		"c1",
		s.rep_a,
		"成交",
		"Won",
		"2024-02-01 09:00:00",
		expected_amount=200000,
		probability=100,
		weighted_amount=200000,
		won_amount=200000,
		closed_on="2024-04-10",
		campaign=s.campaign,
	)
	opportunity(
		"o2",
		"c1",
		s.rep_a,
		"商务谈判",
		"In Progress",
		"2024-03-01 09:00:00",
		expected_amount=100000,
		probability=80,
		weighted_amount=80000,
		expected_close_date="2030-02-15",
		stage_changed_on=add_days(now, -6),
	)
	opportunity(
		"o3",
		"c3",
		s.rep_a,
		"需求分析",
		"Lost",
		"2024-04-01 09:00:00",
		expected_amount=50000,
		closed_on="2024-06-01",
	)
	opportunity(
		"o4",
		"c4",
		s.rep_b,
		"线索获取",
		"In Progress",
		"2024-05-01 09:00:00",
		expected_amount=40000,
		probability=10,
		weighted_amount=4000,
		expected_close_date="2030-01-20",
		campaign=s.campaign,
		stage_changed_on=add_days(now, -4),
	)
	opportunity(
		"o5",
		"c5",
		s.rep_b,
		"方案提交",
		"In Progress",
		"2023-11-01 09:00:00",
		expected_amount=60000,
		probability=60,
		weighted_amount=36000,
		expected_close_date="2024-08-01",
		stage_changed_on=add_days(now, -100),
	)
	# Won while still marked at an early stage: the funnel counts it at the won stage.
	opportunity(
		"o6",
		"c4",
		s.rep_b,
		"初步接触",
		"Won",
		"2024-06-01 09:00:00",
		expected_amount=30000,
		won_amount=30000,
		closed_on="2024-07-01",
	)

	def follow_up(customer_key, user, kind, status, **values):
		return put(
			"CIMS Follow-Up",
			customer=s[customer_key],
			assigned_to=user,
			follow_up_type=kind,
			status=status,
			**values,
		).name

	follow_up(
		"c1",
		s.rep_a,
		"Phone Call",
		"Completed",
		completed_on="2024-03-05 10:00:00",
		result="Success",
		customer_feedback="Positive",
		campaign=s.campaign,
	)
	follow_up(
		"c1",
		s.rep_a,
		"Service",
		"Completed",
		completed_on="2024-04-01 10:00:00",
		satisfaction_score=0.8,
		result="Success",
		customer_feedback="Positive",
	)
	follow_up("c3", s.rep_a, "Customer Visit", "Planned", scheduled_on="2024-05-10 10:00:00")
	follow_up("c2", s.rep_a, "Phone Call", "Called Off", scheduled_on="2024-06-10 10:00:00")
	follow_up(
		"c4",
		s.rep_b,
		"Service",
		"Completed",
		completed_on="2024-07-02 10:00:00",
		satisfaction_score=0.6,
		result="Failed",
		customer_feedback="Negative",
	)
	follow_up("c5", s.rep_b, "Phone Call", "Planned", scheduled_on="2099-01-05 10:00:00")
	follow_up("c1", s.rep_a, "E-mail", "Completed", completed_on="2023-12-30 10:00:00", result="Success")

	def stage_change(doctype, reference, customer_key, from_stage, to_stage, user, changed_on, days):
		put(
			"CIMS Stage Change",
			reference_doctype=doctype,
			reference_name=reference,
			customer=s[customer_key],
			from_stage=from_stage,
			to_stage=to_stage,
			changed_by=user,
			changed_on=changed_on,
			days_in_previous_stage=days,
		)

	customer_doctype = "CIMS Customer"
	stage_change(
		customer_doctype, s.c1, "c1", "Potential Customer", "Intent Customer", s.rep_a, "2024-02-01 09:00", 22
	)
	stage_change(
		customer_doctype, s.c1, "c1", "Intent Customer", "Active Customer", s.rep_a, "2024-03-01 09:00", 29
	)
	stage_change(
		customer_doctype, s.c3, "c3", "Potential Customer", "Intent Customer", s.rep_a, "2024-05-30 09:00", 10
	)
	stage_change(
		customer_doctype, s.c4, "c4", "Potential Customer", "Intent Customer", s.rep_b, "2024-03-20 09:00", 15
	)
	stage_change("CIMS Opportunity", s.o2, "c1", "需求分析", "商务谈判", s.rep_a, "2024-03-10 09:00", 9)

	put(
		"CIMS Sales Target",
		target_for="User",
		user=s.rep_a,
		period_start="2024-01-01",
		period_end="2024-12-31",
		target_amount=366000,
		target_new_customers=6,
	)
	return s


def run_report(name: str, filters: dict, user: str = "Administrator") -> frappe._dict:
	from frappe.desk.query_report import run

	frappe.set_user(user)
	try:
		return frappe._dict(run(name, filters=filters, ignore_prepared_report=True))
	finally:
		frappe.set_user("Administrator")


def rows(result, key: str) -> dict:
	"""The report's rows by `key`, the total row under "Total"."""
	return {("Total" if row.get("is_total_row") else row.get(key)): row for row in result.result}


def summary_of(result) -> dict:
	return {item["label"]: item["value"] for item in result.report_summary or []}


def row_rules_installed() -> bool:
	return bool(frappe.get_hooks("permission_query_conditions").get("CIMS Customer"))


# ---- figures ----------------------------------------------------------------------------------------------


def test_customer_distribution_counts_shares_and_conversion_per_source(book):
	result = run_report(
		"CIMS Customer Distribution", {"group_by": "Customer Source", "sales_team": book.team}
	)
	by_source = rows(result, "group_value")
	first, second, total = by_source[book.source_1], by_source[book.source_2], by_source["Total"]
	assert (first["customers"], first["converted"], first["high_value"]) == (3, 2, 1)
	assert (first["share"], first["conversion_rate"], first["cumulative_amount"]) == (60.0, 66.67, 1000000.0)
	assert (second["customers"], second["converted"], second["share"], second["conversion_rate"]) == (
		2,
		1,
		40.0,
		50.0,
	)
	assert (total["customers"], total["converted"], total["conversion_rate"]) == (5, 3, 60.0)
	assert result.chart["type"] == "pie" and sorted(result.chart["data"]["datasets"][0]["values"]) == [2, 3]


def test_customer_distribution_limits_to_the_creation_period_and_links_to_the_customers(book):
	result = run_report(
		"CIMS Customer Distribution", {"group_by": "Lifecycle Stage", "sales_team": book.team, **YEAR_2024}
	)
	by_stage = rows(result, "group_value")
	assert "Paused Customer" not in by_stage  # C5 was created in 2023
	assert by_stage["Total"]["customers"] == 4
	target = by_stage["Active Customer"]["drill"]["customers"]
	assert target["doctype"] == "CIMS Customer"
	assert target["filters"]["lifecycle_stage"] == "Active Customer"
	assert target["filters"]["sales_team"] == book.team


def test_sales_funnel_counts_reached_stages_and_stage_to_stage_conversion(book):
	result = run_report("CIMS Sales Funnel", {"sales_team": book.team, **YEAR_2024})
	by_stage = rows(result, "sales_stage")
	assert [by_stage[stage]["reached"] for stage in STAGES] == [5, 4, 4, 3, 3, 2, 0]
	assert [by_stage[stage]["stage_conversion"] for stage in STAGES] == [
		None,
		80.0,
		100.0,
		75.0,
		100.0,
		66.67,
		0.0,
	]
	assert [by_stage[stage]["overall_conversion"] for stage in STAGES] == [
		100.0,
		80.0,
		80.0,
		60.0,
		60.0,
		40.0,
		0.0,
	]
	assert (by_stage["商务谈判"]["open_count"], by_stage["商务谈判"]["open_amount"]) == (1, 100000.0)
	assert by_stage["商务谈判"]["weighted_amount"] == 80000.0
	assert by_stage["需求分析"]["lost_count"] == 1
	assert (by_stage["Total"]["reached"], by_stage["Total"]["overall_conversion"]) == (5, 40.0)
	figures = summary_of(result)
	assert (figures["Won"], figures["Lost"], figures["Win Rate"]) == (2, 1, 66.67)
	assert (figures["Won Amount"], figures["Average Deal Size"]) == (230000.0, 115000.0)


def test_sales_performance_per_rep_against_the_target_with_ranking(book):
	result = run_report("CIMS Sales Performance", {"group_by": "Rep", "sales_team": book.team, **YEAR_2024})
	by_rep = rows(result, "group_key")
	rep_a, rep_b = by_rep[book.rep_a], by_rep[book.rep_b]
	assert (rep_a["new_customers"], rep_a["follow_ups"], rep_a["won_deals"], rep_a["won_amount"]) == (
		3,
		2,
		1,
		200000.0,
	)
	assert (rep_a["target_amount"], rep_a["completion_rate"]) == (366000.0, 54.64)
	assert (rep_a["target_new_customers"], rep_a["new_customer_completion"]) == (6.0, 50.0)
	assert (rep_b["new_customers"], rep_b["follow_ups"], rep_b["won_deals"], rep_b["won_amount"]) == (
		1,
		1,
		1,
		30000.0,
	)
	assert rep_b["target_amount"] is None and rep_b["completion_rate"] is None
	assert (rep_a["rank"], rep_b["rank"]) == (1, 2)
	total = by_rep["Total"]
	assert (total["won_amount"], total["target_amount"], total["completion_rate"]) == (
		230000.0,
		366000.0,
		62.84,
	)


def test_sales_performance_prorates_a_yearly_target_to_the_quarter(book):
	result = run_report(
		"CIMS Sales Performance",
		{"group_by": "Rep", "sales_team": book.team, "from_date": "2024-01-01", "to_date": "2024-03-31"},
	)
	rep_a = rows(result, "group_key")[book.rep_a]
	# 366,000 over the 366 days of 2024 is 1,000 a day; January to March 2024 has 91 days.
	assert (rep_a["target_amount"], rep_a["new_customers"], rep_a["won_amount"]) == (91000.0, 2, 0.0)
	assert rep_a["completion_rate"] == 0.0


def test_sales_performance_by_month_spreads_results_over_the_months(book):
	result = run_report("CIMS Sales Performance", {"group_by": "Month", "sales_team": book.team, **YEAR_2024})
	by_month = rows(result, "group_key")
	assert len([key for key in by_month if key != "Total"]) == 12
	assert (by_month["2024-04"]["won_amount"], by_month["2024-07"]["won_amount"]) == (200000.0, 30000.0)
	assert by_month["2024-01"]["new_customers"] == 1
	# rep A's yearly target is the team's only one: January carries 31 of its 366 days.
	assert by_month["2024-01"]["target_amount"] == 31000.0


def test_campaign_effectiveness_reach_conversion_revenue_and_roi(book):
	result = run_report("CIMS Campaign Effectiveness", {"campaign": book.campaign, **YEAR_2024})
	row = rows(result, "campaign")[book.campaign]
	assert (row["invited"], row["registered"], row["attended"], row["high_intent"], row["converted"]) == (
		5,
		4,
		2,
		1,
		1,
	)
	assert (row["attendance_rate"], row["conversion_rate"]) == (40.0, 50.0)
	assert (row["follow_ups"], row["opportunities"], row["won_deals"], row["revenue"]) == (1, 2, 1, 200000.0)
	assert (row["roi"], row["cost_per_attendee"], row["cost_per_conversion"]) == (6.67, 15000.0, 30000.0)
	assert row["drill"]["attended"] == {
		"doctype": "CIMS Campaign Member",
		"filters": {"campaign": book.campaign, "status": "Attended"},
	}


def test_acquisition_by_source_conversion_and_cost_per_acquisition(book):
	result = run_report("CIMS Acquisition by Source", {"sales_team": book.team, **YEAR_2024})
	by_source = rows(result, "customer_source")
	first, second = by_source[book.source_1], by_source[book.source_2]
	assert (first["new_customers"], first["converted"], first["conversion_rate"]) == (3, 2, 66.67)
	assert (first["campaign_spend"], first["cost_per_acquisition"], first["cost_per_conversion"]) == (
		30000.0,
		10000.0,
		15000.0,
	)
	assert (second["new_customers"], second["converted"], second["conversion_rate"]) == (1, 0, 0.0)
	assert second["campaign_spend"] is None and second["cost_per_acquisition"] is None

	only_first = run_report(
		"CIMS Acquisition by Source", {"sales_team": book.team, "customer_source": book.source_1, **YEAR_2024}
	)
	total = rows(only_first, "customer_source")["Total"]
	assert (total["new_customers"], total["campaign_spend"], total["cost_per_acquisition"]) == (
		3,
		30000.0,
		10000.0,
	)


def test_pipeline_forecast_weights_open_opportunities_by_close_month(book):
	result = run_report(
		"CIMS Pipeline Forecast",
		{"sales_team": book.team, "from_date": "2030-01-01", "to_date": "2030-03-31"},
	)
	by_month = rows(result, "group_key")
	assert (by_month["2030-01"]["open_count"], by_month["2030-01"]["weighted_amount"]) == (1, 4000.0)
	assert (by_month["2030-02"]["expected_amount"], by_month["2030-02"]["weighted_amount"]) == (
		100000.0,
		80000.0,
	)
	assert by_month["2030-03"]["open_count"] == 0
	assert (by_month["Total"]["weighted_amount"], by_month["Total"]["forecast"]) == (84000.0, 84000.0)
	figures = summary_of(result)
	assert (figures["Overdue Open Opportunities"], figures["Overdue Weighted Amount"]) == (1, 36000.0)


def test_pipeline_forecast_adds_won_deals_of_the_period_to_the_forecast(book):
	result = run_report(
		"CIMS Pipeline Forecast", {"sales_team": book.team, "group_by": "Sales Stage", **YEAR_2024}
	)
	by_stage = rows(result, "group_key")
	assert (by_stage["成交"]["won_count"], by_stage["成交"]["won_amount"]) == (1, 200000.0)
	assert (by_stage["初步接触"]["won_amount"], by_stage["方案提交"]["weighted_amount"]) == (30000.0, 36000.0)
	assert by_stage["Total"]["forecast"] == 266000.0


def test_churn_risk_lists_customers_by_score_without_the_churned(book):
	result = run_report("CIMS Churn Risk", {"sales_team": book.team})
	assert [row["customer"] for row in result.result] == [book.c1, book.c5, book.c3]
	assert [row["days_since_follow_up"] for row in result.result] == [None, None, None]
	figures = summary_of(result)
	assert (figures["High Churn Risk"], figures["Medium Churn Risk"], figures["Low Churn Risk"]) == (2, 1, 0)
	assert figures["Annual Amount at Risk"] == 650000.0
	assert dict(
		zip(result.chart["data"]["labels"], result.chart["data"]["datasets"][0]["values"], strict=True)
	) == {
		"High": 2,
		"Medium": 1,
		"No Risk": 1,
	}
	only_high = run_report("CIMS Churn Risk", {"sales_team": book.team, "risk_level": "High"})
	assert [row["customer"] for row in only_high.result] == [book.c1, book.c5]


def test_churn_risk_counts_customers_without_a_level_once_as_no_risk(book):
	"""A level never set (NULL), set blank ("") and "No Risk" are one group: none overwrites another."""

	def chart():
		result = run_report("CIMS Churn Risk", {"sales_team": book.team})
		data = result.chart["data"]
		return dict(zip(data["labels"], data["datasets"][0]["values"], strict=True))

	frappe.db.set_value("CIMS Customer", book.c2, "churn_risk", None)
	frappe.db.set_value("CIMS Customer", book.c3, "churn_risk", "")
	assert chart() == {"High": 2, "No Risk": 2}
	frappe.db.set_value("CIMS Customer", book.c5, "churn_risk", "No Risk")
	assert chart() == {"High": 1, "No Risk": 3}


def test_follow_up_activity_per_rep_with_overdue_and_completion(book):
	result = run_report("CIMS Follow-Up Activity", {"group_by": "Rep", "sales_team": book.team, **YEAR_2024})
	by_rep = rows(result, "group_value")
	rep_a, rep_b, total = by_rep[book.rep_a], by_rep[book.rep_b], by_rep["Total"]
	assert (rep_a["total"], rep_a["completed"], rep_a["planned"], rep_a["overdue"], rep_a["cancelled"]) == (
		4,
		2,
		1,
		1,
		1,
	)
	assert (rep_a["completion_rate"], rep_a["success_rate"], rep_a["positive"], rep_a["satisfaction"]) == (
		66.67,
		100.0,
		2,
		4.0,
	)
	assert (
		rep_b["total"],
		rep_b["completed"],
		rep_b["negative"],
		rep_b["success_rate"],
		rep_b["satisfaction"],
	) == (
		1,
		1,
		1,
		0.0,
		3.0,
	)
	assert (total["total"], total["completed"], total["overdue"], total["completion_rate"]) == (5, 3, 1, 75.0)
	assert total["satisfaction"] == 3.5


def test_follow_up_activity_counts_future_planned_follow_ups_as_planned_not_overdue(book):
	result = run_report(
		"CIMS Follow-Up Activity",
		{
			"group_by": "Follow-Up Type",
			"sales_team": book.team,
			"from_date": "2024-01-01",
			"to_date": "2099-12-31",
		},
	)
	call = rows(result, "group_value")["Phone Call"]
	assert (call["total"], call["completed"], call["planned"], call["overdue"], call["cancelled"]) == (
		3,
		1,
		1,
		0,
		1,
	)


def test_stage_duration_averages_completed_and_current_stays_and_names_the_mover(book):
	result = run_report(
		"CIMS Stage Duration", {"stage_type": "Lifecycle Stage", "sales_team": book.team, **YEAR_2024}
	)
	by_stage = rows(result, "stage")
	potential, intent = by_stage["Potential Customer"], by_stage["Intent Customer"]
	assert (potential["moves"], potential["average_days"], potential["longest_days"]) == (3, 15.7, 22.0)
	assert (potential["top_mover"], potential["top_mover_moves"]) == (book.rep_a.split("@")[0], 2)
	assert (intent["moves"], intent["average_days"]) == (1, 29.0)
	assert (potential["current"], potential["average_current_days"]) == (1, 10.0)
	assert (by_stage["Paused Customer"]["current"], by_stage["Paused Customer"]["average_current_days"]) == (
		1,
		50.0,
	)


def test_stage_duration_by_mover_and_for_sales_stages(book):
	by_mover = run_report(
		"CIMS Stage Duration", {"group_by": "Stage and Mover", "sales_team": book.team, **YEAR_2024}
	)
	moves = {(row["stage"], row["changed_by"]): row for row in by_mover.result}
	assert (
		moves[("Potential Customer", book.rep_a)]["moves"],
		moves[("Potential Customer", book.rep_a)]["average_days"],
	) == (
		2,
		16.0,
	)
	assert moves[("Potential Customer", book.rep_b)]["average_days"] == 15.0

	sales = run_report(
		"CIMS Stage Duration", {"stage_type": "Sales Stage", "sales_team": book.team, **YEAR_2024}
	)
	by_stage = rows(sales, "stage")
	assert (by_stage["需求分析"]["moves"], by_stage["需求分析"]["average_days"]) == (1, 9.0)
	assert (by_stage["商务谈判"]["current"], by_stage["商务谈判"]["average_current_days"]) == (1, 6.0)
	assert by_stage["方案提交"]["average_current_days"] == 100.0


def test_data_quality_finds_missing_information_overdue_upkeep_and_retention_reviews(book):
	result = run_report("CIMS Data Quality", {"sales_team": book.team})
	by_customer = rows(result, "customer")
	assert set(by_customer) == {book.c2, book.c3, book.c4, book.c5}
	assert by_customer[book.c2]["issues"] == "Missing: Mobile No"
	assert by_customer[book.c5]["issues"] == "Missing: Industry"
	overdue = (frappe.utils.getdate(frappe.utils.today()) - datetime.date(2024, 6, 1)).days
	assert by_customer[book.c3]["days_overdue"] == overdue
	assert by_customer[book.c4]["issues"] == "Churned over 10 years ago: review"
	figures = summary_of(result)
	assert (figures["Missing Information"], figures["Overdue Upkeep"], figures["Retention Review"]) == (
		2,
		1,
		1,
	)

	retention = run_report("CIMS Data Quality", {"sales_team": book.team, "issue": "Retention Review"})
	assert [row["customer"] for row in retention.result] == [book.c4]


# ---- who sees what ----------------------------------------------------------------------------------------


def test_data_analyst_sees_contact_details_masked(book):
	analyst = run_report("CIMS Churn Risk", {"sales_team": book.team}, user=book.analyst)
	first = analyst.result[0]
	assert (first["customer"], first["mobile_no"], first["email_id"]) == (
		book.c1,
		"138****0001",
		"c***@example.com",
	)
	admin = run_report("CIMS Churn Risk", {"sales_team": book.team})
	assert admin.result[0]["mobile_no"] == "13800000001"


def test_sales_rep_runs_reports_of_their_roles_but_not_the_managers(book):
	run_report("CIMS Customer Distribution", {"sales_team": book.team}, user=book.rep_a)
	with pytest.raises(frappe.PermissionError):
		run_report("CIMS Acquisition by Source", {"sales_team": book.team}, user=book.rep_a)


def test_sales_rep_report_covers_only_the_reps_own_customers(book):
	if not row_rules_installed():
		pytest.skip(
			"row-level rules (cims_app.access.permissions via hooks permission_query_conditions) not installed yet"
		)
	filters = {"group_by": "Customer Source", "sales_team": book.team}
	mine = rows(run_report("CIMS Customer Distribution", filters, user=book.rep_a), "group_value")
	theirs = rows(run_report("CIMS Customer Distribution", filters, user=book.rep_b), "group_value")
	assert (mine["Total"]["customers"], theirs["Total"]["customers"]) == (3, 2)
	assert (mine[book.source_1]["customers"], mine[book.source_2]["customers"]) == (2, 1)

	performance = rows(
		run_report("CIMS Sales Performance", {"sales_team": book.team, **YEAR_2024}, user=book.rep_b),
		"group_key",
	)
	assert book.rep_a not in performance and performance[book.rep_b]["won_amount"] == 30000.0

	activity = rows(
		run_report("CIMS Follow-Up Activity", {"sales_team": book.team, **YEAR_2024}, user=book.rep_a),
		"group_value",
	)
	assert book.rep_b not in activity and activity["Total"]["total"] == 4

	churn = run_report("CIMS Churn Risk", {"sales_team": book.team}, user=book.rep_b)
	assert [row["customer"] for row in churn.result] == [book.c5]


# ---- definitions and export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_report_is_a_standard_script_report_run_live_in_the_app_module(name):
	report = frappe.get_doc("Report", name)
	assert (report.report_type, report.is_standard, report.module) == ("Script Report", "Yes", "CIMS App")
	assert not report.prepared_report
	assert {"CIMS Sales Manager", "CIMS Data Analyst", "System Manager"} <= {row.role for row in report.roles}


@pytest.mark.parametrize("name", REPORTS)
def test_report_exports_to_an_excel_workbook_with_its_columns(book, name):
	from frappe.desk.query_report import export_query
	from openpyxl import load_workbook

	filters = {"sales_team": book.team, **YEAR_2024}
	if name == "CIMS Campaign Effectiveness":
		filters = {"campaign": book.campaign, **YEAR_2024}
	frappe.local.form_dict = frappe._dict(
		report_name=name,
		file_format_type="Excel",
		filters=json.dumps(filters),
		visible_idx="[]",
		custom_columns="[]",
		include_indentation=0,
	)
	frappe.local.response = frappe._dict()
	export_query()
	assert frappe.response["type"] == "binary"
	assert frappe.response["filename"].endswith(".xlsx")
	sheet = load_workbook(io.BytesIO(frappe.response["filecontent"])).active
	header = [cell.value for cell in sheet[1]]
	columns = run_report(name, filters).columns
	assert header == [col["label"] for col in columns]
	assert sheet.max_row >= 2


# ---- workspace, number cards and dashboard charts -------------------------------------------------------


def test_workspace_blocks_name_existing_cards_charts_shortcuts_and_link_cards():
	workspace = frappe.get_doc("Workspace", "CIMS")
	assert (workspace.public, workspace.module) == (1, "CIMS App")
	labels = {
		"number_card": {row.label for row in workspace.number_cards},
		"chart": {row.label for row in workspace.charts},
		"shortcut": {row.label for row in workspace.shortcuts},
		"card": {row.label for row in workspace.links if row.type == "Card Break"},
	}
	key = {
		"number_card": "number_card_name",
		"chart": "chart_name",
		"shortcut": "shortcut_name",
		"card": "card_name",
	}
	blocks = [block for block in json.loads(workspace.content) if block["type"] in key]
	# the Desk draws a block only when its name is the label of one of the workspace's rows
	assert all(block["data"][key[block["type"]]] in labels[block["type"]] for block in blocks)
	assert {block["type"] for block in blocks} == set(key)
	assert all(frappe.db.exists("Number Card", row.number_card_name) for row in workspace.number_cards)
	assert all(frappe.db.exists("Dashboard Chart", row.chart_name) for row in workspace.charts)
	reports = [row.link_to for row in workspace.links if row.link_type == "Report"]
	assert sorted(reports) == sorted(REPORTS)


def test_every_dashboard_chart_draws_its_reports_chart():
	charts = frappe.get_all(
		"Dashboard Chart",
		filters={"module": "CIMS App"},
		fields=["name", "chart_type", "report_name", "filters_json", "use_report_chart"],
	)
	assert len(charts) >= 4
	for chart in charts:
		assert (chart.chart_type, chart.use_report_chart) == ("Report", 1)
		result = run_report(chart.report_name, json.loads(chart.filters_json or "{}"))
		assert result.chart and result.chart["data"]["datasets"], chart.name


def test_number_cards_count_only_what_the_rep_may_see(book):
	if not row_rules_installed():
		pytest.skip(
			"row-level rules (cims_app.access.permissions via hooks permission_query_conditions) not installed yet"
		)
	from cims_app.api import analytics

	# Public-pool customers are visible to every rep: keep the site's own out of this count.
	frappe.db.sql("update `tabCIMS Customer` set in_public_pool = 0 where in_public_pool = 1")
	now = now_datetime()
	for status, closed, amount in (("Won", -10, 1000), ("Won", -40, 2000), ("Lost", -20, 0)):
		put(
			"CIMS Opportunity",
			opportunity_title="T7近期",
			customer=book.c1,
			owner_user=book.rep_a,
			sales_stage="成交",
			status=status,
			won_amount=amount,
			closed_on=add_days(now, closed).date(),
		)
	for scheduled in (-1, -2, 1):
		put(
			"CIMS Follow-Up",
			customer=book.c2,
			assigned_to=book.rep_a,
			follow_up_type="Phone Call",
			status="Planned",
			scheduled_on=add_days(now, scheduled),
		)
	for score in (0.8, 0.6):
		put(
			"CIMS Follow-Up",
			customer=book.c1,
			assigned_to=book.rep_a,
			follow_up_type="Service",
			status="Completed",
			completed_on=add_days(now, -5),
			satisfaction_score=score,
		)
	# Rep B's customer and follow-ups stay out of rep A's cards.
	put(
		"CIMS Follow-Up",
		customer=book.c5,
		assigned_to=book.rep_b,
		follow_up_type="Phone Call",
		status="Planned",
		scheduled_on=add_days(now, -1),
	)

	frappe.set_user(book.rep_a)
	assert analytics.win_rate()["value"] == 66.67
	assert analytics.overdue_follow_ups()["value"] == 2 + 1  # F3 of the book is overdue too
	assert analytics.average_satisfaction()["value"] == 3.5
	assert analytics.high_churn_risk()["value"] == 1  # C1; C5 is rep B's
	assert analytics.open_weighted_pipeline()["value"] == 80000.0  # O2; O4 and O5 are rep B's


@pytest.mark.parametrize("name", REPORTS)
def test_report_reads_from_the_replica_when_the_site_has_one(name, monkeypatch):
	module = frappe.get_module(f"cims_app.cims_app.report.{frappe.scrub(name)}.{frappe.scrub(name)}")
	switches = []
	monkeypatch.setitem(frappe.local.conf, "read_from_replica", 1)
	monkeypatch.setattr(frappe, "connect_replica", lambda: switches.append(name) or False)
	module.execute(frappe._dict())
	assert switches == [name]
