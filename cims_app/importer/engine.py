"""The import run of a CIMS Import Batch: check the file, map the columns, stream the rows in chunks,
normalise them with the domain rules, let the DocType's handler decide and write, keep the ledger.

Each chunk is one transaction holding its records and their ledger rows (CIMS Import Row), so a run
that dies half-way leaves whole chunks behind, and running the batch again skips every row the
ledger already has: no row is ever inserted twice.
"""

import ctypes
import dataclasses
import functools
import hashlib
import json
import os
import time
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

import frappe
from frappe import _
from frappe.realtime import get_doc_room
from frappe.utils import cint, now_datetime

from cims_app.domain.compact import HashPositions
from cims_app.domain.errors import RuleViolation
from cims_app.domain.import_mapping import ColumnMapping, column_label, map_headers
from cims_app.importer.bulk import hash_name, insert_rows
from cims_app.importer.reader import ImportFileError, SheetInfo, inspect_file, iter_rows, read_ahead
from cims_app.importer.rows import RowError, cell_text, normalise_row
from cims_app.importer.schema import (
	REASON_FIELD,
	ROW_REF_FIELD,
	import_columns,
	link_lookups,
	mapping_targets,
	synonyms,
)
from cims_app.importer.template import is_example_cells
from cims_app.validation import get_setting

BATCH = "CIMS Import Batch"
LEDGER = "CIMS Import Row"
INSERTED, UPDATED, MERGED, SKIPPED, FAILED = "Inserted", "Updated", "Merged", "Skipped", "Failed"
OUTCOMES = (INSERTED, UPDATED, MERGED, SKIPPED, FAILED)
COUNT_FIELDS = {
	INSERTED: "inserted",
	UPDATED: "updated",
	MERGED: "merged",
	SKIPPED: "skipped",
	FAILED: "failed",
}
CHUNK_ROWS = 2000
IN_VALUES = 900  # values of one IN list (MariaDB's in_predicate_conversion_threshold is 1,000)
PREVIEW_ROWS = 20
DEFAULT_MAX_ROWS = 200000
DEFAULT_MAX_MB = 50


@dataclass(eq=False, slots=True)
class SourceRow:
	"""One data row of the file on its way through a run. A run holds the rows of one chunk at a time
	(and the reader the next chunk's cells): nothing keeps a row once its chunk is written."""

	number: int
	cells: tuple
	row_hash: str
	ref: str | None = None  # the ledger row named in the file's Import Row ID column
	entry: str | None = None  # the ledger row this run updates (a failed row tried again)
	values: dict = field(default_factory=dict)
	errors: list[RowError] = field(default_factory=list)
	status: str | None = None
	record: str | None = None
	message: str = ""
	possible_duplicates: list[str] = field(default_factory=list)
	action: str | None = None  # what the handler will do: insert, update, merge
	plan: str = ""  # the preview's description of what a run would do
	entry_name: str | None = None
	target: object = None  # the record (name) or earlier SourceRow an update or merge goes to
	data: dict = field(default_factory=dict)  # handler's working values

	def fail(self, message: str, fieldname: str | None = None) -> None:
		self.errors.append(RowError(fieldname, message))
		self.status = FAILED

	def outcome(self, status: str, message: str = "", record: str | None = None) -> None:
		self.status = status
		self.message = message
		if record:
			self.record = record


class RowHashes:
	"""The ledger's identity of each row: the SHA-1 of its cells, with #2, #3... on the second and later
	copies of the same cells in one file (so every row of a file has its own entry).

	Copies are counted by the digest's first 64 bits, 12 bytes a row (a dict of hex digests took ~150):
	should two different rows ever share them, the later one's hash still carries its own digest and
	is the same on every run of the file, which is all the ledger needs.
	"""

	def __init__(self):
		self._seen = HashPositions()

	def row_hash(self, content: str) -> str:
		digest = hashlib.sha1(content.encode("utf-8")).digest()
		prefix = int.from_bytes(digest[:8], "big", signed=True)
		copy = len(self._seen.get(prefix)) + 1
		self._seen.add(prefix, 0)
		return digest.hex() if copy == 1 else f"{digest.hex()}#{copy}"


class ImportContext:
	"""Everything a run knows about the batch, its file and its columns; shared with the handler."""

	def __init__(self, batch, info: SheetInfo):
		self.batch = batch
		self.doctype = batch.import_doctype
		self.import_type = batch.import_type
		self.policy = batch.conflict_policy
		self.info = info
		self.columns = import_columns(self.doctype)
		self.specs = {column.fieldname: column.spec for column in self.columns}
		self.labels = {column.fieldname: column.spec.label for column in self.columns}
		self.mapping = map_columns(batch, info.header, self.columns)
		self.fields = {index: name for index, name in self.mapping.fields.items() if name in self.specs}
		self.ref_column = self.mapping.column_of(ROW_REF_FIELD)
		self.wan_fields = {self.mapping.fields[index] for index in self.mapping.wan_columns}
		self.links = link_lookups(
			[column for column in self.columns if column.fieldname in self.fields.values()]
		)
		self.headers = [column_label(info.header, index) for index in range(len(info.header))]
		self.file_name = file_label(batch)
		self.data_source = _("Import batch {0} ({1})").format(batch.name, self.file_name)
		self.today = frappe.utils.getdate()

	def source_row(self, number: int, cells: tuple, hashes: "RowHashes") -> SourceRow:
		width = len(self.info.header)
		cells = tuple(cells[:width]) + (None,) * (width - len(cells))
		ref = None
		if self.ref_column is not None:
			ref = cell_text(cells[self.ref_column]) or None
		content = "\x1f".join(
			cell_text(value) for index, value in enumerate(cells) if index != self.ref_column
		)
		return SourceRow(number=number, cells=cells, row_hash=hashes.row_hash(content), ref=ref)

	def normalise(self, row: SourceRow) -> None:
		cells = {name: row.cells[index] for index, name in self.fields.items()}
		result = normalise_row(
			cells,
			self.specs_for_file(),
			self.links,
			wan_fields=self.wan_fields,
			amounts_in_wan=bool(self.batch.amounts_in_wan),
			today=self.today,
		)
		row.values = result.values
		row.errors.extend(result.errors)
		if row.errors:
			row.status = FAILED

	def specs_for_file(self):
		"""Specs of the mapped columns, plus required fields the file lacks (so each row says so)."""
		if not hasattr(self, "_file_specs"):
			mapped = set(self.fields.values())
			if self.import_type == "Update":
				self._file_specs = {
					name: dataclasses.replace(spec, required=False)
					for name, spec in self.specs.items()
					if name in mapped
				}
			else:
				self._file_specs = {
					name: spec for name, spec in self.specs.items() if name in mapped or spec.required
				}
		return self._file_specs

	def row_cells(self, row: SourceRow) -> dict:
		"""The row's original cells by header (every column of the file, blanks included, except the error
		workbook's own reason and row-ID columns), for the error workbook (JSON-safe)."""
		own = {ROW_REF_FIELD, REASON_FIELD}
		return {
			self.headers[index]: _json_cell(value)
			for index, value in enumerate(row.cells)
			if index < len(self.headers) and self.headers[index] and self.mapping.fields.get(index) not in own
		}

	def bad_headers(self, row: SourceRow) -> list[str]:
		columns = {name: index for index, name in self.fields.items()}
		return sorted(
			{self.headers[columns[error.fieldname]] for error in row.errors if error.fieldname in columns}
		)

	def error_text(self, row: SourceRow) -> str:
		parts = []
		for error in row.errors:
			message = _(error.message).format(*error.params)
			label = self.labels.get(error.fieldname)
			parts.append(f"{label}: {message}" if label and label not in message else message)
		return "; ".join(parts)


def _json_cell(value):
	if hasattr(value, "isoformat"):
		return value.isoformat()
	return value


def file_label(batch) -> str:
	return os.path.basename((batch.import_file or "").split("?")[0]) or batch.name


def map_columns(batch, header: list, columns) -> ColumnMapping:
	overrides = None
	if batch.column_mapping:
		try:
			overrides = json.loads(batch.column_mapping)
		except ValueError:
			frappe.throw(_("Column Mapping is not valid JSON: {0}").format(batch.column_mapping))
		if not isinstance(overrides, dict):
			frappe.throw(_("Column Mapping must map each column header to a fieldname"))
	return map_headers(
		header, mapping_targets(batch.import_doctype, columns), synonyms(batch.import_doctype), overrides
	)


class Ledger:
	"""The batch's CIMS Import Row entries: which source rows are done, which failed.

	Read a chunk at a time (`load`), for the rows of that chunk only: the entries of a run again over
	a file of 100,000 rows are never all in memory."""

	def __init__(self, batch: str):
		self.batch = batch
		self.by_hash: dict[str, tuple[str, str]] = {}
		self.by_id: dict[str, str] = {}

	def load(self, rows: list[SourceRow]) -> None:
		"""The entries the rows may be: those with their hashes and those their Import Row IDs name."""
		self.by_hash, self.by_id = {}, {}
		if not rows:
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
			if row.entry:
				frappe.db.sql(
					f"""UPDATE `tab{LEDGER}` SET row_hash=%s, sheet_row=%s, status=%s, record=%s, message=%s,
					cells=%s, bad_columns=%s, possible_duplicates=%s, modified=%s, modified_by=%s WHERE name=%s""",
					(
						row.row_hash,
						row.number,
						row.status,
						row.record,
						message,
						cells,
						bad,
						possible,
						now,
						user,
						row.entry,
					),
				)
				self.by_id[row.entry] = row.status
				self.by_hash[row.row_hash] = (row.entry, row.status)
			else:
				row.entry_name = hash_name()
				new.append(
					(
						row.entry_name,
						self.batch,
						row.row_hash,
						row.number,
						row.status,
						row.record,
						message,
						cells,
						bad,
						possible,
						now,
						now,
						user,
						user,
					)
				)
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


@functools.cache
def _malloc_trim():
	try:
		return ctypes.CDLL("libc.so.6").malloc_trim
	except (OSError, AttributeError):
		return None


def release_free_memory() -> None:
	"""Give the C heap's free pages back to the system (glibc's malloc_trim; elsewhere nothing).

	A chunk's rows, SQL strings and result sets are freed when the next chunk starts, but glibc keeps
	the freed pages of its arenas (the reader thread has its own) mapped, so a long run's resident memory
	creeps up with fragmentation although what it holds does not."""
	trim = _malloc_trim()
	if trim is not None:
		trim(0)


def chunks(iterable: Iterable, size: int) -> Iterator[list]:
	iterator = iter(iterable)
	while chunk := list(islice(iterator, size)):
		yield chunk


def limits() -> tuple[float, int]:
	return (
		float(get_setting("import_max_file_mb", DEFAULT_MAX_MB)),
		int(get_setting("import_max_rows", DEFAULT_MAX_ROWS)),
	)


def readable_import_file(file_url: str | None):
	"""The File record of `file_url` the session user may read (frappe.has_permission on File: its owner,
	whoever may read the record it is attached to, anyone for a public file), as a download of it would
	be judged: an import reads only a file its user could open. A URL no File record holds, or held only
	by records the user may not read, is refused."""
	if not file_url:
		frappe.throw(_("Attach the file to import first"))
	for name in frappe.get_all(
		"File", filters={"file_url": file_url, "is_folder": 0}, pluck="name", order_by="creation asc"
	):
		file_doc = frappe.get_doc("File", name)
		if frappe.has_permission("File", "read", doc=file_doc):
			return file_doc
	frappe.throw(
		_("You may not read the file {0}: attach a file of your own to import it").format(file_url),
		frappe.PermissionError,
		title=_("Not Permitted"),
	)


def file_path(batch) -> str:
	return readable_import_file(batch.import_file).get_full_path()


def file_error_message(error: ImportFileError) -> str:
	return _(error.message).format(*error.params)


def handler_for(context: ImportContext, write: bool = True):
	from cims_app.importer.customers import CustomerHandler
	from cims_app.importer.records import handler_class

	if context.doctype == "CIMS Customer":
		return CustomerHandler(context, write=write)
	return handler_class(context.doctype)(context, write=write)


class ImportRun:
	"""One run of a batch over its file (the background job, the CLI and the tests all use it)."""

	def __init__(self, batch_name: str, progress=None, chunk_rows: int = CHUNK_ROWS):
		self.batch = frappe.get_doc(BATCH, batch_name)
		self.progress = progress
		self.chunk_rows = chunk_rows
		self.run_counts: Counter = Counter()
		self.already_done = 0
		self.examples = 0
		self.notes: list[str] = []
		self.timings: Counter = Counter()

	def _tick(self, phase: str, since: float) -> float:
		now = time.perf_counter()
		self.timings[phase] += now - since
		return now

	def run(self) -> dict[str, int]:
		batch = self.batch
		started = time.monotonic()
		self._set_status("Running")
		try:
			frappe.has_permission(
				batch.import_doctype, "write" if batch.import_type == "Update" else "create", throw=True
			)
			max_mb, max_rows = limits()
			info = inspect_file(file_path(batch), max_mb, max_rows)
			context = ImportContext(batch, info)
			self._refuse_missing_required(context)
			handler = handler_for(context)
			handler.prepare()
			if automations := getattr(handler, "automations", None):
				self.notes.append(
					_(
						"The site has automations for these records ({0}): each new record was saved one by one, as in the form, so that they ran"
					).format(", ".join(automations))
					if getattr(handler, "one_by_one", None)
					else _(
						"The site has automations for these records ({0}): they ran on each new record after it was written, as in the form"
					).format(", ".join(automations))
				)
			ledger = Ledger(batch.name)
		except ImportFileError as error:
			return self._fail(file_error_message(error))
		except (frappe.ValidationError, frappe.PermissionError) as error:
			return self._fail(str(error))
		try:
			hashes = RowHashes()
			done_rows = 0
			total = max(1, info.row_bound - info.header_row)
			timings = self.timings
			clock = time.perf_counter()
			for chunk in read_ahead(chunks(iter_rows(info), self.chunk_rows)):
				timings["read"] += time.perf_counter() - clock
				clock = time.perf_counter()
				sources = []
				for number, cells in chunk:
					if is_example_cells(cells):
						self.examples += 1
						continue
					sources.append(context.source_row(number, cells, hashes))
				ledger.load(sources)
				rows = []
				for row in sources:
					if not ledger.claim(row):
						self.already_done += 1
						continue
					context.normalise(row)
					rows.append(row)
				clock = self._tick("normalise", clock)
				handler.process(rows)
				for row in rows:
					if not row.status:
						row.fail(_("The row was not processed"))
				clock = self._tick("records", clock)
				ledger.write(rows, context)
				self.run_counts.update(row.status for row in rows)
				done_rows += len(chunk)
				clock = self._tick("ledger", clock)
				self._beat(done_rows)
				frappe.db.commit()
				release_free_memory()
				self._publish(done_rows, total)
				clock = self._tick("commit", clock)
		except Exception:
			frappe.db.rollback()
			self._append_log(traceback.format_exc())
			return self._finish(ledger, started, crashed=True)
		handler.finish()
		for phase, seconds in getattr(handler, "timings", {}).items():
			self.timings[f"records: {phase}"] += seconds
		return self._finish(ledger, started)

	def _refuse_missing_required(self, context: ImportContext) -> None:
		"""A required column the file lacks fails the whole file up front rather than every row.
		(An Update changes existing records, so its rows need no more than what identifies them.)"""
		if context.import_type == "Update":
			return
		mapped = set(context.fields.values())
		missing = [
			context.labels[name]
			for name, spec in context.specs.items()
			if spec.required and name not in mapped
		]
		if missing:
			raise frappe.ValidationError(
				_(
					"The file has no column for the required fields {0}: add them or map a column in Column Mapping"
				).format(", ".join(missing))
			)

	def _set_status(self, status: str) -> None:
		from cims_app.jobs.liveness import runner

		values = {"status": status}
		if status == "Running":
			# The heartbeat and who runs it: cims_app.jobs.liveness tells a dead run from a slow one.
			values.update(heartbeat=now_datetime(), rows_done=0, run_by=runner(), interrupted_on=None)
		self.batch.db_set(values, update_modified=False)
		frappe.db.commit()

	def _beat(self, done_rows: int) -> None:
		"""The heartbeat, committed with the chunk: the run is alive and this many rows of the file are done."""
		frappe.db.set_value(
			BATCH,
			self.batch.name,
			{"heartbeat": now_datetime(), "rows_done": done_rows, "status": "Running"},
			update_modified=False,
		)

	def _publish(self, done: int, total: int) -> None:
		percent = min(100, round(done * 100 / total, 1))
		counts = dict(self.run_counts)
		self._emit({"percent": percent, "done": done, "total": total, "counts": counts})
		if self.progress:
			self.progress(done, total, counts)

	def _fail(self, message: str) -> dict:
		frappe.db.rollback()
		self.batch.reload()
		self._append_log(_("Nothing was imported: {0}").format(message))
		self.batch.db_set("status", "Failed", update_modified=False)
		frappe.db.commit()
		return {"status": "Failed", "message": message}

	def _append_log(self, text: str) -> None:
		stamp = now_datetime().strftime("%Y-%m-%d %H:%M:%S")
		log = ((self.batch.log or "") + f"\n[{stamp}] {text}").strip()
		self.batch.db_set("log", log, update_modified=False)

	def _finish(self, ledger: Ledger, started: float, crashed: bool = False) -> dict:
		counts = ledger.counts()
		values = {COUNT_FIELDS[status]: count for status, count in counts.items()}
		values["rows_read"] = sum(counts.values())
		if crashed:
			status = "Failed"
		elif counts[FAILED] and counts[FAILED] == values["rows_read"]:
			status = "Failed"
		elif counts[FAILED]:
			status = "Partially Completed"
		else:
			status = "Completed"
		values["status"] = status
		run = ", ".join(
			f"{_(outcome)} {self.run_counts[outcome]}" for outcome in OUTCOMES if self.run_counts[outcome]
		)
		lines = [
			_("Run finished in {0} s: {1} rows processed ({2})").format(
				round(time.monotonic() - started, 1), sum(self.run_counts.values()), run or "-"
			)
		]
		if self.already_done:
			lines.append(
				_("{0} rows were already imported by this batch and were left alone").format(
					self.already_done
				)
			)
		if self.examples:
			lines.append(_("The template's example row was not imported"))
		lines.extend(self.notes)
		if crashed:
			lines.append(_("The run stopped on an error; run the batch again to continue where it stopped"))
		self._append_log("\n".join(lines))
		if counts[FAILED]:
			from cims_app.importer.error_workbook import attach_error_workbook

			values["error_file"] = attach_error_workbook(self.batch)
		else:
			values["error_file"] = None
		self.batch.db_set(values, update_modified=True)
		frappe.db.commit()
		self._emit({"percent": 100, "finished": True, "status": status})
		return {"status": status, **values}

	def _emit(self, message: dict) -> None:
		"""Progress to the batch's open forms. The room is named: inside a background job the framework would
		otherwise send it to the job's own task room, where no form listens."""
		frappe.publish_realtime(
			"cims_import_progress",
			{"batch": self.batch.name, **message},
			room=get_doc_room(BATCH, self.batch.name),
		)


def run_batch(batch: str) -> dict:
	"""Background job entry point."""
	return ImportRun(batch).run()


def job_id(batch: str) -> str:
	return f"cims-import::{batch}"


def enqueue_batch(batch) -> dict:
	from cims_app.importer.interruptions import claim_batch
	from cims_app.jobs.liveness import job_queue

	claim_batch(batch.name)  # refuses a batch whose run is alive; forgets the job of a dead one
	batch.db_set(
		{"status": "Queued", "heartbeat": now_datetime(), "run_by": None, "rows_done": 0},
		update_modified=False,
	)
	frappe.enqueue(
		"cims_app.importer.engine.run_batch",
		queue=job_queue(),
		timeout=6 * 3600,
		job_id=job_id(batch.name),
		deduplicate=True,
		enqueue_after_commit=True,
		now=bool(frappe.flags.in_test),
		batch=batch.name,
	)
	return {"status": "Queued", "batch": batch.name}
