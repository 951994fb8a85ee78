"""Bulk writing for the demo generator: multi-row INSERTs, naming-series counters, hash names, timestamps.

The generator never builds a Document per row; it makes tuples and hands them to `RowWriter`, which sends
them as parameterised multi-row INSERT statements (values escaped by the database driver).
"""

import datetime
import secrets
import time
from collections import defaultdict
from collections.abc import Sequence
from itertools import chain

import frappe

_BASE32HEX = "0123456789abcdefghijklmnopqrstuv"
_HASH_BITS = 30  # 6 base32hex characters
_HASH_MASK = (1 << _HASH_BITS) - 1
_HASH_MULTIPLIER = 0x2545F491  # odd: multiplying by it is a bijection modulo 2**30
_VALUES_PER_STATEMENT = 120_000


def table(doctype: str) -> str:
	return f"`tab{doctype}`"


class RowWriter:
	"""Writes rows of a DocType's table in chunks and keeps count of rows and seconds per DocType."""

	def __init__(self):
		self.rows: dict[str, int] = defaultdict(int)
		self.seconds: dict[str, float] = defaultdict(float)
		self._columns: dict[str, set[str]] = {}

	def check_columns(self, doctype: str, fields: Sequence[str]) -> None:
		"""Fail early, naming the columns, when the site's table lacks a field the generator writes."""
		if doctype not in self._columns:
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
	):
		"""INSERT `rows` (tuples in the order of `fields`); `started` lets the caller count generation time too."""
		begin = time.perf_counter() if started is None else started
		if rows:
			self.check_columns(doctype, fields)
			columns = ", ".join(f"`{field}`" for field in fields)
			head = f"INSERT INTO {table(doctype)} ({columns}) VALUES "
			row_placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
			per_statement = max(1, _VALUES_PER_STATEMENT // len(fields))
			for start in range(0, len(rows), per_statement):
				chunk = rows[start : start + per_statement]
				query = head + ", ".join([row_placeholder] * len(chunk))
				frappe.db.sql(query, list(chain.from_iterable(chunk)))
			self.rows[doctype] += len(rows)
		self.seconds[doctype] += time.perf_counter() - begin

	def add_time(self, doctype: str, seconds: float) -> None:
		self.seconds[doctype] += seconds


class SeriesCounters:
	"""Next numbers of naming series (`tabSeries`), continued from the site and written back on `save`.

	A prefix's start is the larger of its tabSeries counter and the highest number already used in the
	DocType's table, so even rows named outside the series are never collided with.
	"""

	def __init__(self):
		self.current: dict[str, int] = {}
		self._loaded_from: dict[str, int] = {}

	def next_name(self, doctype: str, prefix: str, digits: int) -> str:
		if prefix not in self.current:
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

	def __init__(self, doctype: str):
		self.doctype = doctype
		self._counter = 0
		self._new_prefix()

	def _new_prefix(self) -> None:
		while True:
			prefix = "".join(secrets.choice(_BASE32HEX) for _ in range(4))
			taken = frappe.db.sql(
				f"SELECT 1 FROM {table(self.doctype)} WHERE `name` LIKE %s LIMIT 1", (_like_prefix(prefix),)
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
