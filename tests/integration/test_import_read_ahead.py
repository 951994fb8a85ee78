"""The file read ahead of the run in a process of its own (cims_app.imports.ahead): the same rows, hashes,
values and problems as read in the run's own process, its errors raised in the run, and no reading process
left behind when the run stops reading or dies."""

import multiprocessing
import os
import time

import frappe
import pytest

from cims_app.imports import ahead
from cims_app.imports.context import ImportContext
from cims_app.imports.reader import ImportFileError, inspect_file
from tests.integration.import_helpers import workbook_bytes
from tests.integration.support import unique_suffix, valid_mobile, valid_uscc

HEADER = ["客户名称", "统一社会信用代码", "手机", "行业", "首次接触日期", "合同金额(万元)"]


def _context(imports, count: int):
	suffix = unique_suffix()
	rows = []
	for number in range(count):
		rows.append(
			[
				f"预读{suffix}第{number}号科技有限公司",
				valid_uscc() if number % 3 else "不是信用代码",
				valid_mobile() if number % 4 else "12345",
				"" if number % 5 else "没有这个行业",
				f"2024年3月{number % 28 + 1}日",
				f"{number},000.50" if number % 2 else "五万",
			]
		)
	rows.insert(7, list(rows[6]))  # a copy of a row: its own hash (#2)
	batch = imports.batch(workbook_bytes(HEADER, rows))
	doc = frappe.get_doc("CIMS Import Batch", batch)
	path = frappe.get_doc("File", {"file_url": doc.import_file}).get_full_path()
	info = inspect_file(path, 50, 200000)
	return ImportContext(doc, info), info


@pytest.fixture
def context(imports):
	return _context(imports, 25)


def _described(chunks) -> list:
	return [
		(
			chunk.rows_read,
			chunk.examples,
			[
				(row.number, row.row_hash, row.values, [error.text() for error in row.errors], row.status)
				for row in chunk.rows
			],
		)
		for chunk in chunks
	]


def _children() -> list:
	return [child for child in multiprocessing.active_children() if child.name == "cims-import-reader"]


def test_a_file_read_in_a_process_of_its_own_gives_the_rows_the_run_would_read_itself(context, monkeypatch):
	import_context, info = context
	forked = list(ahead.read_chunks(import_context, info, 4))
	assert not _children()
	monkeypatch.setattr(ahead.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
	in_process = list(ahead.read_chunks(import_context, info, 4))
	assert _described(forked) == _described(in_process)
	assert [chunk.rows_read for chunk in forked] == [4, 4, 4, 4, 4, 4, 2]
	rows = [row for chunk in forked for row in chunk.rows]
	assert rows[7].row_hash == rows[6].row_hash + "#2"
	assert any(row.status == "Failed" for row in rows) and any(row.status is None for row in rows)


def test_an_error_of_the_reading_process_is_raised_in_the_run_after_the_chunks_before_it(
	context, monkeypatch
):
	import_context, info = context
	read = ahead.iter_rows

	def breaks_after_eight(sheet):
		for count, row in enumerate(read(sheet)):
			if count == 8:
				raise ImportFileError("The workbook is damaged and cannot be read: save it again in Excel")
			yield row

	monkeypatch.setattr(ahead, "iter_rows", breaks_after_eight)  # the forked process has it too
	received = []
	with pytest.raises(ImportFileError, match="damaged"):
		for chunk in ahead.read_chunks(import_context, info, 4):
			received.append(chunk)
	assert [chunk.rows_read for chunk in received] == [4, 4]
	assert not _children()


def test_the_reading_process_ends_when_the_run_stops_reading(context):
	import_context, info = context
	chunks = ahead.read_chunks(import_context, info, 2)
	next(chunks)
	assert len(_children()) == 1
	chunks.close()
	assert not _children()


def test_the_reading_process_ends_by_itself_once_the_run_is_gone(imports):
	"""A run killed (SIGKILL: no clean-up of its own) closes its end of the pipe with its death: the reading
	process, which closed its copy of that end, fails its next send and ends instead of waiting for ever.
	(The file is larger than what the pipe holds, so that the process cannot just send it all and end.)"""
	import_context, info = _context(imports, 600)
	fork = multiprocessing.get_context("fork")
	receiving, sending = fork.Pipe(duplex=False)
	process = fork.Process(
		target=ahead._send_chunks, args=(import_context, info, 1, sending, receiving), daemon=True
	)
	process.start()
	sending.close()
	receiving.recv()  # the first chunk, then the run is gone
	receiving.close()
	deadline = time.monotonic() + 20
	while process.is_alive() and time.monotonic() < deadline:
		time.sleep(0.05)
	alive = process.is_alive()
	if alive:
		os.kill(process.pid, 9)
	process.join()
	assert not alive, "the reading process outlived the run"


def test_a_batchs_first_run_asks_the_ledger_nothing_and_a_second_run_finds_every_row(imports, monkeypatch):
	"""A batch's first run has no ledger entry to find (it never looks up its own): it sends no lookup of the
	ledger; the next run of the batch looks each row up and leaves every one alone."""
	from cims_app.imports import ledger as ledger_module
	from cims_app.imports.engine import ImportRun

	suffix = unique_suffix()
	rows = [[f"账本{suffix}第{number}号有限公司", valid_uscc(), valid_mobile()] for number in range(5)]
	batch = imports.batch(workbook_bytes(HEADER[:3], rows))
	lookups = []
	original = ledger_module.frappe.db.sql

	def counting(query, *args, **kwargs):
		if "FROM `tabCIMS Import Row`" in str(query) and "row_hash, status" in str(query):
			lookups.append(query)
		return original(query, *args, **kwargs)

	monkeypatch.setattr(ledger_module.frappe.db, "sql", counting)
	first = ImportRun(batch, chunk_rows=2).run()
	assert first["inserted"] == 5 and not lookups
	imports.customers.update(frappe.get_all("CIMS Import Row", filters={"batch": batch}, pluck="record"))
	second = ImportRun(batch, chunk_rows=2).run()
	assert lookups and second["inserted"] == 5 and second["rows_read"] == 5
	log = frappe.db.get_value("CIMS Import Batch", batch, "log")
	assert "5 rows were already imported by this batch" in log
