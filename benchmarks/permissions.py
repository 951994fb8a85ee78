"""Time the row-level rules (cims_app.access.permissions) on the paths a Sales Rep and a Sales Manager use most.

Target (SPEC §9): a sales rep's customer list ≤ 0.3 s at 100,000 customers; the other paths are shown
against the same bar. Run on demand (never as a test) on a site filled at scale, e.g.

	bench --site SITE cims-demo --customers 100000 --follow-ups 1000000 --opportunities 200000 --members 200000

then, from the bench's sites folder with the bench's python:

	cd /opt/cims-bench/sites && ../env/bin/python /path/to/cims_app/benchmarks/permissions.py --site SITE

Each path runs as the rep who manages the most customers and as the manager of the most customers'
teams: once to warm caches, then --repeat times; the table shows the median and the slowest run, and
the rows the user reached. Nothing is written.
"""

import argparse
import os
import statistics
import time

TARGET = 0.3


def parse_args():
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=os.environ.get("CIMS_SITES_PATH", "."))
	parser.add_argument("--repeat", type=int, default=7)
	return parser.parse_args()


def busiest(role: str, column: str, table: str) -> str | None:
	import frappe

	rows = frappe.db.sql(
		f"""select t.`{column}`, count(*) from `tab{table}` t
		join `tabHas Role` r on r.parent = t.`{column}` and r.parenttype = 'User' and r.role = %s
		group by t.`{column}` order by count(*) desc limit 1""",
		role,
	)
	return rows[0][0] if rows else None


def paths(customer_name: str, search_text: str, search_words: str):
	"""(label, callable returning a row count) as the Desk and the API call them."""
	import frappe
	from frappe.desk.reportview import get_count

	from cims_app.access.permissions import get_count as client_get_count
	from cims_app.access.permissions import global_search, search_link

	def customer_list_count():
		frappe.local.form_dict = frappe._dict(doctype="CIMS Customer", filters="[]", distinct="false")
		return get_count()

	def stage_filter_list():
		return len(
			frappe.get_list(
				"CIMS Customer",
				filters={"lifecycle_stage": "Intent Customer"},
				fields=["name", "customer_name"],
				order_by="creation desc",
				limit_page_length=20,
			)
		)

	def desk_list(doctype: str, fields: list[str]) -> int:
		"""A page of the Desk's list view: frappe.desk.reportview.get, through the app's override."""
		import json

		from frappe.handler import get_attr

		cmd = "frappe.desk.reportview.get"
		cmd = (frappe.get_hooks("override_whitelisted_methods", {}).get(cmd) or [cmd])[-1]
		frappe.local.form_dict = frappe._dict(
			doctype=doctype,
			fields=json.dumps(fields),
			filters="[]",
			order_by="creation desc",
			start=0,
			page_length=20,
		)
		data = get_attr(cmd)()
		return len(data["values"]) if data else 0

	def customer_list():
		return desk_list(
			"CIMS Customer", ["name", "customer_name", "lifecycle_stage", "account_manager", "modified"]
		)

	def follow_up_list():
		return desk_list("CIMS Follow-Up", ["name", "customer_name", "status", "scheduled_on"])

	def follow_up_count():
		return client_get_count("CIMS Follow-Up")

	def opportunity_list():
		return desk_list("CIMS Opportunity", ["name"])

	def contact_list():
		# Contact's own sort field, which the Desk list view sends (the framework indexes `modified`, not
		# `creation`, on its own tables)
		return len(
			frappe.get_list("Contact", fields=["name"], order_by="modified desc", limit_page_length=20)
		)

	def link_search():
		return len(search_link("CIMS Customer", search_text, page_length=10))

	def desk_search():
		# The awesome bar's full-text search (frappe.utils.global_search.search, overridden)
		return len(global_search(search_words, limit=20))

	def open_customer():
		doc = frappe.get_doc("CIMS Customer", customer_name)
		return int(frappe.has_permission("CIMS Customer", "read", doc=doc))

	return [
		("customer list (20, newest first)", customer_list),
		("customer list count", customer_list_count),
		("customer list filtered by stage", stage_filter_list),
		("follow-up list (20)", follow_up_list),
		("follow-up count (get_count)", follow_up_count),
		("opportunity list (20)", opportunity_list),
		("contact list (20)", contact_list),
		("customer link search", link_search),
		("global search (20)", desk_search),
		("open one customer (has_permission)", open_customer),
	]


def timed(run, repeat: int) -> tuple[float, float, int]:
	rows = run()
	times = []
	for _ in range(repeat):
		start = time.perf_counter()
		rows = run()
		times.append(time.perf_counter() - start)
	return statistics.median(times), max(times), rows


def main() -> None:
	args = parse_args()
	import frappe

	os.chdir(args.sites_path)
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	customers = frappe.db.count("CIMS Customer")
	follow_ups = frappe.db.count("CIMS Follow-Up")
	rep = busiest("CIMS Sales Rep", "account_manager", "CIMS Customer")
	manager = busiest("CIMS Sales Manager", "manager", "CIMS Sales Team")
	print(f"{args.site}: {customers} customers, {follow_ups} follow-ups; rep {rep}, manager {manager}")
	failed = False
	for user in (rep, manager):
		if not user:
			continue
		frappe.set_user(user)
		own = frappe.db.get_value("CIMS Customer", {"account_manager": user}, ["name", "customer_name"]) or (
			frappe.db.get_value("CIMS Customer", {}, ["name", "customer_name"])
		)
		print(f"\n{user} ({', '.join(r for r in frappe.get_roles(user) if r.startswith('CIMS'))})")
		print(f"  {'path':40} {'median':>8} {'slowest':>8} {'rows':>7}")
		for label, run in paths(own[0], own[1][:2], own[1]):
			median, slowest, rows = timed(run, args.repeat)
			flag = "" if median <= TARGET else "  > target"
			failed = failed or bool(flag)
			print(f"  {label:40} {median:8.3f} {slowest:8.3f} {rows:7}{flag}")
	frappe.destroy()
	raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
	main()
