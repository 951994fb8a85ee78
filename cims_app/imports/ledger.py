"""The batch's ledger (CIMS Import Row): which rows of the file are done and how, which failed. A run reads
it to skip what an earlier run of the batch did, and writes it with each chunk."""

import json
from collections.abc import Iterable

import frappe
from frappe.utils import now_datetime

from cims_app.db.bulk_insert import hash_name, insert_rows
from cims_app.imports.context import FAILED, OUTCOMES, ImportContext, SourceRow

LEDGER = "CIMS Import Row"
IN_VALUES = 900  # values of one IN list (MariaDB's in_predicate_conversion_threshold is 1,000)


class Ledger:
	"""The batch's CIMS Import Row entries: which source rows are done, which failed.

	Read a chunk at a time (`load`), for the rows of that chunk only: the entries of a run again over
	a file of 100,000 rows are never all in memory."""

	def __init__(self, batch: str):
		self.batch = batch
		self.by_hash: dict[str, tuple[str, str]] = {}
		self.by_id: dict[str, str] = {}
		# A batch's first run has no entry to find: what it writes itself is never looked up again (below).
		self.empty = not frappe.db.exists(LEDGER, {"batch": batch})

	def load(self, rows: list[SourceRow]) -> None:
		"""The entries the rows may be: those with their hashes and those their Import Row IDs name."""
		self.by_hash, self.by_id = {}, {}
		if not rows or self.empty:
			return
		# A few IN lists of at most IN_VALUES values each: MariaDB turns a longer list into a derived table
		# and then read every entry of the batch so far through its index's first column (a cost per chunk
		# growing with the batch: 2,000 hashes in a batch of 10,000 entries 0.08 s, 900 hashes 0.03 s).
		hashes = sorted({row.row_hash for row in rows})
		refs = sorted({row.ref for row in rows if row.ref})
		for column, wanted in (("row_hash", hashes), ("name", refs)):
			for start in range(0, len(wanted), IN_VALUES):
				for name, row_hash, status in frappe.db.sql(
					f"""SELECT name, row_hash, status FROM `tab{LEDGER}`
					WHERE batch = %(batch)s AND `{column}` IN %(values)s""",
					{"batch": self.batch, "values": tuple(wanted[start : start + IN_VALUES])},
				):
					self.by_hash[row_hash] = (name, status)
					self.by_id[name] = status

	def claim(self, row: SourceRow) -> bool:
		"""Whether the row still needs work; a row already imported by this batch is left alone."""
		if row.ref and row.ref in self.by_id:
			if self.by_id[row.ref] != FAILED:
				return False
			known = self.by_hash.get(row.row_hash)
			if known and known[0] != row.ref and known[1] != FAILED:
				return False
			row.entry = row.ref
			return True
		known = self.by_hash.get(row.row_hash)
		if known:
			if known[1] != FAILED:
				return False
			row.entry = known[0]
		return True

	def write(self, rows: Iterable[SourceRow], context: ImportContext) -> None:
		now = now_datetime()
		user = frappe.session.user
		new = []
		for row in rows:
			failed = row.status == FAILED
			message = context.error_text(row) if failed else row.message
			cells = json.dumps(context.row_cells(row), ensure_ascii=False, default=str) if failed else None
			bad = json.dumps(context.bad_headers(row), ensure_ascii=False) if failed else None
			possible = (
				json.dumps(row.possible_duplicates, ensure_ascii=False) if row.possible_duplicates else None
			)
			values = (row.row_hash, row.number, row.status, row.record, message, cells, bad, possible)
			if row.entry:
				frappe.db.sql(
					f"""UPDATE `tab{LEDGER}` SET row_hash=%s, sheet_row=%s, status=%s, record=%s, message=%s,
					cells=%s, bad_columns=%s, possible_duplicates=%s, modified=%s, modified_by=%s WHERE name=%s""",
					(*values, now, user, row.entry),
				)
				self.by_id[row.entry] = row.status
				self.by_hash[row.row_hash] = (row.entry, row.status)
			else:
				row.entry_name = hash_name()
				new.append((row.entry_name, self.batch, *values, now, now, user, user))
		if new:
			insert_rows(
				LEDGER,
				(
					"name",
					"batch",
					"row_hash",
					"sheet_row",
					"status",
					"record",
					"message",
					"cells",
					"bad_columns",
					"possible_duplicates",
					"creation",
					"modified",
					"owner",
					"modified_by",
				),
				new,
			)
			# New entries are not remembered: a row later in this run cannot name them (their names are
			# new) nor share their hash (a repeated row's hash carries its occurrence), and a run of 100,000
			# rows would keep two dict entries per row for nothing.

	def counts(self) -> dict[str, int]:
		counts = dict.fromkeys(OUTCOMES, 0)
		for status, count in frappe.db.sql(
			f"SELECT status, COUNT(*) FROM `tab{LEDGER}` WHERE batch = %s GROUP BY status", (self.batch,)
		):
			counts[status] = int(count)
		return counts
