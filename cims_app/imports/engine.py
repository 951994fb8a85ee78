"""The import run of a CIMS Import Batch: check the file, map the columns, stream the rows in chunks,
normalise them with the domain rules, let the DocType's handler decide and write, keep the ledger.

Each chunk is one transaction holding its records and their ledger rows (CIMS Import Row), so a run
that dies half-way leaves whole chunks behind, and running the batch again skips every row the
ledger already has: no row is ever inserted twice.
"""

import ctypes
import functools
import time
import traceback
from collections import Counter

import frappe
from frappe import _
from frappe.realtime import get_doc_room
from frappe.utils import now_datetime

from cims_app.imports.ahead import read_chunks
from cims_app.imports.context import (
	COUNT_FIELDS,
	FAILED,
	OUTCOMES,
	ImportContext,
	job_id,
)
from cims_app.imports.ledger import Ledger
from cims_app.imports.reader import ImportFileError, inspect_file
from cims_app.records.validation import get_setting

BATCH = "CIMS Import Batch"
LEDGER = "CIMS Import Row"
CHUNK_ROWS = 2000
IN_VALUES = 900  # values of one IN list (MariaDB's in_predicate_conversion_threshold is 1,000)
PREVIEW_ROWS = 20
DEFAULT_MAX_ROWS = 200000
DEFAULT_MAX_MB = 50


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
	from cims_app.imports.customers import CustomerHandler
	from cims_app.imports.records import handler_class

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
			done_rows = 0
			total = max(1, info.row_bound - info.header_row)
			clock = time.perf_counter()
			for chunk in read_chunks(context, info, self.chunk_rows):
				# read: waiting for the chunk, parsed and normalised ahead (imports.ahead)
				clock = self._tick("read", clock)
				self.examples += chunk.examples
				ledger.load(chunk.rows)
				rows = []
				for row in chunk.rows:
					if not ledger.claim(row):
						self.already_done += 1
						continue
					rows.append(row)
				clock = self._tick("ledger", clock)
				handler.process(rows)
				for row in rows:
					if not row.status:
						row.fail(_("The row was not processed"))
				clock = self._tick("records", clock)
				ledger.write(rows, context)
				self.run_counts.update(row.status for row in rows)
				done_rows += chunk.rows_read
				clock = self._tick("ledger", clock)
				self._beat(done_rows, total)
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
		from cims_app.background.liveness import runner

		values = {"status": status}
		if status == "Running":
			# The heartbeat and who runs it: cims_app.background.liveness tells a dead run from a slow one.
			values.update(heartbeat=now_datetime(), rows_done=0, run_by=runner(), interrupted_on=None)
		self.batch.db_set(values, update_modified=False)
		frappe.db.commit()

	def _beat(self, done_rows: int, total: int) -> None:
		"""The heartbeat, committed with the chunk: the run is alive and this many rows of the file (of about
		`total`) are done. An open form whose realtime events do not arrive draws its progress bar from it."""
		frappe.db.set_value(
			BATCH,
			self.batch.name,
			{
				"heartbeat": now_datetime(),
				"rows_done": done_rows,
				"rows_expected": total,
				"status": "Running",
			},
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
			from cims_app.imports.error_workbook import attach_error_workbook

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


def enqueue_batch(batch) -> dict:
	from cims_app.background.liveness import job_queue
	from cims_app.imports.interruptions import claim_batch

	claim_batch(batch.name)  # refuses a batch whose run is alive; forgets the job of a dead one
	batch.db_set(
		{"status": "Queued", "heartbeat": now_datetime(), "run_by": None, "rows_done": 0},
		update_modified=False,
	)
	frappe.enqueue(
		"cims_app.imports.engine.run_batch",
		queue=job_queue(),
		timeout=6 * 3600,
		job_id=job_id(batch.name),
		deduplicate=True,
		enqueue_after_commit=True,
		now=bool(frappe.flags.in_test),
		batch=batch.name,
	)
	return {"status": "Queued", "batch": batch.name}
