"""Bulk writing for the importer: multi-row INSERTs, naming-series blocks, hash names, Version rows and
global-search entries the way the framework writes them for a saved document."""

import datetime
import os
import re
import secrets
import threading
import time
from collections.abc import Sequence
from decimal import Decimal

import frappe
from frappe.model import default_fields
from frappe.model.naming import NamingSeries, get_default_naming_series, has_custom_parser
from pymysql.converters import escape_string

# The framework's own columns of every row, in the order the bulk writers list them (values of a tuple row
# follow this order), and a child table row's with its parent link.
STANDARD_COLUMNS = ("name", "creation", "modified", "owner", "modified_by", "docstatus", "idx")
CHILD_COLUMNS = (*STANDARD_COLUMNS, "parent", "parenttype", "parentfield")

# Bytes per statement: well under max_allowed_packet, large enough that round trips do not matter.
_STATEMENT_BYTES = 4 * 1024 * 1024


def sql_literal(value) -> str:
	"""A value as an SQL literal, escaped exactly as PyMySQL escapes a query parameter (escape_string for
	text), minus its per-value type dispatch, which dominates a bulk insert's time; other types go
	through the driver's own `literal`."""
	kind = type(value)
	if value is None:
		return "NULL"
	if kind is str:
		return "'" + escape_string(value) + "'"
	if kind is int:
		return str(value)
	if kind is bool:
		return "1" if value else "0"
	if kind is float:
		return repr(value)
	if kind is Decimal:
		return format(value, "f")
	if kind is datetime.datetime:
		return "'" + value.isoformat(" ") + "'"
	if kind is datetime.date:
		return "'" + value.isoformat() + "'"
	return frappe.db._conn.literal(value)


# The characters escape_string changes: a column none of whose values holds one (most do not) is quoted as it is.
_NEEDS_ESCAPE = re.compile("[\\0\\\\\\n\\r\\032'\"]")


def column_literals(values: tuple) -> list[str] | str:
	"""The SQL literals of one column's values (sql_literal's), or one literal when all are the same value of
	one type (a chunk's creation time, owner, docstatus, a default): such a column is escaped once, not once
	a row; a column of text without a character to escape is quoted as it is."""
	kinds = set(map(type, values))
	if len(kinds) == 1 and values.count(values[0]) == len(values):
		return sql_literal(values[0])
	if kinds == {str}:
		if _NEEDS_ESCAPE.search("".join(values)) is None:
			return ["'" + value + "'" for value in values]
		return ["'" + escape_string(value) + "'" for value in values]
	return list(map(sql_literal, values))


def row_literals(rows: Sequence[Sequence]) -> list[str]:
	"""The literal "(v1, v2, …)" of each row, built a column at a time."""
	count = len(rows)
	columns = []
	for values in zip(*rows, strict=True):
		literals = column_literals(values)
		columns.append([literals] * count if isinstance(literals, str) else literals)
	return ["(" + ", ".join(parts) + ")" for parts in zip(*columns, strict=True)]


def insert_rows(
	doctype: str,
	fields: Sequence[str],
	rows: Sequence[Sequence],
	on_duplicate: str = "",
	ignore_duplicates: bool = False,
) -> int:
	"""INSERT `rows` (tuples in the order of `fields`) into the DocType's table, several thousand per statement;
	return the number of rows the database reports as written.

	Every value is escaped by sql_literal (the driver's escaping); `fields` are fieldnames of the
	DocType, never user text. `on_duplicate` is an optional ON DUPLICATE KEY UPDATE clause;
	`ignore_duplicates` makes it INSERT IGNORE (a row whose unique key exists is left out).
	"""
	if not rows:
		return 0
	table = doctype if doctype.startswith("__") else f"tab{doctype}"
	columns = ", ".join(f"`{field}`" for field in fields)
	head = f"INSERT {'IGNORE ' if ignore_duplicates else ''}INTO `{table}` ({columns}) VALUES "
	tail = f" ON DUPLICATE KEY UPDATE {on_duplicate}" if on_duplicate else ""
	rows = list(rows)
	literals = row_literals(rows)
	start = size = written = 0
	for end, literal in enumerate(literals, 1):
		size += len(literal)
		if size >= _STATEMENT_BYTES or end == len(literals):
			written += _insert_part(head, tail, fields, rows, literals, start, end)
			start, size = end, 0
	return written


# hash_name's alphabet, which holds the hex names of earlier imports too.
_HASH_NAME = re.compile(r"[0-9a-v]{10}")
_DUPLICATE_ENTRY = re.compile(r"Duplicate entry '(.*)' for key 'PRIMARY'")
_NAME_ATTEMPTS = 5


def _insert_part(head: str, tail: str, fields, rows: list, literals: list[str], start: int, end: int) -> int:
	"""INSERT rows[start:end]. A hash name (hash_name's 10 base-32 characters) another record of the table already
	has is drawn again and the statement sent again, as the framework's Document.db_insert does for its own
	hash names. Hash names collide, rarely: another process naming rows in the same tenth of a second from a
	start close to this one's, a record named at the same prefix 29 hours earlier, a random name from before.
	(The failed statement wrote nothing: InnoDB undoes a failed statement alone, the transaction goes on.)"""
	for attempt in range(_NAME_ATTEMPTS):
		try:
			return execute_insert(head + ", ".join(literals[start:end]) + tail)
		except Exception as error:
			taken = _taken_hash_name(error, fields)
			if taken is None or attempt == _NAME_ATTEMPTS - 1:
				raise
			for position in range(start, end):
				if rows[position][0] == taken:
					rows[position] = (hash_name(), *rows[position][1:])
					literals[position] = row_literals([rows[position]])[0]


def _taken_hash_name(error: Exception, fields) -> str | None:
	if not fields or fields[0] != "name" or not frappe.db.is_primary_key_violation(error):
		return None
	found = _DUPLICATE_ENTRY.search(str(error.args[1]))
	if found and _HASH_NAME.fullmatch(found.group(1)):
		return found.group(1)
	return None


def execute_insert(statement: str) -> int:
	"""Run an INSERT of literals on the site's connection, as frappe.db.sql would (the transaction's write
	count, the same errors), minus its rewrite of the whole text (IFNULL → COALESCE, a regex over several MB
	a statement, which would also rewrite a cell that says "ifnull("). Returns the rows written."""
	db = frappe.db
	if not db._conn:
		db.connect()
	db.check_transaction_status(statement[:64])
	try:
		db._cursor.execute(statement)
	except Exception as error:
		if db.is_deadlocked(error):
			raise frappe.QueryDeadlockError(error) from error
		if db.is_timedout(error):
			raise frappe.QueryTimeoutError(error) from error
		raise
	return db._cursor.rowcount


def insert_dicts(doctype: str, records: Sequence[dict], fields: Sequence[str] | None = None) -> None:
	"""insert_rows for dicts. Of `fields` (default: the keys of the first record), columns that are empty
	(None) in every record are left to the table's default, which is what an empty field stores."""
	if not records:
		return
	fields = [
		field
		for field in (fields or records[0].keys())
		if any(record.get(field) is not None for record in records)
	]
	insert_rows(doctype, fields, [tuple([record.get(field) for field in fields]) for record in records])


def default_series(doctype: str) -> str:
	"""The naming series a new record of `doctype` is named by when none is chosen, as the framework takes it:
	for a DocType named by its `naming_series` field, the field's default (which Document Naming Settings
	set, through a Property Setter) or else its first option; otherwise the DocType's autoname
	(`FU-.YYYY.-.#######`)."""
	meta = frappe.get_meta(doctype)
	autoname = meta.autoname or ""
	if autoname.startswith("naming_series:"):
		field = meta.get_field("naming_series")
		return (field.default if field else None) or get_default_naming_series(doctype) or ""
	return autoname


def series_takes_record_values(doctype: str, series: str) -> bool:
	"""Whether `series` has parts the framework fills from each record (`{customer_type}`, `.region.`, an
	app's `naming_series_variables`): its names cannot be reserved for many records at once."""
	fields = {df.fieldname for df in frappe.get_meta(doctype).fields} | set(default_fields)
	return any(
		part.startswith("{") or part in fields or has_custom_parser(part)
		for part in series.split(".")
		if part
	)


class SeriesNames:
	"""Names of a naming series (e.g. `.YYYY..MM.-.####` → 202611-0001), reserved from `tabSeries` in blocks.

	The block is taken with the same row lock Frappe's own getseries uses, inside the caller's
	transaction: if the transaction rolls back, so does the reservation.
	"""

	def __init__(self, series: str):
		naming = NamingSeries(series)
		self.prefix = naming.get_prefix()
		self.digits = series.count("#") or 5
		self._next = 0
		self._end = 0

	def take(self, count: int) -> list[str]:
		if count <= 0:
			return []
		if self._end - self._next < count:
			self._next = reserve_series_block(self.prefix, count)
			self._end = self._next + count
		names = [f"{self.prefix}{number:0{self.digits}d}" for number in range(self._next, self._next + count)]
		self._next += count
		return names


def reserve_series_block(prefix: str, count: int) -> int:
	"""Advance the series counter of `prefix` by `count` and return the first number of the block."""
	current = frappe.db.sql("SELECT `current` FROM `tabSeries` WHERE `name` = %s FOR UPDATE", (prefix,))
	if current and current[0][0] is not None:
		start = int(current[0][0]) + 1
		frappe.db.sql("UPDATE `tabSeries` SET `current` = `current` + %s WHERE `name` = %s", (count, prefix))
	else:
		start = 1
		frappe.db.sql("INSERT INTO `tabSeries` (`name`, `current`) VALUES (%s, %s)", (prefix, count))
	return start


_NAME_BLOCK = 4096
# Base-32 digits of Frappe's hash names, in the order the database sorts them, and every pair of them.
_DIGITS = "0123456789abcdefghijklmnopqrstuv"
_PAIRS = [first + second for first in _DIGITS for second in _DIGITS]
# Tenths of a second in four digits: the prefix comes round again every 32**4 tenths (29 hours).
_PREFIX_PERIOD = 32**4
_TAIL_PERIOD = 32**6


class _OrderedNames:
	"""hash_name's pool: blocks of names counted up from a random start drawn for each prefix."""

	def __init__(self):
		self.reset()

	def reset(self) -> None:
		self.pool: list[str] = []
		self.prefix = ""
		self.tail = 0
		self.lock = threading.Lock()

	def take(self) -> str:
		while True:
			try:
				return self.pool.pop()
			except IndexError:
				with self.lock:
					if not self.pool:
						self.pool.extend(reversed(self._block()))

	def _block(self) -> list[str]:
		tenths = int(time.time() * 10) % _PREFIX_PERIOD
		prefix = _PAIRS[tenths >> 10] + _PAIRS[tenths & 1023]
		if prefix != self.prefix:
			self.prefix, self.tail = prefix, secrets.randbelow(_TAIL_PERIOD)
		start = self.tail
		self.tail = (start + _NAME_BLOCK) % _TAIL_PERIOD
		return [prefix + _tail((start + step) % _TAIL_PERIOD) for step in range(_NAME_BLOCK)]


def _tail(number: int) -> str:
	"""`number` (below 32**6) in six base-32 digits."""
	return _PAIRS[number >> 20] + _PAIRS[number >> 10 & 1023] + _PAIRS[number & 1023]


_NAMES = _OrderedNames()
# A forked worker starts with no names and a start of its own, never its parent's.
os.register_at_fork(after_in_child=_NAMES.reset)


def hash_name() -> str:
	"""A 10-character name in the alphabet of Frappe's "hash" autoname (base-32 digits and lower-case letters,
	naming._generate_random_string): the time in tenths of a second in four digits, as the framework's
	naming._get_timestamp_prefix makes it, then six digits counted up from a random start (30 bits from the
	operating system's generator) drawn by each process for each prefix.

	The rows one import writes (its contacts' phone, e-mail and link rows, its Version rows) then go to the
	end of a few neighbouring pages of their table's primary key: the same pages on a site of 10,000 customers
	as on one of 1,000,000. Uniformly random names sent each row to a random page of a key of millions of
	rows, and an import's cost per row grew with the site. Two processes naming rows in the same tenth of a
	second share a prefix but not, unless their random starts fall within a few thousand of each other, a
	name; a name another record already has is drawn again by insert_rows. Names are made 4,096 at a time,
	one block at a time when threads of a process draw together; the pool belongs to the process that made
	it."""
	return _NAMES.take()


def column_defaults(doctype: str) -> tuple[list[str], dict]:
	"""(columns of the DocType's table, the value a new record gets in each): the DocType's defaults
	as frappe.new_doc sets them, 0 for numbers and checks, None otherwise."""
	from frappe.model import default_fields, numeric_fieldtypes

	meta = frappe.get_meta(doctype)
	defaults = frappe.new_doc(doctype, as_dict=True)
	columns = [
		column
		for column in meta.get_valid_columns()
		if column not in ("_user_tags", "_comments", "_assign", "_liked_by", "_seen")
	]
	base = {}
	for column in columns:
		df = meta.get_field(column)
		value = defaults.get(column)
		if df and df.fieldtype in (*numeric_fieldtypes, "Check", "Rating") and value in (None, ""):
			value = 0
		if column in default_fields and column not in ("docstatus", "idx"):
			value = None
		base[column] = value
	base["docstatus"] = 0
	base["idx"] = 0
	return columns, base


def version_rows(doctype: str, names: Sequence[str], creation, user: str, reference: dict) -> list[dict]:
	"""The Version rows Frappe writes for records inserted with an updater reference (as Data Import does)."""
	rows = []
	for name in names:
		data = {"creation": creation, "updater_reference": reference, "created_by": user}
		rows.append(
			{
				"name": hash_name(),
				"creation": creation,
				"modified": creation,
				"owner": user,
				"modified_by": user,
				"docstatus": 0,
				"idx": 0,
				"ref_doctype": doctype,
				"docname": name,
				"data": frappe.as_json(data, indent=None, separators=(",", ":")),
			}
		)
	return rows


def sync_global_search(
	doctype: str, records: Sequence[dict], children: dict[str, list[dict]] | None = None
) -> None:
	"""Index inserted records in global search with the content Frappe's update_global_search builds for a
	saved document (its get_formatted_value per field), through the same queue.

	`children` maps a parent name to its child rows (dicts with a "doctype" key) whose fields count too.
	"""
	from frappe.utils import cstr
	from frappe.utils.global_search import get_formatted_value

	if frappe.local.conf.get("disable_global_search"):
		return
	meta = frappe.get_meta(doctype)
	fields = [df for df in meta.get_global_search_fields() if df.fieldtype not in frappe.model.table_fields]
	title_field = meta.get_title_field()
	child_fields = {}
	values = []
	for record in records:
		content = [
			get_formatted_value(record.get(df.fieldname), df) for df in fields if record.get(df.fieldname)
		]
		for child in (children or {}).get(record["name"], ()):
			if child["doctype"] not in child_fields:
				child_fields[child["doctype"]] = frappe.get_meta(child["doctype"]).get_global_search_fields()
			content.extend(
				get_formatted_value(child.get(df.fieldname), df)
				for df in child_fields[child["doctype"]]
				if child.get(df.fieldname)
			)
		if content:
			title = cstr(record.get(title_field)) or record["name"]
			values.append(
				(doctype, record["name"], " ||| ".join(content), 0, title[: int(frappe.db.VARCHAR_LEN)], "")
			)
	queue_global_search(values)


def queue_global_search(values: list[tuple]) -> None:
	"""Hand global-search entries to the framework's queue, as Document.save does (update_global_search →
	sync_value_in_queue); the scheduler's sync_global_search writes them. Without Redis, write them now."""
	import json

	import redis

	if not values:
		return
	keys = ("doctype", "name", "content", "published", "title", "route")
	items = [json.dumps(dict(zip(keys, value, strict=True))) for value in values]
	try:
		queue = frappe.cache.make_key("global_search_queue")
		for start in range(0, len(items), 1000):
			redis.Redis.lpush(frappe.cache, queue, *items[start : start + 1000])
	except redis.exceptions.ConnectionError:
		insert_rows(
			"__global_search",
			keys,
			values,
			on_duplicate="`content` = VALUES(`content`), `published` = VALUES(`published`), "
			"`title` = VALUES(`title`), `route` = VALUES(`route`)",
		)
