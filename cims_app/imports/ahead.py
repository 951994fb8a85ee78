"""The file's rows read ahead of the run: parsed, identified (row hash) and normalised a chunk at a time,
while the run looks up, decides and writes the chunks before them.

A file of more than one chunk is read in a process of the run's own, forked from it: it has the batch's
columns, rules and link lookups without asking the database, which it never touches. Parsing the sheet's
XML and normalising its cells is about a third of an import's Python time; a thread could only take turns
with the run under the interpreter lock, a process runs on the machine's other core. It sends each chunk's
rows through a pipe, about one chunk ahead of the run (so memory stays flat), and ends with the file or
with the run: when the run stops or dies, its next send fails and it exits. A file of one chunk is read in
the run's own process, with a thread ahead of it (reader.read_ahead).
"""

import multiprocessing
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from cims_app.imports.context import ImportContext, RowHashes, SourceRow
from cims_app.imports.reader import ImportFileError, SheetInfo, iter_rows, read_ahead
from cims_app.imports.template import is_example_cells


@dataclass
class Chunk:
	"""A chunk of the file, ready for the run: its rows parsed, hashed and normalised."""

	rows_read: int  # rows of the file in the chunk, the template's example row included
	examples: int  # the template's example rows, left out of `rows`
	rows: list[SourceRow]


def chunks(iterable: Iterable, size: int) -> Iterator[list]:
	iterator = iter(iterable)
	while chunk := list(islice(iterator, size)):
		yield chunk


def prepare(context: ImportContext, cells_of_rows: list[tuple[int, tuple]], hashes: RowHashes) -> Chunk:
	"""The chunk's source rows, each with its row hash and its cells normalised by the batch's column rules
	(a row breaking one is already Failed, with every problem it has)."""
	rows, examples = [], 0
	for number, cells in cells_of_rows:
		if is_example_cells(cells):
			examples += 1
			continue
		row = context.source_row(number, cells, hashes)
		context.normalise(row)
		rows.append(row)
	return Chunk(len(cells_of_rows), examples, rows)


def read_chunks(context: ImportContext, info: SheetInfo, size: int) -> Iterator[Chunk]:
	"""The file's chunks of `size` rows, prepared ahead of the caller (see the module's description)."""
	if info.row_bound - info.header_row <= size or "fork" not in multiprocessing.get_all_start_methods():
		hashes = RowHashes()
		for cells_of_rows in read_ahead(chunks(iter_rows(info), size)):
			yield prepare(context, cells_of_rows, hashes)
		return
	fork = multiprocessing.get_context("fork")
	receiving, sending = fork.Pipe(duplex=False)
	process = fork.Process(
		target=_send_chunks,
		args=(context, info, size, sending, receiving),
		name="cims-import-reader",
		daemon=True,
	)
	process.start()
	sending.close()
	try:
		while True:
			try:
				item = receiving.recv()
			except EOFError:
				raise RuntimeError(
					f"The process reading the file ended without finishing it (exit code {process.exitcode})"
				) from None
			if item is None:
				return
			if isinstance(item, _Failure):
				item.throw()
			yield item
	finally:
		receiving.close()
		if process.is_alive():
			process.terminate()
		process.join(timeout=10)


def _send_chunks(context: ImportContext, info: SheetInfo, size: int, sending, receiving) -> None:
	"""The reading process: every chunk of the file prepared and sent, then None (or the failure). It closes
	its copy of the pipe's reading end first, so that a send fails (and it ends) once the run is gone."""
	receiving.close()
	try:
		hashes = RowHashes()
		for cells_of_rows in chunks(iter_rows(info), size):
			sending.send(prepare(context, cells_of_rows, hashes))
		sending.send(None)
	except (BrokenPipeError, ConnectionResetError):
		return  # the run stopped reading (it ended, failed or died)
	except BaseException as error:
		try:
			sending.send(_Failure.of(error))
		except (BrokenPipeError, ConnectionResetError, OSError):
			return
	finally:
		sending.close()


@dataclass
class _Failure:
	"""An error of the reading process, raised again in the run: a file error as the same ImportFileError
	(the batch then says what is wrong with the file), anything else with the process's traceback."""

	message: str
	params: tuple
	file_error: bool
	trace: str

	@classmethod
	def of(cls, error: BaseException) -> "_Failure":
		if isinstance(error, ImportFileError):
			return cls(error.message, error.params, True, "")
		return cls(str(error), (), False, traceback.format_exc())

	def throw(self):
		if self.file_error:
			raise ImportFileError(self.message, self.params)
		raise RuntimeError(f"The process reading the file failed: {self.message}\n{self.trace}")
