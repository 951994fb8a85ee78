"""Time the CIMS script reports, number cards and a Sales Rep's customer list (SPEC §9).

Targets: each report ≤ 1 s with its default filters; a sales rep's customer list ≤ 0.3 s. Run on demand
(never as a test) on a site filled at scale, e.g.

	bench --site SITE cims-demo --customers 100000 --follow-ups 1000000 --opportunities 200000 --members 200000

then, from the bench's sites folder with the bench's python:

	cd /opt/cims-bench/sites && ../env/bin/python /path/to/cims_app/benchmarks/reports.py --site SITE

Every report is run the way the Desk runs it (`frappe.desk.query_report.run`, default filters) as
Administrator and as the Sales Rep who manages the most customers, so the rep's figures include the
row-level rules. Each is run once to warm caches, then --repeat times; the table shows the first run,
the median and the slowest. Nothing is written, unless --synthesize is given: cims-demo leaves churn
scores, upkeep due dates and stage history empty (daily jobs and real stage moves fill them), so that
flag first fills them in bulk with plausible values, for the Churn Risk, Data Quality and Stage Duration
reports to have rows to work through. Use it on a benchmark site only.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

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
REPORT_TARGET = 1.0
LIST_TARGET = 0.3
CARD_TARGET = 1.0


def parse_args():
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=os.environ.get("CIMS_SITES_PATH", "."))
	parser.add_argument("--rep", help="Sales Rep to run as (default: the rep with the most customers)")
	parser.add_argument("--repeat", type=int, default=5)
	parser.add_argument(
		"--manager",
		action="store_true",
		help="also time every report as the Sales Manager of the first team (informational)",
	)
	parser.add_argument(
		"--synthesize",
		action="store_true",
		help="first fill churn scores, upkeep dates and stage history that cims-demo leaves empty (writes!)",
	)
	return parser.parse_args()


# Bulk fills for what cims-demo does not generate; deterministic names make a second run add nothing.
SYNTHESIS = (
	# Churn scores skewed low (about 16 % High, 29 % Medium), levels as the daily job sets them.
	"""update `tabCIMS Customer` set churn_risk_score = floor(pow(rand(7), 2) * 100)
	where lifecycle_stage != 'Churned Customer' and ifnull(churn_risk_score, 0) = 0""",
	"""update `tabCIMS Customer` set churn_risk = case when churn_risk_score >= 70 then 'High'
	when churn_risk_score >= 40 then 'Medium' when churn_risk_score >= 20 then 'Low' else 'None' end
	where lifecycle_stage != 'Churned Customer'""",
	"""update `tabCIMS Customer` set maintenance_due_on = date_add(date(creation), interval floor(rand(11) * 1000) day)
	where maintenance_due_on is null""",
	*(
		f"""insert ignore into `tabCIMS Stage Change` (name, creation, modified, owner, modified_by, docstatus, idx,
		reference_doctype, reference_name, customer, from_stage, to_stage, changed_by, changed_on,
		days_in_previous_stage, source)
		select concat('bench-{key}-', name), now(), now(), 'Administrator', 'Administrator', 0, 0,
		'CIMS Customer', name, name, '{from_stage}', '{to_stage}', ifnull(account_manager, 'Administrator'),
		date_add(creation, interval {offset} + days day), days, 'benchmark'
		from (select name, creation, account_manager, floor(1 + rand({seed}) * 90) as days
			from `tabCIMS Customer` where lifecycle_stage in ({stages})) moved"""
		for key, from_stage, to_stage, offset, seed, stages in (
			(
				"pi",
				"Potential Customer",
				"Intent Customer",
				0,
				1,
				"'Intent Customer', 'Active Customer', 'Paused Customer', 'Churned Customer'",
			),
			(
				"ia",
				"Intent Customer",
				"Active Customer",
				90,
				2,
				"'Active Customer', 'Paused Customer', 'Churned Customer'",
			),
			("ap", "Active Customer", "Paused Customer", 180, 3, "'Paused Customer', 'Churned Customer'"),
			("pc", "Paused Customer", "Churned Customer", 270, 4, "'Churned Customer'"),
		)
	),
	"""insert ignore into `tabCIMS Stage Change` (name, creation, modified, owner, modified_by, docstatus, idx,
	reference_doctype, reference_name, customer, from_stage, to_stage, changed_by, changed_on,
	days_in_previous_stage, source)
	select concat('bench-op-', o.name), now(), now(), 'Administrator', 'Administrator', 0, 0,
	'CIMS Opportunity', o.name, o.customer, first.name, o.sales_stage, ifnull(o.owner_user, 'Administrator'),
	o.stage_changed_on, greatest(0, timestampdiff(second, o.creation, o.stage_changed_on) / 86400), 'benchmark'
	from `tabCIMS Opportunity` o
	join (select name from `tabCIMS Sales Stage` order by sequence limit 1) first
	where o.stage_changed_on is not null and o.sales_stage != first.name""",
)


def synthesize() -> None:
	import frappe

	for statement in SYNTHESIS:
		start = time.perf_counter()
		frappe.db.sql(statement)
		print(f"  synthesized in {time.perf_counter() - start:5.1f} s: {' '.join(statement.split())[:80]}…")
	frappe.db.commit()


def connect(site: str, sites_path: str) -> None:
	import frappe

	os.chdir(sites_path)
	frappe.init(site=site, sites_path=".")
	frappe.connect()


def busiest_rep() -> str:
	import frappe

	customer, has_role = frappe.qb.DocType("CIMS Customer"), frappe.qb.DocType("Has Role")
	rows = (
		frappe.qb.from_(customer)
		.join(has_role)
		.on((has_role.parent == customer.account_manager) & (has_role.parenttype == "User"))
		.select(customer.account_manager, frappe.query_builder.functions.Count("*").as_("customers"))
		.where(has_role.role == "CIMS Sales Rep")
		.groupby(customer.account_manager)
		.orderby(frappe.query_builder.functions.Count("*"), order=frappe.qb.desc)
		.limit(1)
		.run()
	)
	if not rows:
		sys.exit("no customer is managed by a CIMS Sales Rep: fill the site with `cims-demo` first")
	return rows[0][0]


def timed(action, user: str, repeat: int) -> tuple[float, list[float], int]:
	"""(first run, later runs, rows of the last run) of `action` as `user`, in seconds."""
	import frappe

	frappe.set_user(user)
	try:
		durations, size = [], 0
		for _run in range(repeat + 1):
			frappe.db.rollback()  # a fresh transaction each time, as each request has
			start = time.perf_counter()
			size = action()
			durations.append(time.perf_counter() - start)
		return durations[0], durations[1:], size
	finally:
		frappe.set_user("Administrator")


def run_report(name: str):
	from frappe.desk.query_report import run

	def action():
		return len(run(name, filters={}, ignore_prepared_report=True)["result"])

	return action


def customer_list():
	import frappe

	meta = frappe.get_meta("CIMS Customer")
	fields = ["name", "modified", *[df.fieldname for df in meta.fields if df.in_list_view]]

	def action():
		return len(
			frappe.get_list(
				"CIMS Customer",
				fields=fields,
				order_by="`tabCIMS Customer`.`creation` desc",
				limit_start=0,
				limit_page_length=20,
			)
		)

	return action


def customer_count():
	import frappe

	def action():
		return frappe.get_list("CIMS Customer", fields=["count(*) as total"], order_by="")[0].total

	return action


def number_card(card):
	import frappe
	from frappe.desk.doctype.number_card.number_card import get_result

	def action():
		if card.type == "Custom":
			return 1 if frappe.get_attr(card.method)() is not None else 0
		return 1 if get_result(card, card.filters_json) is not None else 0

	return action


def row_rules_active() -> bool:
	import frappe

	return bool(frappe.get_hooks("permission_query_conditions").get("CIMS Customer"))


def main():
	args = parse_args()
	connect(args.site, args.sites_path)
	import frappe

	frappe.set_user("Administrator")
	if args.synthesize:
		synthesize()
	rep = args.rep or busiest_rep()
	counts = {
		doctype: frappe.db.count(doctype)
		for doctype in ("CIMS Customer", "CIMS Follow-Up", "CIMS Opportunity", "CIMS Campaign Member")
	}
	rep_customers = frappe.db.count("CIMS Customer", {"account_manager": rep})
	manager = None
	if args.manager:
		manager = frappe.db.get_value(
			"CIMS Sales Team", {"manager": ("is", "set")}, "manager", order_by="name"
		)
	print(f"site {args.site}: " + ", ".join(f"{count:,} {doctype}" for doctype, count in counts.items()))
	print(f"sales rep {rep} manages {rep_customers:,} customers; row rules active: {row_rules_active()}")
	if manager:
		print(f"sales manager {manager}")
	print(f"{args.repeat} timed runs after one warm-up; seconds\n")

	cases = []
	for name in REPORTS:
		cases.append((name, "Administrator", run_report(name), REPORT_TARGET))
		roles = {row.role for row in frappe.get_doc("Report", name).roles}
		if "CIMS Sales Rep" in roles:
			cases.append((name, "Sales Rep", run_report(name), REPORT_TARGET))
		if manager:
			cases.append((name, "Sales Manager", run_report(name), REPORT_TARGET))
	cases.append(("Customer list (20 newest)", "Sales Rep", customer_list(), LIST_TARGET))
	cases.append(("Customer list count", "Sales Rep", customer_count(), LIST_TARGET))
	for card in frappe.get_all("Number Card", filters={"module": "CIMS App"}, fields=["*"], order_by="name"):
		cases.append((f"Card: {card.label}", "Sales Rep", number_card(card), CARD_TARGET))

	header = f"| {'what':<36} | {'as':<13} | {'rows':>6} | {'first':>6} | {'median':>6} | {'worst':>6} | target | ok |"
	print(header)
	print("|" + "|".join("-" * (len(part) + 0) for part in header.split("|")[1:-1]) + "|")
	failures = 0
	for what, who, action, target in cases:
		user = {"Sales Rep": rep, "Sales Manager": manager}.get(who, "Administrator")
		first, runs, size = timed(action, user, args.repeat)
		median, worst = statistics.median(runs), max(runs)
		ok = median <= target
		failures += not ok
		print(
			f"| {what:<36} | {who:<13} | {size:>6} | {first:>6.3f} | {median:>6.3f} | {worst:>6.3f} "
			f"| {target:>6.1f} | {'yes' if ok else 'NO':<2} |"
		)
	print(f"\n{len(cases) - failures} of {len(cases)} within target (by median)")
	frappe.db.rollback()
	frappe.destroy()


if __name__ == "__main__":
	sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
	main()
