"""The stored sketch of the site's match keys (cims_app.customers.name_sketch): the database logs every new or
changed key on every path, an import reads the stored sketch brought up to date from that log, and finds a
customer named alike that was saved after the sketch was made, whatever its `modified` says. Where nothing is
stored, a small file into a large site asks row by row and queues the rebuild; the daily job makes it again
and drops the log it no longer needs; a migrate and a demo fill drop it.
"""

import datetime
import json
import os

import frappe
import pytest

from cims_app.customers import name_sketch
from cims_app.domain.names import match_key
from tests.integration.import_helpers import ledger, remove_customers, workbook_bytes
from tests.integration.support import make_customer, unique_suffix


def logged(key: str) -> int:
	return frappe.db.sql(f"SELECT COUNT(*) FROM `{name_sketch.LOG_TABLE}` WHERE match_key = %s", (key,))[0][0]


@pytest.fixture
def stored():
	"""A sketch stored for the test; none stored afterwards (the next import makes or queues one)."""
	yield name_sketch.store_name_sketch
	name_sketch.forget_name_sketch()


def test_the_log_gets_every_new_or_changed_key_whatever_writes_it():
	assert name_sketch.available()
	try:
		doc = make_customer(customer_name=f"日志{unique_suffix()}科技有限公司")
		own = doc.name_match_key
		assert logged(own) == 1  # a form's insert
		frappe.db.set_value("CIMS Customer", doc.name, "remarks", "no key changed")
		frappe.db.sql("UPDATE `tabCIMS Customer` SET modified = NOW() WHERE name = %s", (doc.name,))
		assert logged(own) == 1  # writes that keep the key log nothing
		changed = match_key(f"改名{unique_suffix()}科技")
		frappe.db.sql(
			"UPDATE `tabCIMS Customer` SET name_match_key = %s WHERE name = %s", (changed, doc.name)
		)
		assert logged(changed) == 1  # SQL behind the app's back
		quiet = match_key(f"演示{unique_suffix()}科技")
		frappe.db.sql(f"SET {name_sketch.SKIP_LOG_VARIABLE} = 1")
		try:
			frappe.db.sql(
				"UPDATE `tabCIMS Customer` SET name_match_key = %s WHERE name = %s", (quiet, doc.name)
			)
		finally:
			frappe.db.sql(f"SET {name_sketch.SKIP_LOG_VARIABLE} = NULL")
		assert logged(quiet) == 0  # the demo fill's session
	finally:
		frappe.db.rollback()
	assert logged(own) == 0  # the log is written in the same transaction


def test_a_stored_sketch_catches_up_on_keys_saved_since_even_with_a_past_modified_time(stored):
	try:
		other = make_customer(customer_name=f"早存{unique_suffix()}有限公司").name
		stored()
		doc = make_customer(customer_name=f"追加{unique_suffix()}电子科技有限公司")
		frappe.db.sql(
			"UPDATE `tabCIMS Customer` SET modified = '2019-01-01', creation = '2019-01-01' WHERE name = %s",
			(doc.name,),
		)
		renamed = match_key(f"改{unique_suffix()}信息技术")
		frappe.db.sql("UPDATE `tabCIMS Customer` SET name_match_key = %s WHERE name = %s", (renamed, other))
		as_stored = name_sketch._stored()[1]
		assert not as_stored.may_be_key(doc.name_match_key)  # made before the save
		sketch = name_sketch.stored_name_sketch()
		for key in (doc.name_match_key, renamed):
			assert sketch.may_be_key(key)
			assert sketch.may_extend(key[:3])
	finally:
		frappe.db.rollback()


def test_an_import_with_the_stored_sketch_lists_a_customer_named_alike_saved_after_it(
	imports, stored, monkeypatch
):
	stored()
	base = f"后存{unique_suffix()}"
	made = make_customer(customer_name=f"{base}科技有限公司")
	frappe.db.sql("UPDATE `tabCIMS Customer` SET modified = '2019-01-01' WHERE name = %s", (made.name,))
	frappe.db.commit()
	used = []
	catch_up = name_sketch.stored_name_sketch

	def spy():
		used.append(catch_up())
		return used[-1]

	def no_new_sketch():
		raise AssertionError("the import made a sketch although one was stored")

	monkeypatch.setattr(name_sketch, "stored_name_sketch", spy)
	monkeypatch.setattr(name_sketch, "site_name_sketch", no_new_sketch)
	try:
		batch = imports.batch(workbook_bytes(["客户名称"], [[base + "科技"], [base + "科技股份有限公司"]]))
		imports.run(batch)
		entries = ledger(batch)
		assert used and used[0] is not None
		assert [entry.status for entry in entries] == ["Inserted", "Inserted"]
		for entry in entries:
			assert made.name in json.loads(entry.possible_duplicates)
	finally:
		frappe.db.rollback()
		remove_customers([made.name])
		frappe.db.commit()


def test_without_a_stored_sketch_a_small_file_asks_row_by_row_and_queues_the_rebuild(monkeypatch, stored):
	name_sketch.forget_name_sketch()
	queued = []
	monkeypatch.setattr(frappe, "enqueue", lambda method, **kwargs: queued.append((method, kwargs)))
	site = 1_000_000  # as the database estimates it
	monkeypatch.setattr(
		frappe.db, "estimate_count", lambda doctype: site if doctype == "CIMS Customer" else 0
	)
	assert name_sketch.name_sketch_for(site // name_sketch.SKETCH_SITE_SHARE - 1) is None
	assert queued == [
		(
			"cims_app.jobs.name_sketch.rebuild_name_sketch",
			{
				"queue": "long",
				"job_id": "cims_match_key_sketch",
				"deduplicate": True,
				"enqueue_after_commit": True,
			},
		)
	]
	assert name_sketch._stored() is None
	# a file of at least one row for SKETCH_SITE_SHARE customers makes it and stores it for the next
	assert name_sketch.name_sketch_for(site // name_sketch.SKETCH_SITE_SHARE + 1) is not None
	assert name_sketch._stored() is not None
	assert len(queued) == 1


def test_without_the_log_no_sketch_is_stored_or_read(monkeypatch, stored):
	stored()
	monkeypatch.setattr(name_sketch, "available", lambda: False)
	assert name_sketch.stored_name_sketch() is None
	name_sketch.forget_name_sketch()
	name_sketch.store_name_sketch()
	assert name_sketch._stored() is None


def test_a_catch_up_of_more_keys_than_a_rebuild_costs_gives_no_sketch(monkeypatch, stored):
	stored()
	try:
		for number in range(3):
			make_customer(customer_name=f"很多{number}{unique_suffix()}有限公司")
		since = name_sketch._stored()[0] - name_sketch.CATCH_UP_MARGIN
		keys = frappe.db.sql(
			f"SELECT COUNT(DISTINCT match_key) FROM `{name_sketch.LOG_TABLE}` WHERE logged_at >= %s", (since,)
		)[0][0]
		assert keys >= 3
		monkeypatch.setattr(name_sketch, "CATCH_UP_LIMIT", keys - 1)
		assert name_sketch.stored_name_sketch() is None
		monkeypatch.setattr(name_sketch, "CATCH_UP_LIMIT", keys)
		assert name_sketch.stored_name_sketch() is not None
	finally:
		frappe.db.rollback()


def test_a_large_or_late_catch_up_stores_the_sketch_again_so_the_next_import_reads_only_what_came_after(
	monkeypatch, stored
):
	"""Until the daily job made the sketch again, every import read the whole log since it was made, which
	grows with every import (the same 10,000 names imported again and again: 340,000 entries for 10,000
	keys), and past CATCH_UP_LIMIT keys an import went without a sketch. An import that catches up on more
	than RESTORE_AFTER keys, or on a sketch older than RESTORE_AGE, now stores the sketch with them; one that
	catches up on fewer, soon after, leaves the stored one as it is."""
	stored()
	try:
		first = make_customer(customer_name=f"补记{unique_suffix()}有限公司")
		before = name_sketch._stored()[0]
		keys = frappe.db.sql(
			f"SELECT COUNT(DISTINCT match_key) FROM `{name_sketch.LOG_TABLE}` WHERE logged_at >= %s",
			(before - name_sketch.CATCH_UP_MARGIN,),
		)[0][0]
		monkeypatch.setattr(name_sketch, "RESTORE_AFTER", keys)
		assert name_sketch.stored_name_sketch().may_be_key(first.name_match_key)
		assert name_sketch._stored()[0] == before  # not more keys than that: read again next time
		monkeypatch.setattr(name_sketch, "RESTORE_AFTER", keys - 1)
		assert name_sketch.stored_name_sketch().may_be_key(first.name_match_key)
		started, as_stored = name_sketch._stored()
		assert started > before and as_stored.may_be_key(first.name_match_key)
		later = make_customer(customer_name=f"后记{unique_suffix()}电子有限公司")
		frappe.db.sql(f"DELETE FROM `{name_sketch.LOG_TABLE}` WHERE match_key = %s", (first.name_match_key,))
		monkeypatch.setattr(name_sketch, "RESTORE_AFTER", 10**9)
		sketch = name_sketch.stored_name_sketch()  # the first key from the stored sketch, not the log
		assert sketch.may_be_key(first.name_match_key) and sketch.may_be_key(later.name_match_key)
		assert name_sketch._stored()[0] == started
		monkeypatch.setattr(name_sketch, "RESTORE_AGE", datetime.timedelta(0))
		name_sketch.stored_name_sketch()
		assert name_sketch._stored()[0] > started  # older than RESTORE_AGE: stored again
	finally:
		frappe.db.rollback()


def test_the_stored_sketch_outlives_the_sites_cache_and_not_its_age(monkeypatch, stored):
	"""Redis evicts the least recently used keys of a full cache, and a sketch read once an import went first:
	imports into 1,000,000 customers then ran without one (similar names 0.6 s instead of 0.27 s per 10,000
	rows). It is a file of the site's private folder now, which a cleared cache leaves; a sketch older than
	STORED_FOR (the daily job did not run for days) is not used."""
	try:
		doc = make_customer(customer_name=f"长存{unique_suffix()}有限公司")
		stored()
		frappe.cache.delete_keys("")  # every key of the site: what a full cache's evictions may take
		sketch = name_sketch.stored_name_sketch()
		assert sketch is not None and sketch.may_be_key(doc.name_match_key)
		assert os.path.isfile(frappe.get_site_path("private", "cims_match_key_sketch.bin"))
		monkeypatch.setattr(name_sketch, "STORED_FOR", datetime.timedelta(0))
		assert name_sketch.stored_name_sketch() is None
	finally:
		frappe.db.rollback()


def test_a_sketch_that_cannot_be_stored_leaves_the_old_one_and_no_partial_file(monkeypatch, stored):
	"""A full disk or a refused rename: the error is logged, the sketch stored before stays whole, and the
	partial file written beside it is removed (6 MB each time, never cleaned up otherwise)."""
	import glob

	stored()
	before = name_sketch._stored()[0]
	folder = os.path.dirname(name_sketch._path())

	def refused(source, target):
		raise OSError("no space left on device")

	monkeypatch.setattr(os, "replace", refused)
	name_sketch.store_name_sketch()
	monkeypatch.undo()
	assert name_sketch._stored()[0] == before
	assert glob.glob(os.path.join(folder, ".cims_match_key_sketch.*")) == []


def test_the_daily_job_stores_the_sketch_and_drops_the_log_it_no_longer_needs(stored, monkeypatch):
	from cims_app.hooks import scheduler_events
	from cims_app.jobs.name_sketch import rebuild_name_sketch

	assert "cims_app.jobs.name_sketch.rebuild_name_sketch" in scheduler_events["daily_long"]
	name_sketch.forget_name_sketch()
	old = [match_key(f"旧{number}{unique_suffix()}科技") for number in range(3)]
	recent = match_key(f"新{unique_suffix()}科技")
	monkeypatch.setattr(name_sketch, "PRUNE_PAGE", 2)  # a page at a time
	try:
		frappe.db.sql(
			f"""INSERT INTO `{name_sketch.LOG_TABLE}` (logged_at, match_key)
			VALUES (NOW(6) - INTERVAL 2 DAY, %s), (NOW(6) - INTERVAL 3 DAY, %s), (NOW(6) - INTERVAL 2 HOUR, %s),
			(NOW(6) - INTERVAL 10 MINUTE, %s)""",
			(*old, recent),
		)
		result = rebuild_name_sketch()
		assert (
			result["keys"]
			== frappe.db.sql(
				"SELECT COUNT(*) FROM `tabCIMS Customer` WHERE CHAR_LENGTH(name_match_key) >= 2"
			)[0][0]
		)
		assert result["log_entries_dropped"] >= 3
		assert [logged(key) for key in old] == [0, 0, 0]
		assert logged(recent) == 1  # within the margin of the new sketch
		started = name_sketch._stored()[0]
		assert abs(started - frappe.db.sql("SELECT NOW(6)")[0][0]) < datetime.timedelta(minutes=5)
	finally:
		frappe.db.rollback()
		frappe.db.sql(f"DELETE FROM `{name_sketch.LOG_TABLE}` WHERE match_key IN %s", ((*old, recent),))
		frappe.db.commit()


def test_a_migrate_drops_the_stored_sketch(stored):
	stored()
	assert name_sketch._stored() is not None
	assert name_sketch.install()
	assert name_sketch._stored() is None
	assert name_sketch.available()


def test_a_migrate_drops_the_sketch_an_older_version_kept_in_the_sites_cache():
	from cims_app.patches.v0_1 import drop_cached_name_sketch

	key = drop_cached_name_sketch.OLD_CACHE_KEY
	frappe.cache.set(frappe.cache.make_key(key), b"2026-12-01T00:00:00\n" + bytes(64))
	frappe.cache.set_value("cims_other_key", "kept")
	try:
		assert frappe.cache.get(frappe.cache.make_key(key))
		drop_cached_name_sketch.execute()
		assert frappe.cache.get(frappe.cache.make_key(key)) is None
		assert frappe.cache.get_value("cims_other_key") == "kept"
	finally:
		frappe.cache.delete_value("cims_other_key")


def test_the_catch_up_reads_the_logged_keys_from_the_log_index_alone_also_on_a_site_made_before():
	"""An import reads the keys logged since the stored sketch from the index on the time and the key, not
	a row per entry (a log of the last hours holds hundreds of thousands); a log an earlier version made
	with the time alone in its index gets the key added on migrate."""
	from cims_app.db.indexes import index_columns

	name, columns = name_sketch.LOG_INDEX
	frappe.db.sql_ddl(
		f"ALTER TABLE `{name_sketch.LOG_TABLE}` DROP INDEX `{name}`, ADD INDEX `{name}` (`logged_at`)"
	)
	try:
		assert index_columns(name_sketch.LOG_TABLE, name) == ["logged_at"]
	finally:
		name_sketch.install()
	assert index_columns(name_sketch.LOG_TABLE, name) == list(columns)
	since = frappe.db.sql("SELECT NOW(6) - INTERVAL 1 HOUR")[0][0]
	plan = frappe.db.sql(f"EXPLAIN {name_sketch.CATCH_UP_QUERY}", {"since": since, "limit": 10}, as_dict=True)
	assert [(row.key, "Using index" in (row.Extra or "")) for row in plan] == [(name, True)], plan
