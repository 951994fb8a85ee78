"""Time every daily scheduled job of cims_app together (SPEC §9: all daily jobs ≤ 30 s at 100,000 customers
and 1,000,000 follow-ups). Run on demand (never as a test) on a benchmark site filled by cims-demo, e.g.

	bench new-site cims-bench.localhost --install-app cims_app ...
	bench --site cims-bench.localhost cims-demo --customers 100000 --follow-ups 1000000 \\
		--opportunities 200000 --members 200000

then, from the bench's sites folder with the bench's python:

	cd /opt/cims-bench/sites && ../env/bin/python /path/to/cims_app/benchmarks/daily_jobs.py --site SITE

The jobs are the ones hooks.py registers as "daily" and "daily_long" (plus, shown apart, the hourly and
the 5-minute ones), run one after the other as the scheduler would, each followed by a commit. Pass 1
is the first day after the data arrived (every tier, score and due date is new, every due reminder goes
out); pass 2 runs them again the same day, which must send and change nothing. The table gives seconds
and SQL statements per job. It WRITES (that is what the jobs do): use a benchmark site only.
"""

import argparse
import os
import sys
import time
from pathlib import Path

TARGET_SECONDS = 30.0


def parse_args():
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=os.environ.get("CIMS_SITES_PATH", "."))
	parser.add_argument(
		"--passes", type=int, default=2, help="how many times to run the whole set (default 2)"
	)
	parser.add_argument(
		"--plans",
		action="store_true",
		help="first create an enabled follow-up plan for the Intent and Active stages where none exists, so the "
		"plans job has work (cims-demo makes no plans; writes!)",
	)
	return parser.parse_args()


BENCHMARK_PLANS = (
	("基准-意向客户跟进", "Intent Customer", 14, [(1, "Phone Call", 0), (2, "Customer Visit", 7)]),
	("基准-合作客户回访", "Active Customer", 30, [(1, "Service", 0)]),
)


def ensure_plans(frappe) -> None:
	for name, stage, frequency, steps in BENCHMARK_PLANS:
		if frappe.db.exists("CIMS Follow-Up Plan", {"lifecycle_stage": stage, "enabled": 1}):
			continue
		frappe.get_doc(
			{
				"doctype": "CIMS Follow-Up Plan",
				"plan_name": name,
				"lifecycle_stage": stage,
				"frequency_days": frequency,
				"steps": [
					{"sequence": sequence, "follow_up_type": kind, "offset_days": offset}
					for sequence, kind, offset in steps
				],
			}
		).insert()
	frappe.db.commit()


def connect(site: str, sites_path: str):
	repo = Path(__file__).resolve().parents[1]
	if str(repo) not in sys.path:
		sys.path.insert(0, str(repo))
	import frappe

	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	return frappe


class StatementCounter:
	"""Counts the SQL statements sent through frappe.db.sql (what "a bounded number of queries" means)."""

	def __init__(self, frappe):
		self.count = 0
		db = frappe.local.db
		original = db.sql

		def counting_sql(*args, **kwargs):
			self.count += 1
			return original(*args, **kwargs)

		db.sql = counting_sql


def jobs_from_hooks(frappe) -> tuple[list[str], list[str]]:
	events = frappe.get_hooks("scheduler_events", app_name="cims_app")
	daily = [*events.get("daily", []), *events.get("daily_long", [])]
	frequent = [
		*events.get("hourly", []),
		*[m for methods in events.get("cron", {}).values() for m in methods],
	]
	return daily, frequent


def summarise(result) -> str:
	if isinstance(result, dict):
		return ", ".join(f"{key} {value}" for key, value in result.items())
	if isinstance(result, list):
		return f"{len(result)} items"
	return str(result)


def run_pass(frappe, counter, jobs: list[str]) -> list[tuple[str, float, int, str]]:
	rows = []
	for job in jobs:
		method = frappe.get_attr(job)
		counter.count = 0
		started = time.perf_counter()
		result = method()
		frappe.db.commit()
		rows.append(
			(
				job.removeprefix("cims_app.jobs."),
				time.perf_counter() - started,
				counter.count,
				summarise(result),
			)
		)
	return rows


def sizes(frappe) -> str:
	counts = {
		doctype: frappe.db.count(doctype)
		for doctype in ("CIMS Customer", "CIMS Follow-Up", "CIMS Opportunity", "Contact", "CIMS Reminder Log")
	}
	return ", ".join(f"{doctype}: {count:,}" for doctype, count in counts.items())


def print_table(title: str, rows) -> float:
	width = max(len(name) for name, *_ in rows)
	print(f"\n{title}")
	print(f"  {'job'.ljust(width)}  {'seconds':>8}  {'SQL':>6}  result")
	for name, seconds, statements, result in rows:
		print(f"  {name.ljust(width)}  {seconds:8.2f}  {statements:6d}  {result}")
	total = sum(seconds for _name, seconds, *_ in rows)
	print(f"  {'total'.ljust(width)}  {total:8.2f}")
	return total


def main():
	args = parse_args()
	frappe = connect(args.site, args.sites_path)
	counter = StatementCounter(frappe)
	daily, frequent = jobs_from_hooks(frappe)
	if args.plans:
		ensure_plans(frappe)
	print(f"Site {args.site}: {sizes(frappe)}")
	totals = []
	for number in range(1, args.passes + 1):
		label = "first run of the day" if number == 1 else "rerun the same day (must change nothing)"
		totals.append(print_table(f"Pass {number}, daily jobs: {label}", run_pass(frappe, counter, daily)))
		print_table(f"Pass {number}, hourly and 5-minute jobs", run_pass(frappe, counter, frequent))
	worst = max(totals)
	verdict = "within" if worst <= TARGET_SECONDS else "OVER"
	print(f"\nAll daily jobs together: {worst:.1f} s at worst ({verdict} the {TARGET_SECONDS:.0f} s target)")
	print(f"After: {sizes(frappe)}")
	frappe.destroy()


if __name__ == "__main__":
	main()
