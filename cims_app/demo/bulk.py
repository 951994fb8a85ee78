"""Bulk writing for the demo generator: multi-row INSERTs, naming-series counters, hash names, timestamps.

The generator never builds a Document per row; it makes tuples and hands them to `RowWriter`, which sends
them as multi-row INSERT statements (strings escaped with the database driver's escaping).
"""

import contextvars
import datetime
import queue
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, contextmanager

import frappe
from pymysql.constants import SERVER_STATUS
from pymysql.converters import escape_string

_BASE32HEX = "0123456789abcdefghijklmnopqrstuv"
_HASH_BITS = 30  # 6 base32hex characters
_HASH_MASK = (1 << _HASH_BITS) - 1
_HASH_MULTIPLIER = 0x2545F491  # odd: multiplying by it is a bijection modulo 2**30
_VALUES_PER_STATEMENT = 120_000


def table(doctype: str) -> str:
	return f"`tab{doctype}`"


def _backslash_escapes() -> bool:
	"""Whether the server reads backslash escapes in strings (it does unless NO_BACKSLASH_ESCAPES is set)."""
	connection = frappe.db._conn
	return not (connection.server_status & SERVER_STATUS.SERVER_STATUS_NO_BACKSLASH_ESCAPES)


def _literal_row(row: Sequence) -> str:
	"""One VALUES tuple: the driver's string escaping without its per-value type dispatch (3× faster).

	The generator only hands over str, int, float, Decimal and None.
	"""
	return (
		"("
		+ ",".join(
			[
				"NULL" if value is None else f"'{escape_string(value)}'" if type(value) is str else str(value)
				for value in row
			]
		)
		+ ")"
	)


def _driver_literal_row(row: Sequence) -> str:
	"""One VALUES tuple escaped value by value by the driver (for servers with NO_BACKSLASH_ESCAPES)."""
	return "(" + ",".join([frappe.db._conn.literal(value) for value in row]) + ")"


class _Lane:
	"""One writer thread with its queue and its database connection."""

	def __init__(self, name: str, db, lock: threading.Lock, db_seconds: dict[str, float], queue_size: int):
		self.db = db
		self.lock = lock
		self.error: BaseException | None = None
		self._db_seconds = db_seconds
		self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
		# The thread runs in a copy of this context, so frappe.local (site, flags) is the same there.
		self._thread = threading.Thread(
			target=contextvars.copy_context().run, args=(self._write_queued,), name=name, daemon=True
		)
		self._thread.start()

	def put(self, doctype: str, query: str) -> None:
		self._queue.put((doctype, query))  # blocks while the writer is behind

	def _write_queued(self) -> None:
		while True:
			item = self._queue.get()
			try:
				if item is None:
					return
				doctype, query = item
				if self.error is None:
					started = time.perf_counter()
					with self.lock:
						self.db.sql(query)
					self._db_seconds[doctype] += time.perf_counter() - started
			except BaseException as error:
				self.error = error
			finally:
				self._queue.task_done()

	def flush(self) -> None:
		self._queue.join()
		if self.error is not None:
			raise self.error

	def close(self) -> None:
		if self._thread.is_alive():
			self._queue.put(None)
			self._thread.join()


class RowWriter:
	"""Writes rows as multi-row INSERTs on writer threads, so the database works while Python generates.

	The main thread turns rows into SQL text and queues it. One writer thread sends it over the site's
	connection; the tables named in `own_connection` (the biggest ones) get a thread and connection of
	their own, so that on a machine with several cores the database writes two tables at once. Whoever
	else needs the site's connection meanwhile takes `lock` (see `database`).

	`commit` waits until every queued statement has run, re-raises a writer's error, commits the site's
	connection (with whatever the caller writes just before) and then the other connections: should the
	run die in between, the customers are there and their follow-ups are not, never the other way round.
	Counts rows, seconds spent generating (main thread, waits for the writers excluded) and seconds spent
	writing (database) per DocType.
	"""

	def __init__(self, own_connection: Sequence[str] = (), queue_size: int = 4):
		self.rows: dict[str, int] = defaultdict(int)
		self.seconds: dict[str, float] = defaultdict(float)
		self.db_seconds: dict[str, float] = defaultdict(float)
		self.lock = threading.Lock()
		self._columns: dict[str, set[str]] = {}
		self._main = _Lane("cims-demo-writer", frappe.db, self.lock, self.db_seconds, queue_size)
		self._lanes: dict[str, _Lane] = {}
		for doctype in own_connection:
			db = _new_connection()
			self._lanes[doctype] = _Lane(
				f"cims-demo-writer-{doctype}", db, threading.Lock(), self.db_seconds, queue_size
			)

	@contextmanager
	def database(self):
		"""Exclusive use of the site's connection, between the writer's statements."""
		with self.lock:
			yield

	def _all_lanes(self) -> list[_Lane]:
		return [self._main, *self._lanes.values()]

	def set_session(self, statement: str) -> None:
		"""Run a SET SESSION statement on every connection the writer uses."""
		self.flush()
		for lane in self._all_lanes():
			with lane.lock:
				lane.db.sql(statement)

	def flush(self) -> None:
		"""Wait until every queued statement has run; re-raise a writer's error."""
		for lane in self._all_lanes():
			lane.flush()

	def commit(self, before_commit: Callable[[], None] | None = None) -> None:
		"""Commit everything queued so far; `before_commit` writes last on the site's connection."""
		self.flush()
		if before_commit:
			before_commit()  # the writers are idle now
		with self.lock:
			frappe.db.commit()
		for lane in self._lanes.values():
			with lane.lock:
				lane.db.commit()

	def close(self) -> None:
		"""Stop the writer threads after what is queued and close the extra connections (uncommitted work
		on them is rolled back)."""
		for lane in self._all_lanes():
			lane.close()
		for lane in self._lanes.values():
			lane.db.close()

	def check_columns(self, doctype: str, fields: Sequence[str]) -> None:
		"""Fail early, naming the columns, when the site's table lacks a field the generator writes."""
		if doctype not in self._columns:
			with self.database():
				self._columns[doctype] = set(frappe.db.get_table_columns(doctype))
		missing = [field for field in fields if field not in self._columns[doctype]]
		if missing:
			frappe.throw(
				frappe._("Table of {0} has no columns {1}: run bench migrate first").format(
					doctype, ", ".join(missing)
				)
			)

	def insert(
		self, doctype: str, fields: Sequence[str], rows: Sequence[Sequence], started: float | None = None
	) -> None:
		"""Queue INSERTs of `rows` (tuples in the order of `fields`); `started` counts generation time too."""
		begin = time.perf_counter() if started is None else started
		lane = self._lanes.get(doctype, self._main)
		for any_lane in self._all_lanes():
			if any_lane.error is not None:
				raise any_lane.error
		if rows:
			self.check_columns(doctype, fields)
			columns = ", ".join(f"`{field}`" for field in fields)
			head = f"INSERT INTO {table(doctype)} ({columns}) VALUES "
			per_statement = max(1, _VALUES_PER_STATEMENT // len(fields))
			literal_row = _literal_row if _backslash_escapes() else _driver_literal_row
			waited = 0.0
			for start in range(0, len(rows), per_statement):
				chunk = rows[start : start + per_statement]
				query = head + ",".join([literal_row(row) for row in chunk])
				put_at = time.perf_counter()
				lane.put(doctype, query)
				waited += time.perf_counter() - put_at
			self.rows[doctype] += len(rows)
			begin += waited
		self.seconds[doctype] += time.perf_counter() - begin

	def add_time(self, doctype: str, seconds: float) -> None:
		self.seconds[doctype] += seconds


def _new_connection():
	"""A second connection to the site's database, like the one frappe.connect opens."""
	from frappe.database import get_db

	conf = frappe.local.conf
	db = get_db(
		socket=conf.db_socket,
		host=conf.db_host,
		port=conf.db_port,
		user=conf.db_name,
		password=conf.db_password,
		cur_db_name=conf.db_name,
	)
	db.connect()
	return db


class SeriesCounters:
	"""Next numbers of naming series (`tabSeries`), continued from the site and written back on `save`.

	A prefix's start is the larger of its tabSeries counter and the highest number already used in the
	DocType's table, so even rows named outside the series are never collided with.
	"""

	def __init__(self, lock: AbstractContextManager | None = None):
		self.current: dict[str, int] = {}
		self._loaded_from: dict[str, int] = {}
		self._lock = lock or threading.Lock()

	def next_name(self, doctype: str, prefix: str, digits: int) -> str:
		if prefix not in self.current:
			with self._lock:
				self.current[prefix] = self._load(doctype, prefix)
			self._loaded_from[prefix] = self.current[prefix]
		self.current[prefix] += 1
		return f"{prefix}{self.current[prefix]:0{digits}d}"

	@staticmethod
	def _load(doctype: str, prefix: str) -> int:
		row = frappe.db.sql("SELECT `current` FROM `tabSeries` WHERE `name` = %s", (prefix,))
		current = int(row[0][0] or 0) if row else 0
		used = frappe.db.sql(
			f"""SELECT `name` FROM {table(doctype)} WHERE `name` LIKE %s
			ORDER BY CHAR_LENGTH(`name`) DESC, `name` DESC LIMIT 1""",
			(_like_prefix(prefix),),
		)
		if used:
			tail = used[0][0][len(prefix) :]
			if tail.isdigit():
				current = max(current, int(tail))
		return current

	def save(self) -> None:
		"""Raise every counter this run moved to at least its new value (never lower one)."""
		with self._lock:
			self._save()

	def _save(self) -> None:
		for prefix, current in self.current.items():
			if current == self._loaded_from.get(prefix):
				continue
			frappe.db.sql(
				"""INSERT INTO `tabSeries` (`name`, `current`) VALUES (%s, %s)
				ON DUPLICATE KEY UPDATE `current` = GREATEST(`current`, VALUES(`current`))""",
				(prefix, current),
			)
			self._loaded_from[prefix] = current


class HashNames:
	"""10-character names in Frappe's hash style (lowercase base32hex), unique without a lookup per row.

	A random 4-character prefix no row of the table starts with, then a 30-bit counter scrambled by a
	bijection, so names look random, never repeat within a run and cannot meet an existing row.
	"""

	def __init__(self, doctype: str, lock: AbstractContextManager | None = None):
		self.doctype = doctype
		self._counter = 0
		self._lock = lock or threading.Lock()
		self._new_prefix()

	def _new_prefix(self) -> None:
		while True:
			prefix = "".join(secrets.choice(_BASE32HEX) for _ in range(4))
			with self._lock:
				taken = frappe.db.sql(
					f"SELECT 1 FROM {table(self.doctype)} WHERE `name` LIKE %s LIMIT 1",
					(_like_prefix(prefix),),
				)
			if not taken:
				break
		self._prefix = prefix
		self._mask = secrets.randbits(_HASH_BITS)
		self._counter = 0

	def next(self) -> str:
		if self._counter > _HASH_MASK:
			self._new_prefix()
		value = ((self._counter * _HASH_MULTIPLIER) & _HASH_MASK) ^ self._mask
		self._counter += 1
		chars = []
		for _ in range(6):
			chars.append(_BASE32HEX[value & 31])
			value >>= 5
		return self._prefix + "".join(chars)


class Clock:
	"""Moments as whole seconds after `start` (a midnight), formatted for MariaDB without datetime objects."""

	def __init__(self, start: datetime.datetime, now: datetime.datetime, days_ahead: int = 1200):
		self.start = start.replace(hour=0, minute=0, second=0, microsecond=0)
		self.now = int((now - self.start).total_seconds())
		total_days = self.now // 86400 + days_ahead
		first = self.start.date()
		self._dates = [(first + datetime.timedelta(days=day)).isoformat() for day in range(total_days + 1)]

	def at(self, seconds: int) -> str:
		"""YYYY-MM-DD HH:MM:SS of the moment."""
		day, rest = divmod(seconds, 86400)
		hours, rest = divmod(rest, 3600)
		minutes, secs = divmod(rest, 60)
		return f"{self._dates[day]} {hours:02d}:{minutes:02d}:{secs:02d}"

	def date(self, seconds: int) -> str:
		return self._dates[seconds // 86400]

	def date_obj(self, seconds: int) -> datetime.date:
		return self.start.date() + datetime.timedelta(days=seconds // 86400)

	def month_prefix(self, seconds: int) -> str:
		"""YYYYMM- of the moment, the prefix of the `.YYYY..MM.-.####` series."""
		text = self._dates[seconds // 86400]
		return f"{text[:4]}{text[5:7]}-"

	def year(self, seconds: int) -> str:
		return self._dates[seconds // 86400][:4]


def _like_prefix(prefix: str) -> str:
	"""A LIKE pattern matching values that start with `prefix` literally."""
	return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def run_write(query: str, values: dict | Sequence = ()) -> int:
	"""Run an UPDATE or DELETE and return how many rows it changed."""
	frappe.db.sql(query, values)
	return int(frappe.db.sql("SELECT ROW_COUNT()")[0][0])
