"""Where an import's database time goes, by statement, on sites of different sizes (issue 17).

growth.py times a 10,000-row import into each growth site by phase. This runs the same import (the same
file, the same workers) with MariaDB's slow query log set to catch every statement of the site's database,
and prints the server's own time for each kind of statement (numbers and quoted values folded, so the five
chunks' INSERTs into one table are one line) on each site, with the difference: which table's writes or
which lookup costs more as the site grows.

Logging every statement slows the import, so these runs are not timed runs: the first round on each site
warms it, the last is logged. It needs the database's root password (the slow log is a server setting; what
was set before is put back).

	/opt/cims-bench/env/bin/python benchmarks/import_statements.py --bench /opt/cims-bench \\
		--sites growth-10k.localhost growth-1m.localhost
"""

import argparse
import contextlib
import functools
import json
import re
import tempfile
from collections import defaultdict
from pathlib import Path

import growth

ENTRY = re.compile(
	r"^# Thread_id: .*?Schema: (?P<schema>\S*).*?^# Query_time: (?P<seconds>[\d.]+).*?$(?P<rest>.*?)(?=^# Time: |^# User@Host: |\Z)",
	re.S | re.M,
)
SETTINGS = ("slow_query_log", "slow_query_log_file", "long_query_time")
# The worker's own counts of the site before and after the timed import (frappe.db.count): not the import's.
WORKER_COUNTS = re.compile(r"^SELECT DISTINCT COUNT\(\*\) FROM ")


def statement_kind(text: str) -> str:
	"""A statement with its values folded: 'INSERT INTO `tabContact` (…) VALUES …' for every chunk's."""
	lines = [
		line for line in text.strip().splitlines() if not line.startswith(("SET timestamp", "use ", "#"))
	]
	statement = " ".join(" ".join(lines).split())
	statement = re.sub(r"'(?:[^'\\]|\\.)*'", "'…'", statement)
	statement = re.sub(r"\b\d+(?:\.\d+)?\b", "N", statement)
	statement = re.sub(r"\((?:'…'|N|NULL)(?:, ?(?:'…'|N|NULL))*\)", "(…)", statement)
	return statement[:100]


def read_log(path: Path, schema: str) -> dict[str, list]:
	"""{statement kind: [count, seconds]} of the site's database in a slow log."""
	kinds: dict[str, list] = defaultdict(lambda: [0, 0.0])
	for entry in ENTRY.finditer(path.read_text(encoding="utf-8", errors="replace")):
		statement = statement_kind(entry["rest"])
		if entry["schema"] != schema or WORKER_COUNTS.match(statement):
			continue
		kind = kinds[statement]
		kind[0] += 1
		kind[1] += float(entry["seconds"])
	return dict(kinds)


@contextlib.contextmanager
def slow_log(password: str, log: Path):
	"""MariaDB's slow log catching every statement into `log` while inside; the settings before put back."""
	before = growth.mysql_root(password, "SELECT " + ", ".join(f"@@GLOBAL.{name}" for name in SETTINGS))
	growth.mysql_root(
		password,
		f"SET GLOBAL slow_query_log_file = '{log}'; SET GLOBAL long_query_time = 0; SET GLOBAL slow_query_log = 1",
	)
	try:
		yield
	finally:
		values = dict(zip(SETTINGS, before.split("\t"), strict=True))
		growth.mysql_root(
			password,
			f"SET GLOBAL slow_query_log = {values['slow_query_log']}; "
			f"SET GLOBAL long_query_time = {values['long_query_time']}; "
			f"SET GLOBAL slow_query_log_file = '{values['slow_query_log_file']}'",
		)


def site_schema(bench: str, site: str) -> str:
	return json.loads((Path(bench) / "sites" / site / "site_config.json").read_text())["db_name"]


def main() -> None:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--bench", default="/opt/cims-bench")
	parser.add_argument("--sites", nargs="+", default=["growth-10k.localhost", "growth-1m.localhost"])
	parser.add_argument("--db-root-password", default="cims-root")
	parser.add_argument("--top", type=int, default=20, help="statement kinds shown, largest difference first")
	args = parser.parse_args()
	figures = {}
	with tempfile.TemporaryDirectory() as folder:
		Path(folder).chmod(0o777)  # the server writes the log
		for site in args.sites:
			growth.measure_import(args.bench, site, 0)  # warms the site
			log = Path(folder) / f"{site}.log"
			during = functools.partial(slow_log, args.db_root_password, log)
			seconds = growth.measure_import(args.bench, site, 0, during)["seconds"]
			figures[site] = read_log(log, site_schema(args.bench, site))
			print(f"{site}: the logged import took {seconds:.2f} s", flush=True)
	first, last = args.sites[0], args.sites[-1]
	kinds = set().union(*figures.values())

	def seconds(site, kind):
		return figures[site].get(kind, [0, 0.0])[1]

	ordered = sorted(kinds, key=lambda kind: -abs(seconds(last, kind) - seconds(first, kind)))
	print(
		f"\n{'server seconds':>14} | "
		+ " | ".join(f"{site[:20]:>20}" for site in args.sites)
		+ " | difference"
	)
	for kind in ordered[: args.top]:
		cells = " | ".join(
			f"{figures[site].get(kind, [0])[0]:>4} × {seconds(site, kind):9.3f} s" for site in args.sites
		)
		print(f"{'':>14} | {cells} | {seconds(last, kind) - seconds(first, kind):+.3f} s  {kind}")
	totals = " | ".join(f"{sum(v[1] for v in figures[site].values()):>17.3f} s" for site in args.sites)
	print(f"{'all':>14} | {totals}")


if __name__ == "__main__":
	main()
