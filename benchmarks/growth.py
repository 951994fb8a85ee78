"""Growth benchmark (issue 17): how each cost grows with the site, at 10,000, 100,000 and 1,000,000 customers.

For each size a site of its own (growth-10k.localhost, growth-100k.localhost, growth-1m.localhost: made
when missing) is filled by `bench --site SITE cims-demo --customers N` (10 follow-ups, 1.5 contacts,
2 opportunities and 2 campaign members a customer, the generator's defaults), timed with its peak
memory; then, each in a process of its own:

- every CIMS report with its default filters as Administrator and as the busiest Sales Rep;
- the rep's and the manager's customer and follow-up lists (20 newest) and counts, link search and
  global search (the paths of benchmarks/permissions.py);
- every daily job, first run of the day (benchmarks/daily_jobs.py);
- a 10,000-row import with contacts, names alike (上海…有限公司), into the filled site, --repeat times once
  InnoDB has purged what the daily jobs left (benchmarks/import_customers.py's workers; only what it wrote
  is deleted afterwards).

Each timed case runs once to warm caches, then --repeat times; the median counts. It prints a table of
times by size with the growth factor per 10x of data (1.0: flat; 10: grows as the data), and keeps every
size's figures in growth.last.json next to this file, so sizes measured on different runs add up:

	cd /work/main && /opt/cims-bench/env/bin/python benchmarks/growth.py --bench /opt/cims-bench \\
		--sizes 10000 100000
	/opt/cims-bench/env/bin/python benchmarks/growth.py --sizes 1000000 --skip-fill   # a site filled earlier
	/opt/cims-bench/env/bin/python benchmarks/growth.py --sizes 10000 1000000 --import-only  # imports again
	/opt/cims-bench/env/bin/python benchmarks/growth.py --table                       # the table only
"""

import argparse
import contextlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "growth.last.json"
IMPORT_ROWS = 10_000
# SPEC §9 targets at 1,000,000 customers (seconds), by case name prefix
TARGETS = {
	"report": 2.0,
	"rep: customer list": 0.3,
	"rep: customer list count": 0.3,
	"manager: follow-up list": 1.0,
	"daily jobs (all)": 300.0,
}


def label(size: int) -> str:
	return f"{size // 1_000_000}m" if size >= 1_000_000 else f"{size // 1000}k"


def site_for(size: int) -> str:
	return f"growth-{label(size)}.localhost"


def bench_command(bench: str) -> str:
	return str(Path(bench) / "env" / "bin" / "bench")


def mysql_root(password: str, statement: str) -> str:
	return subprocess.run(
		["mysql", "-uroot", f"-p{password}", "-N", "-e", statement],
		check=True,
		capture_output=True,
		text=True,
	).stdout.strip()


def set_buffer_pool(password: str, gigabytes: float) -> None:
	mysql_root(password, f"SET GLOBAL innodb_buffer_pool_size = {int(gigabytes * 1024**3)}")


def buffer_pool_gb(password: str) -> float:
	return round(int(mysql_root(password, "SELECT @@innodb_buffer_pool_size")) / 1024**3, 2)


def ensure_site(bench: str, site: str, password: str) -> None:
	if (Path(bench) / "sites" / site / "site_config.json").exists():
		return
	subprocess.run(
		[
			bench_command(bench),
			"new-site",
			site,
			"--admin-password",
			"admin",
			"--db-root-password",
			password,
			"--install-app",
			"cims_app",
		],
		cwd=bench,
		check=True,
		capture_output=True,
	)


def fill(bench: str, site: str, size: int) -> dict:
	"""cims-demo --customers N on an empty site: seconds, rows per second, peak memory."""
	started = time.perf_counter()
	output = subprocess.run(
		[bench_command(bench), "--site", site, "cims-demo", "--customers", str(size)],
		cwd=bench,
		check=True,
		capture_output=True,
		text=True,
	)
	seconds = time.perf_counter() - started
	peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
	return {
		"fill_seconds": round(seconds, 1),
		"fill_customers_per_second": round(size / seconds, 1),
		"fill_peak_rss_mb_children": round(peak, 1),
		"fill_log_tail": output.stdout[-1500:],
	}


# The measuring worker (one process per size) ----------------------------------------------------------


def timed(action, repeat: int) -> tuple[float, int]:
	import frappe

	frappe.db.rollback()
	size = action()
	times = []
	for _ in range(repeat):
		frappe.db.rollback()  # a fresh transaction each time, as each request has
		started = time.perf_counter()
		size = action()
		times.append(time.perf_counter() - started)
	return statistics.median(times), size


def worker_measure(bench: str, site: str, repeat: int, jobs: bool = True) -> dict:
	sys.path.insert(0, str(HERE))
	os.chdir(Path(bench) / "sites")
	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	import daily_jobs
	import permissions
	import reports

	counts = {
		doctype: frappe.db.count(doctype)
		for doctype in (
			"CIMS Customer",
			"CIMS Follow-Up",
			"CIMS Opportunity",
			"Contact",
			"CIMS Campaign Member",
		)
	}
	rep = permissions.busiest("CIMS Sales Rep", "account_manager", "CIMS Customer")
	manager = permissions.busiest("CIMS Sales Manager", "manager", "CIMS Sales Team")
	cases: dict[str, dict] = {}

	def record(name: str, user: str, action) -> None:
		frappe.set_user(user)
		try:
			seconds, rows = timed(action, repeat)
		finally:
			frappe.set_user("Administrator")
		cases[name] = {"seconds": round(seconds, 4), "rows": rows}
		print(f"  {name:55} {seconds:8.3f} s  {rows}", file=sys.stderr, flush=True)

	for name in reports.REPORTS:
		record(f"report: {name} (Administrator)", "Administrator", reports.run_report(name))
		roles = {row.role for row in frappe.get_doc("Report", name).roles}
		if "CIMS Sales Rep" in roles:
			record(f"report: {name} (rep)", rep, reports.run_report(name))
	wanted = {
		"customer list (20, newest first)": "customer list",
		"customer list count": "customer list count",
		"follow-up list (20)": "follow-up list",
		"follow-up count (get_count)": "follow-up count",
		"customer link search": "link search",
		"global search (20)": "global search",
	}
	for who, user in (("rep", rep), ("manager", manager)):
		frappe.set_user(user)
		own = frappe.db.get_value("CIMS Customer", {"account_manager": user}, ["name", "customer_name"]) or (
			frappe.db.get_value("CIMS Customer", {}, ["name", "customer_name"])
		)
		frappe.set_user("Administrator")
		for path_label, run in permissions.paths(own[0], own[1][:2], own[1]):
			if path_label in wanted:
				record(f"{who}: {wanted[path_label]}", user, run)
	if not jobs:
		frappe.destroy()
		return {"counts": counts, "rep": rep, "manager": manager, "cases": cases}
	# Daily jobs, first run of the day (each job once: a rerun the same day has nothing left to do).
	counter = daily_jobs.StatementCounter(frappe)
	daily, _frequent = daily_jobs.jobs_from_hooks(frappe)
	jobs = daily_jobs.run_pass(frappe, counter, daily)
	for job, seconds, statements, _result in jobs:
		cases[f"daily job: {job}"] = {"seconds": round(seconds, 3), "rows": statements}
		print(f"  daily job {job:45} {seconds:8.2f} s", file=sys.stderr, flush=True)
	cases["daily jobs (all)"] = {"seconds": round(sum(row[1] for row in jobs), 2), "rows": len(jobs)}
	frappe.destroy()
	return {"counts": counts, "rep": rep, "manager": manager, "cases": cases}


def import_file(bench: str, site: str) -> Path:
	"""The growth benchmark's import file: IMPORT_ROWS alike names with contacts, made once."""
	sys.path.insert(0, str(HERE))
	import import_customers as ic

	workdir = Path("/tmp/cims-growth-bench")
	workdir.mkdir(parents=True, exist_ok=True)
	path = workdir / f"alike-{IMPORT_ROWS}.xlsx"
	if not path.exists():
		masters = ic.run_worker("masters", worker_args(bench, site, path))
		rows = ic.make_rows(IMPORT_ROWS, masters, seed=17, alike=True)
		ic.write_xlsx(path, "客户", ic.HEADER, (ic.ours(row) for row in rows))
	return path


def worker_args(bench: str, site: str, path: Path, batch: str = ""):
	"""The arguments of an import_customers.py worker for `site`, `path` and `batch`."""

	class Args:
		pass

	args = Args()
	args.bench, args.site, args.existing = bench, site, 1
	args.file_for_worker, args.batch_for_worker = str(path), batch
	args.automation_for_worker = False
	return args


def measure_import(bench: str, site: str, size: int, during=contextlib.nullcontext) -> dict:
	"""A 10,000-row import (alike names, contacts) into the filled site, through import_customers.py's
	workers; what it wrote is deleted by the next upload worker and at the end. `during()` is entered around
	the import alone (import_statements.py logs its statements there)."""
	import import_customers as ic

	path = import_file(bench, site)
	batch = ic.run_worker("upload", worker_args(bench, site, path))["batch"]
	with during():
		result = ic.run_worker("ours", worker_args(bench, site, path, batch))
	# deletes what the import wrote (and leaves an empty batch)
	ic.run_worker("upload", worker_args(bench, site, path))
	return result


def history_length(password: str) -> int:
	"""InnoDB's undo records not yet purged (SHOW ENGINE INNODB STATUS: History list length)."""
	found = re.search(r"History list length (\d+)", mysql_root(password, "SHOW ENGINE INNODB STATUS"))
	return int(found.group(1)) if found else 0


def wait_for_purge(password: str, settled: int = 1_000, timeout: float = 900) -> dict:
	"""Wait until InnoDB has purged the old row versions that the daily jobs left: their set-based UPDATEs of
	a million customers leave as many undo records, purged in the background by a thread that takes one of
	the two cores for minutes, and an import measured meanwhile shares the machine with it. The length found
	and the seconds waited go into the JSON."""
	started = time.perf_counter()
	found = length = history_length(password)
	while length > settled and time.perf_counter() - started < timeout:
		time.sleep(5)
		length = history_length(password)
	return {"history_length_before": found, "purge_wait_seconds": round(time.perf_counter() - started, 1)}


def measure_imports(bench: str, site: str, size: int, repeat: int, password: str) -> dict:
	"""measure_import `repeat` times once the purge has caught up: the median run's figures, with every run's
	seconds."""
	settled = wait_for_purge(password)
	runs = [measure_import(bench, site, size) for _ in range(max(1, repeat))]
	median = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
	return {**median, "runs_seconds": [run["seconds"] for run in runs], **settled}


def import_into(args, site: str, size: int) -> dict:
	print(f"{site}: importing {IMPORT_ROWS:,} rows …", flush=True)
	return measure_imports(args.bench, site, size, args.repeat, args.db_root_password)


# Table ------------------------------------------------------------------------------------------------


def rerun_name(name: str) -> str:
	if name == "daily jobs (all)":
		return "daily jobs (all, rerun the same day)"
	return name.replace("daily job:", "daily job (rerun):")


def load() -> dict:
	return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def save(results: dict) -> None:
	RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")


def print_table(results: dict) -> None:
	sizes = sorted(results, key=int)
	names: list[str] = []
	for size in sizes:
		for name in results[size].get("cases", {}):
			if name not in names:
				names.append(name)
	width = max([len(name) for name in names] + [30])
	header = f"| {'what':<{width}} |" + "".join(f" {label(int(size)):>8} |" for size in sizes)
	header += " per 10x |" + " target at 1m |"
	print(header)
	print("|" + "-" * (width + 2) + "|" + "---------:|" * len(sizes) + "--------:|--------------:|")

	def row(name: str, values: list[float | None], target: float | None) -> None:
		cells = "".join(f" {value:8.3f} |" if value is not None else f" {'':8} |" for value in values)
		known = [(int(size), value) for size, value in zip(sizes, values, strict=True) if value]
		factor = ""
		if len(known) >= 2:
			(first_size, first), (last_size, last) = known[0], known[-1]
			decades = max(1e-9, __import__("math").log10(last_size / first_size))
			factor = f"{(last / first) ** (1 / decades):.1f}x"
		limit = f"{target:g} s" if target else ""
		print(f"| {name:<{width}} |{cells} {factor:>7} | {limit:>13} |")

	for name in names:
		values = [results[size].get("cases", {}).get(name, {}).get("seconds") for size in sizes]
		target = next((seconds for prefix, seconds in TARGETS.items() if name.startswith(prefix)), None)
		row(name, values, target)
	row(
		"import 10,000 rows: s",
		[results[size].get("import", {}).get("seconds") for size in sizes],
		None,
	)
	row(
		"import: ms per row",
		[
			(1000 / results[size]["import"]["rows_per_second"]) if results[size].get("import") else None
			for size in sizes
		],
		None,
	)
	row("cims-demo fill: s", [results[size].get("fill", {}).get("fill_seconds") for size in sizes], 1200.0)
	# The machine's speed when each size was measured: a fixed Python loop (0.28-0.31 s on a quiet machine);
	# compare sizes measured at different loads with it.
	row("calibration: Python loop, s", [results[size].get("python_loop_seconds") for size in sizes], None)


def main() -> None:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--bench", default="/opt/cims-bench")
	parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
	parser.add_argument("--repeat", type=int, default=3)
	parser.add_argument("--db-root-password", default="cims-root")
	parser.add_argument("--skip-fill", action="store_true", help="measure the sites as they are")
	parser.add_argument("--skip-import", action="store_true")
	parser.add_argument(
		"--import-only",
		action="store_true",
		help="only the imports, into sites measured before (kept figures)",
	)
	parser.add_argument("--skip-jobs", action="store_true", help="leave the daily jobs out")
	parser.add_argument("--table", action="store_true", help="print the table of growth.last.json only")
	parser.add_argument(
		"--buffer-pool-gb",
		type=float,
		help="first set MariaDB's innodb_buffer_pool_size (GB) for the run, as a server for that size would "
		"have it (SET GLOBAL: until MariaDB restarts)",
	)
	parser.add_argument("--worker", action="store_true")
	parser.add_argument("--site")
	args = parser.parse_args()
	if args.worker:
		print(json.dumps(worker_measure(args.bench, args.site, args.repeat, not args.skip_jobs)))
		return
	results = load()
	if args.table:
		print_table(results)
		return
	sys.path.insert(0, str(HERE))
	from import_customers import python_loop_seconds

	if args.buffer_pool_gb:
		set_buffer_pool(args.db_root_password, args.buffer_pool_gb)
	for size in args.sizes:
		site = site_for(size)
		entry: dict = {
			"site": site,
			"load_before": os.getloadavg(),
			"python_loop_seconds": python_loop_seconds(),
			"buffer_pool_gb": buffer_pool_gb(args.db_root_password),
		}
		if args.import_only:
			entry = {**results[str(size)], **entry}
			entry["import"] = import_into(args, site, size)
			results[str(size)] = entry
			save(results)
			continue
		ensure_site(args.bench, site, args.db_root_password)
		if not args.skip_fill:
			print(f"{site}: cims-demo --customers {size} …", flush=True)
			entry["fill"] = fill(args.bench, site, size)
			print(f"  {entry['fill']['fill_seconds']} s", flush=True)
		elif size_key := results.get(str(size), {}).get("fill"):
			entry["fill"] = size_key
		print(f"{site}: measuring …", flush=True)
		output = subprocess.run(
			[
				sys.executable,
				str(Path(__file__).resolve()),
				"--worker",
				"--bench",
				args.bench,
				"--site",
				site,
				"--repeat",
				str(args.repeat),
				*(["--skip-jobs"] if args.skip_jobs else []),
			],
			capture_output=True,
			text=True,
			cwd=str(REPO),
		)
		if output.returncode:
			raise SystemExit(f"measuring {site} failed:\n{output.stdout[-3000:]}\n{output.stderr[-5000:]}")
		measured = json.loads(output.stdout.strip().splitlines()[-1])
		if args.skip_fill:
			# The daily jobs already ran today on this site: this is their rerun, kept apart from the first run
			# of the day that the fill's measurement had.
			measured["cases"] = {rerun_name(name): value for name, value in measured["cases"].items()}
			earlier = results.get(str(size), {}).get("cases", {})
			for name, value in earlier.items():
				if name.startswith("daily job") and "(rerun)" not in name:
					measured["cases"][name] = value
		earlier = results.get(str(size), {})
		# A partial run (--skip-jobs, --skip-import) keeps the earlier run's figures of what it left out.
		measured["cases"] = {**earlier.get("cases", {}), **measured["cases"]}
		entry.update(measured)
		if not args.skip_import:
			entry["import"] = import_into(args, site, size)
		elif "import" in earlier:
			entry["import"] = earlier["import"]
		entry["load_after"] = os.getloadavg()
		results[str(size)] = entry
		save(results)
	print_table(results)


if __name__ == "__main__":
	main()
