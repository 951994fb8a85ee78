"""A rep's numbers are their own book: number cards and script reports leave out the public pool (公海),
which every rep may still browse and claim from its own page. Managers keep their teams' figures, and
roles that read every customer (admins, analysts) keep counting the pool."""

import frappe
import pytest
from frappe.utils import add_to_date, now_datetime

from cims_app.api import analytics
from tests.integration.support import make_customer, make_login_user, make_sales_team, unique_suffix

pytestmark = pytest.mark.integration

REP, MANAGER, ANALYST = "CIMS Sales Rep", "CIMS Sales Manager", "CIMS Data Analyst"


def run_report(name: str, filters: dict, user: str) -> list[dict]:
	from frappe.desk.query_report import run

	frappe.set_user(user)
	try:
		return run(name, filters=filters, ignore_prepared_report=True)["result"]
	finally:
		frappe.set_user("Administrator")


def total_of(result: list[dict], field: str):
	return next((row[field] for row in result if row.get("is_total_row")), 0)


@pytest.fixture
def rep_and_pool():
	"""A rep of a manager's team with two customers of their own, and three public-pool customers (all
	created now, at high churn risk, each with an open opportunity and a follow-up due today), under a
	customer source of their own so reports can be narrowed to them. Rolled back after the test."""
	s = frappe._dict(rep=make_login_user(REP), manager=make_login_user(MANAGER))
	s.analyst = make_login_user(ANALYST)
	s.team = make_sales_team(s.manager, [s.rep])
	s.source = (
		frappe.get_doc({"doctype": "CIMS Customer Source", "source_name": f"自有账本{unique_suffix()}"})
		.insert()
		.name
	)
	today_noon = now_datetime().replace(hour=12, minute=0, second=0, microsecond=0)

	def customer(owner: str | None) -> str:
		name = make_customer(account_manager=owner or s.rep, customer_source=s.source).name
		if owner is None:  # in the pool: nobody's customer, no team's
			frappe.db.set_value(
				"CIMS Customer",
				name,
				{
					"account_manager": None,
					"sales_team": None,
					"in_public_pool": 1,
					"pool_released_on": frappe.utils.nowdate(),
				},
			)
		frappe.db.set_value("CIMS Customer", name, {"churn_risk": "High", "churn_risk_score": 80})
		opportunity = frappe.get_doc(
			{
				"doctype": "CIMS Opportunity",
				"opportunity_title": "年度采购",
				"customer": name,
				"expected_close_date": frappe.utils.nowdate(),
			}
		).insert()
		frappe.db.set_value("CIMS Opportunity", opportunity.name, "weighted_amount", 1000)
		frappe.get_doc(
			{
				"doctype": "CIMS Follow-Up",
				"customer": name,
				"follow_up_type": "Meeting",
				"status": "Planned",
				"scheduled_on": max(today_noon, add_to_date(now_datetime(), minutes=1)),
			}
		).insert()
		return name

	s.own = [customer(s.rep) for _ in range(2)]
	s.pool = [customer(None) for _ in range(3)]
	return s


def test_rep_number_cards_count_their_two_customers_not_the_pool(rep_and_pool):
	frappe.set_user(rep_and_pool.rep)
	assert analytics.new_customers_this_month()["value"] == 2
	assert analytics.high_churn_risk()["value"] == 2
	assert analytics.open_weighted_pipeline()["value"] == 2000.0
	assert analytics.follow_ups_due_today()["value"] == 2


def test_rep_still_reads_the_pool_customers_they_may_claim(rep_and_pool):
	frappe.set_user(rep_and_pool.rep)
	readable = frappe.get_list(
		"CIMS Customer", filters={"customer_source": rep_and_pool.source}, pluck="name", limit_page_length=0
	)
	assert sorted(readable) == sorted(rep_and_pool.own + rep_and_pool.pool)


def test_a_reps_customer_card_opens_their_own_customers(rep_and_pool):
	frappe.set_user(rep_and_pool.rep)
	assert analytics.high_churn_risk()["route_options"]["account_manager"] == rep_and_pool.rep
	frappe.set_user(rep_and_pool.manager)
	assert "account_manager" not in analytics.high_churn_risk()["route_options"]


@pytest.mark.parametrize(
	"report, filters, field",
	[
		("CIMS Customer Distribution", {"group_by": "Customer Source"}, "customers"),
		("CIMS Churn Risk", {}, None),
		("CIMS Data Quality", {}, None),
	],
)
def test_rep_customer_reports_count_their_two_customers_not_the_pool(rep_and_pool, report, filters, field):
	filters = {**filters, "customer_source": rep_and_pool.source}
	for user, expected in (
		(rep_and_pool.rep, 2),
		(rep_and_pool.manager, 2),  # the team's book: the rep's two
		(rep_and_pool.analyst, 5),  # reads every customer, the pool too
		("Administrator", 5),
	):
		result = run_report(report, filters, user)
		counted = total_of(result, field) if field else len([r for r in result if not r.get("is_total_row")])
		assert counted == expected, (report, user)


def test_rep_pipeline_and_follow_up_reports_leave_the_pools_records_out(rep_and_pool):
	forecast = run_report("CIMS Pipeline Forecast", {}, rep_and_pool.rep)
	assert total_of(forecast, "open_count") == 2
	activity = run_report(
		"CIMS Follow-Up Activity",
		{"from_date": frappe.utils.nowdate(), "to_date": frappe.utils.nowdate()},
		rep_and_pool.rep,
	)
	assert total_of(activity, "planned") == 2


def test_a_reps_figures_keep_the_frameworks_own_limits_on_top_of_their_book(rep_and_pool):
	"""The own book alone says what the app's rule says for a rep (the database checks each row's customer
	once); a limit the framework adds beyond the app's rule, a User Permission here, still applies."""
	from frappe.permissions import add_user_permission

	from cims_app.access.scoping import permitted

	opportunity = frappe.qb.DocType("CIMS Opportunity")
	query = frappe.qb.from_(opportunity).select(opportunity.name)
	frappe.set_user(rep_and_pool.rep)
	try:
		sql = permitted(query, "CIMS Opportunity").get_sql()
	finally:
		frappe.set_user("Administrator")
	assert sql.count("in_public_pool") == 0 and sql.count("account_manager") == 1, sql
	assert total_of(run_report("CIMS Pipeline Forecast", {}, rep_and_pool.rep), "open_count") == 2

	add_user_permission("CIMS Customer", rep_and_pool.own[0], rep_and_pool.rep)
	assert total_of(run_report("CIMS Pipeline Forecast", {}, rep_and_pool.rep), "open_count") == 1
