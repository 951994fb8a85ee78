"""The daily tally of completed follow-ups (cims_app.follow_ups.tally) is kept by the database on every path that
writes follow-ups, and the reports read it for a whole-company reader with the same figures as the follow-ups give.

The tally's rows of a test are those of its own unique reps, compared with a fresh GROUP BY of their follow-ups
after each kind of write. Everything is rolled back after each test.
"""

import frappe
import pytest

from cims_app.follow_ups import tally
from tests.integration.support import unique_suffix
from tests.integration.test_reports import YEAR_2024, book, put, put_user, rows, run_report

FOLLOW_UP = "CIMS Follow-Up"


def kept(users) -> dict:
	"""The tally of `users`: {(day, rep, type, result, feedback): (completed, rated, rating sum)}."""
	found = frappe.db.sql(
		f"""SELECT day, assigned_to, follow_up_type, result, customer_feedback, completed, rated, rating_sum
		FROM `{tally.TABLE}` WHERE assigned_to IN %(users)s AND completed <> 0""",
		{"users": tuple(users)},
	)
	return {
		tuple(str(v) for v in row[:5]): (int(row[5]), int(row[6]), round(float(row[7]), 4)) for row in found
	}


def counted_afresh(users) -> dict:
	"""The same figures counted from the follow-ups themselves."""
	found = frappe.db.sql(
		"""SELECT DATE(completed_on), IFNULL(assigned_to, ''), IFNULL(follow_up_type, ''), IFNULL(result, ''),
			IFNULL(customer_feedback, ''), COUNT(*), SUM(IFNULL(satisfaction_score, 0) > 0),
			SUM(IF(IFNULL(satisfaction_score, 0) > 0, satisfaction_score, 0))
		FROM `tabCIMS Follow-Up`
		WHERE status = 'Completed' AND completed_on IS NOT NULL AND assigned_to IN %(users)s
		GROUP BY 1, 2, 3, 4, 5""",
		{"users": tuple(users)},
	)
	return {
		tuple(str(v) for v in row[:5]): (int(row[5]), int(row[6]), round(float(row[7]), 4)) for row in found
	}


@pytest.fixture
def reps():
	return [put_user("CIMS Sales Rep"), put_user("CIMS Sales Rep")]


@pytest.fixture
def customer():
	return put(
		"CIMS Customer", customer_name=f"统计测试{unique_suffix()}有限公司", customer_type="Enterprise"
	).name


def test_a_tally_made_ready_during_an_install_reads_as_ready(monkeypatch):
	"""The install counts the follow-ups and marks the tally ready while frappe.flags.in_install keeps
	set_global from clearing the cached globals: a copy cached earlier in the install must not hide it."""
	tally.set_ready(False)
	assert not frappe.db.get_global(tally.READY_KEY)  # the globals are cached now, without the mark
	monkeypatch.setattr(frappe.flags, "in_install", True)
	tally.set_ready(True)
	monkeypatch.setattr(frappe.flags, "in_install", False)
	assert frappe.db.get_global(tally.READY_KEY) == "1"
	assert tally.available()


def test_the_triggers_are_installed_and_the_tally_ready():
	assert tally.available()
	names = frappe.db.sql_list(
		"SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"
		" AND EVENT_OBJECT_TABLE = 'tabCIMS Follow-Up'"
	)
	assert set(tally.TRIGGERS) <= set(names)


def test_every_kind_of_write_keeps_the_tally_equal_to_the_follow_ups(reps, customer):
	rep_a, rep_b = reps

	def completed(name, day, **values):
		return put(
			FOLLOW_UP,
			name=name,
			customer=customer,
			assigned_to=rep_a,
			follow_up_type="Service",
			status="Completed",
			completed_on=f"{day} 10:00:00",
			**values,
		).name

	prefix = f"FU-T-{unique_suffix()}"
	first = completed(f"{prefix}-1", "2024-03-05", result="Success", customer_feedback="Positive")
	second = completed(f"{prefix}-2", "2024-03-05", result="Success", customer_feedback="Positive")
	rated = completed(f"{prefix}-3", "2024-03-06", satisfaction_score=0.8)
	planned = put(
		FOLLOW_UP,
		name=f"{prefix}-4",
		customer=customer,
		assigned_to=rep_a,
		follow_up_type="Phone Call",
		status="Planned",
		scheduled_on="2024-03-07 10:00:00",
	).name
	assert kept(reps) == counted_afresh(reps)
	assert kept(reps)[("2024-03-05", rep_a, "Service", "Success", "Positive")] == (2, 0, 0.0)
	assert kept(reps)[("2024-03-06", rep_a, "Service", "", "")] == (1, 1, 0.8)

	# a set-based UPDATE (a bulk reassign, a job): the follow-up moves to the other rep
	frappe.db.sql(f"UPDATE `tab{FOLLOW_UP}` SET assigned_to = %s WHERE name = %s", (rep_b, second))
	# the framework's single-value write: another result
	frappe.db.set_value(FOLLOW_UP, first, "result", "Failed")
	# a planned follow-up completed, a completed one called off
	frappe.db.set_value(FOLLOW_UP, planned, {"status": "Completed", "completed_on": "2024-03-08 09:00:00"})
	frappe.db.set_value(FOLLOW_UP, rated, "status", "Called Off")
	assert kept(reps) == counted_afresh(reps)
	assert kept(reps)[("2024-03-05", rep_b, "Service", "Success", "Positive")] == (1, 0, 0.0)
	assert ("2024-03-06", rep_a, "Service", "", "") not in kept(reps)

	# a save through the document (controller, validation), then a delete
	doc = frappe.get_doc(FOLLOW_UP, planned)
	doc.completed_on = "2024-03-09 11:00:00"
	doc.db_update()
	frappe.db.delete(FOLLOW_UP, {"name": first})
	assert kept(reps) == counted_afresh(reps)
	assert sum(count for count, _rated, _sum in kept(reps).values()) == 2

	# a bulk insert, as the importer and the demo write
	frappe.db.bulk_insert(
		FOLLOW_UP,
		["name", "customer", "assigned_to", "follow_up_type", "status", "completed_on", "result"],
		[
			(f"{prefix}-b{i}", customer, rep_b, "E-mail", "Completed", "2024-04-01 09:00:00", "Success")
			for i in range(5)
		],
	)
	assert kept(reps) == counted_afresh(reps)
	assert kept(reps)[("2024-04-01", rep_b, "E-mail", "Success", "")] == (5, 0, 0.0)


def test_a_rebuild_counts_what_the_triggers_kept(reps, customer):
	for day in ("2024-05-01", "2024-05-01", "2024-05-02"):
		put(
			FOLLOW_UP,
			customer=customer,
			assigned_to=reps[0],
			follow_up_type="Meeting",
			status="Completed",
			completed_on=f"{day} 15:00:00",
			satisfaction_score=0.6,
		)
	before = kept(reps)
	assert tally.rebuild() > 0
	assert kept(reps) == before == counted_afresh(reps)
	assert tally.available()


def tally_reads(monkeypatch) -> list:
	"""The calls the reports make to the tally, recorded."""
	calls = []
	real = tally.completed_by

	def recorded(*args, **kwargs):
		calls.append(args)
		return real(*args, **kwargs)

	monkeypatch.setattr(tally, "completed_by", recorded)
	return calls


def without_tally(monkeypatch):
	monkeypatch.setattr(tally, "available", lambda: False)


@pytest.mark.parametrize("group_by", ["Rep", "Follow-Up Type", "Result", "Customer Feedback", "Week"])
def test_follow_up_activity_from_the_tally_is_what_the_follow_ups_give(book, monkeypatch, group_by):  # noqa: F811
	filters = {"group_by": group_by, "assigned_to": book.rep_a, **YEAR_2024}
	calls = tally_reads(monkeypatch)
	from_tally = run_report("CIMS Follow-Up Activity", filters)
	assert calls, "a whole-company reader's report reads the tally"
	with monkeypatch.context() as patched:
		without_tally(patched)
		from_follow_ups = run_report("CIMS Follow-Up Activity", filters)
	assert from_tally.result == from_follow_ups.result
	assert from_tally.report_summary == from_follow_ups.report_summary
	if group_by == "Rep":
		rep_a = rows(from_tally, "group_value")[book.rep_a]
		assert (rep_a["completed"], rep_a["successful"], rep_a["positive"], rep_a["satisfaction"]) == (
			2,
			2,
			2,
			4.0,
		)


@pytest.mark.parametrize("group_by", ["Rep", "Month"])
def test_sales_performance_from_the_tally_is_what_the_follow_ups_give(book, monkeypatch, group_by):  # noqa: F811
	filters = {"group_by": group_by, "user": book.rep_a, **YEAR_2024}
	calls = tally_reads(monkeypatch)
	from_tally = run_report("CIMS Sales Performance", filters)
	assert calls
	with monkeypatch.context() as patched:
		without_tally(patched)
		from_follow_ups = run_report("CIMS Sales Performance", filters)
	assert from_tally.result == from_follow_ups.result
	if group_by == "Rep":
		assert rows(from_tally, "group_key")[book.rep_a]["follow_ups"] == 2


def test_a_reps_figures_and_a_customer_filter_read_the_follow_ups_not_the_tally(book, monkeypatch):  # noqa: F811
	calls = tally_reads(monkeypatch)
	run_report("CIMS Follow-Up Activity", {"group_by": "Rep", **YEAR_2024}, user=book.rep_a)
	run_report("CIMS Sales Performance", {"group_by": "Rep", **YEAR_2024}, user=book.rep_a)
	run_report("CIMS Follow-Up Activity", {"group_by": "Rep", "sales_team": book.team, **YEAR_2024})
	run_report("CIMS Follow-Up Activity", {"group_by": "Status", **YEAR_2024})
	assert calls == []


@pytest.mark.parametrize(
	"group_by", ["Rep", "Follow-Up Type", "Status", "Result", "Customer Feedback", "Week"]
)
def test_a_reps_follow_up_activity_in_one_pass_is_what_the_two_queries_give(book, monkeypatch, group_by):  # noqa: F811
	"""A reader limited by the row rules gets the completed and the other follow-ups in one pass over their
	customers' follow-ups: the same figures as the two GROUP BYs a whole-company reader's report runs."""
	from cims_app.cims_app.report.cims_follow_up_activity import cims_follow_up_activity as activity

	filters = {"group_by": group_by, **YEAR_2024}
	passes = []
	one_pass = activity.FollowUpActivity.all_rows
	monkeypatch.setattr(
		activity.FollowUpActivity, "all_rows", lambda self: passes.append(1) or one_pass(self)
	)
	in_one_pass = run_report("CIMS Follow-Up Activity", filters, user=book.rep_a)
	assert passes == [1]
	with monkeypatch.context() as patched:
		patched.setattr(activity, "reaches_every_row", lambda doctype: True)  # the two-query path
		in_two = run_report("CIMS Follow-Up Activity", filters, user=book.rep_a)
	assert passes == [1]
	assert in_one_pass.result == in_two.result
	assert in_one_pass.report_summary == in_two.report_summary
	total = rows(in_one_pass, "group_value")["Total"]
	assert total["completed"] and total["total"] > total["completed"], "both halves are counted"
	if group_by == "Status":  # a status filter is one half: the two-query path, the one pass unused
		run_report("CIMS Follow-Up Activity", {**filters, "status": "Completed"}, user=book.rep_a)
		assert passes == [1]
