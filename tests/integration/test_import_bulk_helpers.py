"""Helpers of the bulk import: the thread that reads the next chunk of the sheet while the database writes
the previous one (cims_app.imports.reader.read_ahead): nothing lost or reordered, errors reach the run, an
early stop ends the thread; names drawn in blocks (cims_app.db.bulk_insert.hash_name)."""

import threading
import time

import pytest

from cims_app.imports.reader import read_ahead


def test_every_item_arrives_once_and_in_order():
	assert list(read_ahead(iter(range(1000)), depth=3)) == list(range(1000))
	assert list(read_ahead(iter([]))) == []


def test_an_error_of_the_reader_is_raised_to_the_run_after_the_items_before_it():
	def items():
		yield from range(5)
		raise ValueError("damaged sheet")

	seen = []
	with pytest.raises(ValueError, match="damaged sheet"):
		for item in read_ahead(items()):
			seen.append(item)
	assert seen == [0, 1, 2, 3, 4]


def test_the_reader_runs_ahead_while_the_consumer_works():
	produced = []

	def items():
		for n in range(3):
			produced.append(n)
			yield n

	stream = read_ahead(items(), depth=2)
	assert next(stream) == 0
	deadline = time.monotonic() + 5
	while len(produced) < 3 and time.monotonic() < deadline:
		time.sleep(0.01)
	# while the consumer still holds item 0, the thread has read the rest
	assert produced == [0, 1, 2]
	assert list(stream) == [1, 2]


def test_a_consumer_that_stops_early_stops_the_reader():
	produced = []

	def endless():
		n = 0
		while True:
			produced.append(n)
			yield n
			n += 1

	stream = read_ahead(endless(), depth=2)
	assert [next(stream) for _ in range(3)] == [0, 1, 2]
	stream.close()
	assert not any(thread.name == "cims-import-reader" for thread in threading.enumerate())
	count = len(produced)
	time.sleep(0.2)
	assert len(produced) == count


def test_bulk_names_look_like_the_framework_hash_and_do_not_repeat():
	from cims_app.db.bulk_insert import hash_name

	names = [hash_name() for _ in range(20000)]
	assert len(set(names)) == len(names)
	alphabet = set("0123456789abcdefghijklmnopqrstuv")
	assert all(len(name) == 10 and set(name) <= alphabet for name in names)


def test_bulk_names_follow_each_other_in_the_key_so_an_import_writes_to_neighbouring_pages():
	"""The names one process draws in a row sort, in the table's own collation, in the order they were drawn,
	and a block of them shares its first four characters (the tenth of a second it was made in): an import's
	rows go to the end of one stretch of the primary key, not to random pages of a key of millions of rows."""
	import frappe
	from frappe.utils import now_datetime

	from cims_app.db.bulk_insert import hash_name, insert_rows

	names = [hash_name() for _ in range(5000)]
	# At most three blocks: the rest of one drawn before, then two; each has a prefix of its own at most.
	assert len({name[:4] for name in names}) <= 3 and names == sorted(names)
	now = now_datetime()
	fields = ("name", "creation", "modified", "owner", "modified_by", "description", "status", "priority")
	rows = [(name, now, now, "Administrator", "Administrator", "ordered", "Open", "Low") for name in names]
	try:
		assert insert_rows("ToDo", fields, rows[::-1]) == len(names)
		stored = frappe.db.sql_list(
			"SELECT name FROM `tabToDo` WHERE name IN %(names)s ORDER BY name", {"names": tuple(names)}
		)
		assert stored == names
	finally:
		frappe.db.rollback()


def test_threads_of_one_process_draw_bulk_names_without_error_or_repeat():
	"""Threads drawing names together (a web worker's threads, an import's reader beside its writer): when
	the pool runs out, one thread makes the next block and the others wait for it. Before, two threads could
	find it empty together; one made a block, and the other popped from an emptied pool (IndexError) or two
	blocks came from the same start. The interpreter switches threads as often as it can here, and ten
	rounds run, so the window is hit."""
	import sys

	from cims_app.db.bulk_insert import hash_name

	errors = []

	def draw(names: list):
		try:
			for _ in range(20000):
				names.append(hash_name())
		except Exception as error:
			errors.append(error)

	interval = sys.getswitchinterval()
	sys.setswitchinterval(1e-6)
	try:
		for _ in range(10):
			drawn = [[] for _ in range(8)]
			threads = [threading.Thread(target=draw, args=(names,)) for names in drawn]
			for thread in threads:
				thread.start()
			for thread in threads:
				thread.join()
			assert errors == []
			names = [name for names in drawn for name in names]
			assert len(names) == 160000 and len(set(names)) == len(names)
	finally:
		sys.setswitchinterval(interval)
