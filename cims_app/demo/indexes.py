"""A large demo fill writes the big tables without their secondary indexes and builds them once at the end.

InnoDB keeps every secondary index up to date at each INSERT, one entry at a time in each index's own
order: with the follow-ups' fifteen indexes that is most of the database's work, and once the indexes
outgrow the buffer pool every batch waits for pages read back from disk. Built after the load, each index
is one sorted pass (all of a table's indexes in one ALTER, one scan of its rows).

Only a fill that at least doubles the site's customers defers them (an empty site, a benchmark site);
unique indexes always stay (they hold the exact keys). The statements that add the indexes back are kept
in the site's folder until they ran: a fill that dies in between (killed, out of memory) has them added
at the start of the next `cims-demo` run; one that fails with an error adds them before it stops.
"""

import json
import os
import time
from collections.abc import Callable

import frappe
from frappe import _

TABLES = (
	"CIMS Customer",
	"CIMS Follow-Up",
	"CIMS Opportunity",
	"CIMS Campaign Member",
	"Contact",
	"Contact Phone",
	"Contact Email",
	"Dynamic Link",
)
PENDING_FILE = "cims_demo_pending_indexes.json"


def worth_deferring(customers_to_add: int) -> bool:
	"""Whether a fill of `customers_to_add` at least doubles the site's customers."""
	existing = frappe.db.sql("SELECT COUNT(*) FROM `tabCIMS Customer`")[0][0]
	return customers_to_add >= max(existing, 1)


def secondary_indexes(doctype: str) -> dict[str, str]:
	"""Index name -> its column list as SQL (prefix lengths kept) for every non-unique B-tree index."""
	parts: dict[str, list] = {}
	for row in frappe.db.sql(f"SHOW INDEX FROM `tab{doctype}`", as_dict=True):
		if row.Key_name != "PRIMARY" and int(row.Non_unique) and row.Index_type == "BTREE":
			parts.setdefault(row.Key_name, []).append(row)
	return {
		name: ", ".join(
			f"`{row.Column_name}`" + (f"({int(row.Sub_part)})" if row.Sub_part else "")
			for row in sorted(rows, key=lambda row: int(row.Seq_in_index))
		)
		for name, rows in parts.items()
	}


def _pending_path() -> str:
	return frappe.get_site_path(PENDING_FILE)


def _load_pending() -> dict[str, dict[str, str]]:
	path = _pending_path()
	if not os.path.exists(path):
		return {}
	with open(path) as file:
		return json.load(file)


def _save_pending(pending: dict) -> None:
	path = _pending_path()
	with open(path + ".tmp", "w") as file:
		json.dump(pending, file, ensure_ascii=False, indent=1)
	os.replace(path + ".tmp", path)


def drop(log: Callable[[str], None]) -> None:
	"""Drop the secondary indexes of TABLES, remembering (in the site's folder) how to add them back."""
	pending = _load_pending()
	for doctype in TABLES:
		indexes = secondary_indexes(doctype)
		if not indexes:
			continue
		pending.setdefault(doctype, {}).update(indexes)
		_save_pending(pending)  # before the DROP: a run killed now still adds them back
		frappe.db.sql_ddl(
			f"ALTER TABLE `tab{doctype}` " + ", ".join(f"DROP INDEX `{name}`" for name in indexes)
		)
	log(
		_("Secondary indexes of {0} tables dropped for the fill; built again at its end").format(len(pending))
	)


def restore(log: Callable[[str], None]) -> None:
	"""Add back every index a fill dropped (one ALTER a table: its rows are read once for all of them)."""
	pending = _load_pending()
	for doctype, indexes in list(pending.items()):
		existing = set(secondary_indexes(doctype))
		missing = {name: columns for name, columns in indexes.items() if name not in existing}
		if missing:
			started = time.perf_counter()
			frappe.db.sql_ddl(
				f"ALTER TABLE `tab{doctype}` "
				+ ", ".join(f"ADD INDEX `{name}` ({columns})" for name, columns in missing.items())
			)
			log(
				_("Built {0} indexes of {1} in {2} s").format(
					len(missing), doctype, f"{time.perf_counter() - started:.1f}"
				)
			)
		del pending[doctype]
		_save_pending(pending)
	if os.path.exists(_pending_path()):
		os.remove(_pending_path())
