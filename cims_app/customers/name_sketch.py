"""The sketch of the site's match keys an import reads before it looks for similar names (SPEC §6, §9).

Without a sketch, each row of an import asks the database about ten keys a customer of the site might have
(its prefixes, the key without its region) and nearly all of them name nobody: at 1,000,000 customers that
is 90 µs a row, nine times the 10 µs it costs at 10,000. Reading the site's keys into a sketch costs about
8 µs a customer, too much for a small file into a large site. So the sketch is kept:

- the daily job (`cims_app.jobs.name_sketch`) makes it from the index on the match key and stores it in a
  file of the site's private folder (6 MB at 1,000,000 customers), with the database's time when it started
  reading. Not in the site's cache: Redis evicts the least recently used keys when the cache is full, which
  it is on a busy bench, and a sketch read once an import is the first to go (found on the benchmark bench:
  imports into 1,000,000 customers went without one, 0.6 s instead of 0.27 s per 10,000 rows);
- triggers on `tabCIMS Customer` write every new or changed match key to a log (`__cims_match_key_log`),
  stamped with the database's time, on every path (a form, an import, a merge, a Server Script's SQL, a
  patch); an import takes the stored sketch and adds the keys logged since it was made, less
  CATCH_UP_MARGIN for a transaction still open then; the daily job drops log entries no sketch needs;
- where nothing is stored (a new site, a migrate, a demo fill), or the database refuses triggers, a
  file of at least one row for SKETCH_SITE_SHARE customers of the site makes the sketch itself (and stores
  it where the log is kept); a smaller file asks the database row by row, and the rebuild is queued.

The sketch only spares lookups that would find nothing: the exact keys (credit code, ID number, exact
name) are always looked up in the database, and a sketch that wrongly says "maybe" costs a lookup.
"""

import datetime
import os
import tempfile

import frappe

from cims_app.db.indexes import put_table_index
from cims_app.db.triggers import put_triggers, triggers_exist
from cims_app.domain.duplicates import MatchKeySketch

CUSTOMER = "CIMS Customer"
CUSTOMER_TABLE = "tabCIMS Customer"
LOG_TABLE = "__cims_match_key_log"
TRIGGERS = {
	"cims_match_key_log_insert": "AFTER INSERT",
	"cims_match_key_log_update": "AFTER UPDATE",
}
# A session that sets this variable writes customers without logging their keys: the demo fill, which then
# drops the stored sketch (forget_name_sketch).
SKIP_LOG_VARIABLE = "@cims_no_match_key_log"
CREATE_LOG = f"""
CREATE TABLE IF NOT EXISTS `{LOG_TABLE}` (
	`id` BIGINT NOT NULL AUTO_INCREMENT,
	`logged_at` DATETIME(6) NOT NULL,
	`match_key` VARCHAR(140) NOT NULL,
	PRIMARY KEY (`id`),
	KEY `logged_at` (`logged_at`, `match_key`)
) ENGINE=InnoDB ROW_FORMAT=DYNAMIC CHARACTER SET=utf8mb4 COLLATE=utf8mb4_unicode_ci
"""
# The catch-up reads the keys from the index alone: with the time only in it, each entry was a second read of
# the row (270,000 entries of the last hours: 0.55 s, from the index alone 0.27 s).
LOG_INDEX = ("logged_at", ("logged_at", "match_key"))
CATCH_UP_QUERY = (
	f"SELECT DISTINCT `match_key` FROM `{LOG_TABLE}` WHERE `logged_at` >= %(since)s LIMIT %(limit)s"
)

# A sketch of the site's match keys costs a read of the key index and its hashing, about 8 µs a customer of
# the site; without one, a row of an import costs about 10 index lookups that mostly find nothing (about
# 120 µs). Without a stored sketch, an import makes one when its file has at least one row for
# SKETCH_SITE_SHARE customers of the site.
SKETCH_SITE_SHARE = 15
SKETCH_PAGE = 50000
# Keys logged since the stored sketch was made, read into it by an import (CATCH_UP_LIMIT at most: beyond
# that, making the sketch again is cheaper); the margin covers a transaction that was open while the sketch
# was read, whose keys the log stamps with its statement's time.
CATCH_UP_MARGIN = datetime.timedelta(hours=1)
CATCH_UP_LIMIT = 100000
# An import that caught up on more keys than this, or on a sketch older than RESTORE_AGE, stores the sketch
# again with them (its reading's time): the imports after it read only the log since then, not a log that
# grows with every import until the daily job prunes it (an import of the same 10,000 names again and again
# logs them each time: 340,000 entries read for 10,000 keys, 0.17 s), nor, where no worker has run the
# queued rebuild for a while, more than CATCH_UP_LIMIT keys, which would leave them without a sketch.
RESTORE_AFTER = 10000
RESTORE_AGE = datetime.timedelta(hours=2)
# A day's rebuild with room to spare: a sketch older than this is never used.
STORED_FOR = datetime.timedelta(days=3)
PRUNE_PAGE = 50000
# In the site folder: private/cims_match_key_sketch.bin
SKETCH_FILE = ("private", "cims_match_key_sketch.bin")
_READY_KEY = "cims_match_key_log_ready"
_REBUILD_JOB = "cims_match_key_sketch"


def _log_key(row: str) -> str:
	return f"INSERT INTO `{LOG_TABLE}` (`logged_at`, `match_key`) VALUES (NOW(6), {row}.name_match_key);"


def _trigger_body(event: str) -> str:
	logged = f"{SKIP_LOG_VARIABLE} IS NULL AND IFNULL(NEW.name_match_key, '') != ''"
	if event == "AFTER UPDATE":
		logged += " AND NOT (NEW.name_match_key <=> OLD.name_match_key)"
	return f"IF {logged} THEN {_log_key('NEW')} END IF;"


def install() -> bool:
	"""Create the log and its triggers (again: a changed definition replaces the old one). False where the
	database refuses triggers: imports then make their own sketch or ask row by row."""
	frappe.db.sql_ddl(CREATE_LOG)
	put_table_index(LOG_TABLE, *LOG_INDEX)  # a log made by an earlier version indexed the time only
	made = put_triggers(
		CUSTOMER_TABLE,
		TRIGGERS,
		_trigger_body,
		"CIMS: match key log triggers refused; imports make their own sketch",
	)
	frappe.cache.delete_value(_READY_KEY)  # available() asks the database again
	forget_name_sketch()  # a patch of this migrate may have written keys before the triggers were there
	return made


def available() -> bool:
	"""Whether the log is kept (its triggers exist)."""
	ready = frappe.cache.get_value(_READY_KEY)
	if ready is None:
		ready = int(triggers_exist(TRIGGERS))
		frappe.cache.set_value(_READY_KEY, ready)
	return bool(ready)


def site_name_sketch() -> MatchKeySketch:
	"""The site's match keys in a MatchKeySketch, read from the index on the match key a page at a time."""
	sketch = MatchKeySketch()
	last = ""
	while True:
		keys = frappe.db.sql_list(
			"""SELECT name_match_key FROM `tabCIMS Customer` WHERE name_match_key > %(last)s
			ORDER BY name_match_key LIMIT %(page)s""",
			{"last": last, "page": SKETCH_PAGE},
		)
		for key in keys:
			sketch.add(key)
		if len(keys) < SKETCH_PAGE:
			return sketch
		last = keys[-1]


def store_name_sketch() -> MatchKeySketch:
	"""Make the sketch from the site's customers; store it, with the database's time its reading started,
	where the log keeps what changes after that."""
	return make_and_store()[1]


def make_and_store() -> tuple[datetime.datetime, MatchKeySketch]:
	"""store_name_sketch, with the database's time the sketch's reading started."""
	started = _database_now()
	sketch = site_name_sketch()
	if available():
		_store(started, sketch)
	return started, sketch


def _store(started: datetime.datetime, sketch: MatchKeySketch) -> None:
	"""Keep `sketch`, which holds the site's keys as of the database time `started`, in the site's file:
	written beside it and renamed over it, so a process reading it meanwhile gets the old sketch or the new
	one, never part of one."""
	path = _path()
	partial = None
	try:
		os.makedirs(os.path.dirname(path), exist_ok=True)
		handle, partial = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".cims_match_key_sketch.")
		with os.fdopen(handle, "wb") as file:
			file.write(started.isoformat().encode() + b"\n" + sketch.to_bytes())
		os.replace(partial, path)
	except OSError:
		frappe.log_error(title="CIMS: the match key sketch could not be stored")
		if partial and os.path.exists(partial):
			os.remove(partial)


def prune_log(started: datetime.datetime) -> int:
	"""Drop the log entries a sketch whose reading started at `started` no longer needs, a page at a time,
	each committed (a large import logs a key a row); the number dropped."""
	before = started - CATCH_UP_MARGIN
	dropped = 0
	while True:
		frappe.db.sql(
			f"DELETE FROM `{LOG_TABLE}` WHERE `logged_at` < %(before)s ORDER BY `logged_at` LIMIT %(page)s",
			{"before": before, "page": PRUNE_PAGE},
		)
		count = frappe.db._cursor.rowcount
		frappe.db.commit()
		dropped += count
		if count < PRUNE_PAGE:
			return dropped


def forget_name_sketch() -> None:
	"""Drop the stored sketch: after writes whose keys the log did not get (a demo fill, a migrate)."""
	try:
		os.remove(_path())
	except FileNotFoundError:
		pass


def stored_name_sketch() -> MatchKeySketch | None:
	"""The stored sketch with the keys logged since it was made, or None when none is stored (or it is
	unreadable, the log is not kept, or more keys changed since than CATCH_UP_LIMIT). After a catch-up of
	more than RESTORE_AFTER keys, or of a sketch older than RESTORE_AGE, it is stored again with them."""
	stored = _stored() if available() else None
	if stored is None:
		return None
	started, sketch = stored
	reading = _database_now()
	if reading - started > STORED_FOR:
		return None
	since = frappe.db.sql_list(
		CATCH_UP_QUERY, {"since": started - CATCH_UP_MARGIN, "limit": CATCH_UP_LIMIT + 1}
	)
	if len(since) > CATCH_UP_LIMIT:
		return None
	for key in since:
		sketch.add(key)
	if len(since) > RESTORE_AFTER or reading - started > RESTORE_AGE:
		_store(reading, sketch)
	return sketch


def _stored() -> tuple[datetime.datetime, MatchKeySketch] | None:
	try:
		with open(_path(), "rb") as file:
			data = file.read()
	except OSError:
		return None
	stamp, _, body = data.partition(b"\n")
	try:
		started = datetime.datetime.fromisoformat(stamp.decode())
	except ValueError:
		return None
	sketch = MatchKeySketch.from_bytes(body)
	return None if sketch is None else (started, sketch)


def _database_now() -> datetime.datetime:
	return frappe.db.sql("SELECT NOW(6)")[0][0]


def name_sketch_for(rows: int) -> MatchKeySketch | None:
	"""A sketch of the site's match keys for an import of about `rows` rows: the stored one brought up to
	date; else a new one (stored for the next import) when reading it costs less than the lookups it saves;
	else None (a small file into a large site), and the daily job's rebuild is queued now."""
	sketch = stored_name_sketch()
	if sketch is not None:
		return sketch
	if rows * SKETCH_SITE_SHARE >= frappe.db.estimate_count(CUSTOMER):
		return store_name_sketch()
	frappe.enqueue(
		"cims_app.jobs.name_sketch.rebuild_name_sketch",
		queue="long",
		job_id=_REBUILD_JOB,
		deduplicate=True,
		enqueue_after_commit=True,
	)
	return None


def _path() -> str:
	return frappe.get_site_path(*SKETCH_FILE)
