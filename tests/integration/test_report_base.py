"""The skeleton the ten CIMS script reports share (cims_app/cims_app/report/cims_report.py): CIMSReport's run()
order and hooks, its filters, period and month helpers, and the scoping every report query goes through.
The reports' own figures are proved in test_reports.py."""

import datetime

import frappe
import pytest
from frappe.query_builder import Field
from frappe.query_builder.functions import Count
from frappe.utils import add_months, get_first_day, get_last_day, getdate, nowdate

from cims_app.cims_app.report import cims_report
from cims_app.cims_app.report.cims_report import CIMSReport, column
from cims_app.domain.report_metrics import month_key

REPORT_MODULES = (
	"cims_acquisition_by_source",
	"cims_campaign_effectiveness",
	"cims_churn_risk",
	"cims_customer_distribution",
	"cims_data_quality",
	"cims_follow_up_activity",
	"cims_pipeline_forecast",
	"cims_sales_funnel",
	"cims_sales_performance",
	"cims_stage_duration",
)


class Fixed(CIMSReport):
	"""A report over fixed rows, recording the order its hooks are called in."""

	rows: list = []

	def __init__(self, filters=None):
		super().__init__(filters)
		self.calls = []

	def get_columns(self):
		self.calls.append("columns")
		return [column("Name", "name"), column("Count", "count", "Int")]

	def get_data(self):
		self.calls.append("data")
		self.seen = len(self.rows)
		return [dict(row) for row in self.rows]

	def get_total(self, data, columns):
		self.calls.append("total")
		return cims_report.total_row(data, columns, "name")

	def get_message(self):
		self.calls.append("message")
		return f"{self.seen} rows"

	def get_chart(self, data):
		self.calls.append("chart")
		return cims_report.chart([row["name"] for row in data], [cims_report.series("Count", data, "count")])

	def get_summary(self, data, total):
		self.calls.append("summary")
		return [cims_report.summary("Count", total["count"] if total else 0)]


def test_run_answers_columns_rows_with_their_total_message_chart_and_summary_in_that_order():
	Fixed.rows = [{"name": "a", "count": 2}, {"name": "b", "count": 3}]
	report = Fixed({"anything": 1})
	columns, rows, message, chart, summary = report.run()
	assert report.filters.anything == 1  # a frappe._dict
	assert [col["fieldname"] for col in columns] == ["name", "count"]
	assert rows[:2] == Fixed.rows
	assert (rows[2]["name"], rows[2]["count"], rows[2]["is_total_row"]) == ("Total", 5, 1)
	assert message == "2 rows"
	assert chart["data"]["datasets"] == [{"name": "Count", "values": [2, 3]}]
	assert summary == [{"label": "Count", "value": 5, "datatype": "Int"}]
	# the data first, so message, chart and summary may use what it kept
	assert report.calls == ["columns", "data", "total", "message", "chart", "summary"]


def test_run_without_rows_has_no_total_row_and_no_summary_unless_the_summary_counts_more():
	Fixed.rows = []
	report = Fixed()
	_columns, rows, _message, _chart, summary = report.run()
	assert (rows, summary) == ([], [])
	assert "total" not in report.calls and "summary" not in report.calls

	class CountsMore(Fixed):
		summary_without_rows = True

	assert CountsMore().run()[4] == [{"label": "Count", "value": 0, "datatype": "Int"}]


def test_the_hooks_default_to_nothing():
	assert CIMSReport().run() == ([], [], None, None, [])


@pytest.mark.parametrize("module", REPORT_MODULES)
def test_each_report_file_executes_its_report_class_through_the_base(module):
	loaded = frappe.get_module(f"cims_app.cims_app.report.{module}.{module}")
	report_class = loaded.execute.__self__
	assert issubclass(report_class, CIMSReport)
	assert loaded.execute.__func__ is CIMSReport.execute.__func__


def test_execute_switches_to_the_replica_when_the_site_has_one(monkeypatch):
	switches = []
	monkeypatch.setitem(frappe.local.conf, "read_from_replica", 1)
	monkeypatch.setattr(frappe, "connect_replica", lambda: switches.append(1) or False)
	Fixed.rows = [{"name": "a", "count": 1}]
	assert Fixed.execute({})[1][0] == {"name": "a", "count": 1}
	assert switches == [1]


def test_choice_takes_the_default_and_refuses_an_unknown_option_with_its_message():
	report = CIMSReport({"group_by": "Month"})
	assert report.choice("group_by", ("Rep", "Month"), "Rep") == "Month"
	assert report.choice("risk_level", ("High",), "High") == "High"
	with pytest.raises(frappe.ValidationError, match="Unknown grouping Week"):
		CIMSReport({"group_by": "Week"}).choice("group_by", ("Rep",), "Rep")
	with pytest.raises(frappe.ValidationError, match="Unknown issue Nothing"):
		CIMSReport({"issue": "Nothing"}).choice("issue", ("All Issues",), "All Issues", "Unknown issue {0}")


def test_set_period_defaults_back_from_today_or_ahead_to_a_months_end():
	today = getdate(nowdate())
	report = CIMSReport()
	report.set_period(months_back=2)
	assert (report.from_date, report.to_date) == (get_first_day(add_months(today, -2)), today)
	assert report.start == datetime.datetime.combine(report.from_date, datetime.time.min)
	assert report.end == datetime.datetime.combine(today, datetime.time.max)
	report.set_period(months_back=0, months_ahead=5)
	assert (report.from_date, report.to_date) == (get_first_day(today), get_last_day(add_months(today, 5)))
	given = CIMSReport({"from_date": "2024-02-10", "to_date": "2024-03-05"})
	given.set_period()
	assert (given.from_date, given.to_date) == (datetime.date(2024, 2, 10), datetime.date(2024, 3, 5))
	with pytest.raises(frappe.ValidationError, match="From Date must be before To Date"):
		CIMSReport({"from_date": "2024-03-05", "to_date": "2024-02-10"}).set_period()


def test_months_of_a_period_are_cut_to_its_days():
	report = CIMSReport({"from_date": "2024-02-10", "to_date": "2024-04-05"})
	report.set_period()
	assert report.month_in_period("2024-02") == (datetime.date(2024, 2, 10), datetime.date(2024, 2, 29))
	assert report.month_in_period("2024-03") == (datetime.date(2024, 3, 1), datetime.date(2024, 3, 31))
	assert report.month_in_period("2024-04") == (datetime.date(2024, 4, 1), datetime.date(2024, 4, 5))


def test_month_bucket_is_the_sql_spelling_of_month_key():
	moment = datetime.datetime(2024, 12, 31, 23, 59, 59)
	query = frappe.qb.from_("CIMS Customer").select(cims_report.month_bucket(Field("creation")))
	assert "DATE_FORMAT(`creation`,'%Y-%m')" in query.get_sql()
	(key,) = frappe.db.sql("select date_format(%s, %s)", (moment, cims_report.MONTH_FORMAT))[0]
	assert key == month_key(moment) == "2024-12"


def test_set_filters_and_matching_take_only_the_filters_that_are_set():
	report = CIMSReport({"owner_user": "a@example.com", "campaign": "", "status": None})
	assert report.set_filters(("owner_user", "campaign", "status")) == {"owner_user": "a@example.com"}
	table = frappe.qb.DocType("CIMS Opportunity")
	query = frappe.qb.from_(table).select(table.name)
	narrowed = query.where(report.matching(table, ("owner_user", "campaign"))).get_sql()
	assert "`owner_user`='a@example.com'" in narrowed and "campaign" not in narrowed
	assert query.where(report.matching(table, ("campaign",))).get_sql() == query.get_sql()


def test_scoped_joins_the_customer_only_when_a_customer_filter_or_the_grouping_needs_it():
	frappe.set_user("Administrator")
	follow_up = frappe.qb.DocType("CIMS Follow-Up")
	query = frappe.qb.from_(follow_up).select(follow_up.name)
	plain = CIMSReport({"assigned_to": "x"}).scoped(query, follow_up, "CIMS Follow-Up").get_sql()
	assert "JOIN" not in plain
	by_team = CIMSReport({"sales_team": "T"}).scoped(query, follow_up, "CIMS Follow-Up").get_sql()
	assert "JOIN `tabCIMS Customer`" in by_team and "`tabCIMS Customer`.`sales_team`='T'" in by_team
	grouping = CIMSReport().scoped(query, follow_up, "CIMS Follow-Up", join_customer=True).get_sql()
	assert "JOIN `tabCIMS Customer`" in grouping
	# a campaign is nobody's customer: with no customer filters nothing is joined even when some are set
	campaign = frappe.qb.DocType("CIMS Campaign")
	alone = CIMSReport({"sales_team": "T"}).scoped(
		frappe.qb.from_(campaign).select(campaign.name), campaign, "CIMS Campaign", customer_filters={}
	)
	assert "JOIN" not in alone.get_sql()
	# on the customer table itself the filters apply directly
	customer = frappe.qb.DocType("CIMS Customer")
	direct = CIMSReport({"region": "上海"}).scoped(
		frappe.qb.from_(customer).select(customer.name), customer, "CIMS Customer"
	)
	assert "JOIN" not in direct.get_sql() and "`region` IN (" in direct.get_sql()


def test_grouped_answers_the_measures_by_group_key():
	frappe.set_user("Administrator")
	stage = frappe.qb.DocType("CIMS Sales Stage")
	rows = CIMSReport().grouped(
		stage, "CIMS Sales Stage", stage.name, [Count("*").as_("n")], stage.sequence > 0
	)
	names = frappe.get_all("CIMS Sales Stage", filters={"sequence": (">", 0)}, pluck="name")
	assert set(rows) == set(names) and all(row.n == 1 for row in rows.values())


def test_small_helpers_keep_orders_columns_and_chart_datasets():
	assert cims_report.in_order({"b", "x", "a"}, ["a", "b", "c"]) == ["a", "b", "x"]
	assert cims_report.unset_last(["b", None, "a"]) == ["a", "b", None]
	assert cims_report.customer_columns("customer", "email_id") == [
		{
			"label": "Customer",
			"fieldname": "customer",
			"fieldtype": "Link",
			"width": 120,
			"options": "CIMS Customer",
		},
		{"label": "Email", "fieldname": "email_id", "fieldtype": "Data", "width": 160},
	]
	rows = [{"v": 1}, {"v": None}]
	assert cims_report.series("Count", rows, "v") == {"name": "Count", "values": [1, None]}
	assert cims_report.series("Count", rows, "v", empty=0)["values"] == [1, 0]
	assert cims_report.months_into_quarter(datetime.date(2024, 5, 20)) == 1


def test_refused_filters_show_their_message_and_leave_the_report_unprepared(monkeypatch):
	"""Frappe v15 starts a 15 s watcher for each run of a script report and cancels it only when the report
	returns: a report that raised for bad filters became a prepared report for everyone. A refused filter
	returns its message and an empty report, so the watcher is cancelled."""
	import threading

	from frappe.core.doctype.report import report as report_module
	from frappe.desk.query_report import run

	watchers = []

	class Watcher(threading.Timer):
		def start(self):
			watchers.append(self)  # not started: the test only needs to know it was cancelled

	monkeypatch.setattr(report_module.threading, "Timer", Watcher)
	frappe.db.set_value("Report", "CIMS Sales Funnel", "prepared_report", 0)
	frappe.local.message_log = []
	result = run("CIMS Sales Funnel", filters={"from_date": "2024-03-05", "to_date": "2024-02-10"})
	assert result["result"] == [] and result["columns"] == []
	assert any("From Date must be before To Date" in str(message) for message in frappe.local.message_log)
	assert watchers and all(watcher.finished.is_set() for watcher in watchers)  # cancel() sets it
	assert not frappe.db.get_value("Report", "CIMS Sales Funnel", "prepared_report")
