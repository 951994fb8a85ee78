"""Reading an uploaded workbook safely: every check that can refuse a file runs before any record is
written, then the data rows stream from the sheet's XML (lxml's iterparse, parsed rows dropped, shared
strings in temporary files), so the memory a read takes does not grow with the file."""

import datetime
import functools
import os
import queue
import re
import struct
import tempfile
import threading
import zipfile
import zlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from cims_app.domain.errors import _
from cims_app.imports.rows import is_blank
from cims_app.imports.template import LISTS_SHEET, is_example_row

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*ref=\"([A-Z]+\d+(?::[A-Z]+\d+)?)\"")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>]")
_SCAN_CHUNK = 1 << 20
_HEADER_SEARCH_ROWS = 20


class ImportFileError(Exception):
	"""The file cannot be imported; `message` is an English template (translated for display) with `params`."""

	def __init__(self, message: str, params: tuple = ()):
		self.message = message
		self.params = tuple(params)
		super().__init__(message.format(*self.params))


@dataclass
class SheetInfo:
	"""What the checks learned about the file: the data sheet, its header and an upper bound of its rows."""

	path: str
	sheet_name: str
	header: list
	header_row: int
	row_bound: int
	other_sheets: list[str] = field(default_factory=list)


def inspect_file(path: str, max_mb: float, max_rows: int) -> SheetInfo:
	"""Refuse (ImportFileError) a file that is too big, not an .xlsx, corrupt, password-protected, has
	hidden sheets, formulas or merged cells in the data sheet, too many rows, no header or no data."""
	size = os.path.getsize(path)
	if max_mb and size > max_mb * 1024 * 1024:
		raise ImportFileError(
			_("The file is {0} MB, more than the {1} MB allowed: split it into smaller files"),
			(round(size / 1024 / 1024, 1), max_mb),
		)
	if size == 0:
		raise ImportFileError(_("The file is empty"))
	with open(path, "rb") as handle:
		head = handle.read(8)
	if head == OLE_MAGIC:
		with open(path, "rb") as handle:
			content = handle.read()
		if ENCRYPTION_STREAM in content:
			raise ImportFileError(
				_(
					"The workbook is password-protected: remove the password in Excel (File > Info) and upload it again"
				)
			)
		raise ImportFileError(
			_("This is an old Excel 97-2003 file (.xls): save it as .xlsx and upload it again")
		)
	if not zipfile.is_zipfile(path):
		raise ImportFileError(
			_("The file is not an Excel workbook (.xlsx): save it as .xlsx and upload it again")
		)
	try:
		with zipfile.ZipFile(path) as archive:
			names = set(archive.namelist())
			if "xl/workbook.xml" not in names:
				raise ImportFileError(
					_("The file is not an Excel workbook (.xlsx): save it as .xlsx and upload it again")
				)
			broken = archive.testzip()
			if broken:
				raise ImportFileError(
					_("The workbook is damaged (part {0} is corrupt): save it again in Excel"), (broken,)
				)
	except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, zlib.error):
		raise ImportFileError(_("The workbook is damaged and cannot be read: save it again in Excel"))

	try:
		stream = SheetStream(path)
	except ImportFileError:
		raise
	except Exception:
		raise ImportFileError(_("The workbook is damaged and cannot be read: save it again in Excel"))
	with stream:
		hidden = [
			sheet.name for sheet in stream.sheets if sheet.state != "visible" and sheet.name != LISTS_SHEET
		]
		if hidden:
			raise ImportFileError(
				_(
					"The workbook has hidden sheets ({0}): unhide or delete them so nothing is imported unseen"
				),
				(", ".join(hidden),),
			)
		visible = [sheet for sheet in stream.sheets if sheet.state == "visible"]
		if not visible:
			raise ImportFileError(_("The workbook has no sheet to import"))
		stream.select(visible[0].name)
		sheet_path = stream.sheet_part
		try:
			header_row, header = _find_header(stream)
			has_data = header is not None and _has_data_row(stream, header_row)
		except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, KeyError, ValueError, IndexError):
			raise ImportFileError(_("The workbook is damaged and cannot be read: save it again in Excel"))
		if header is None:
			raise ImportFileError(_("The sheet {0} is empty"), (visible[0].name,))
		if not has_data:
			raise ImportFileError(
				_("The sheet {0} has a header row but no data rows: fill in at least one row"),
				(visible[0].name,),
			)
		info = SheetInfo(
			path=path,
			sheet_name=visible[0].name,
			header=header,
			header_row=header_row,
			row_bound=0,
			other_sheets=[sheet.name for sheet in visible[1:]],
		)

	formulas, merged, rows = _scan_sheet_xml(path, sheet_path)
	if merged:
		raise ImportFileError(
			_("The sheet {0} has merged cells ({1}): unmerge them and fill every cell"),
			(info.sheet_name, merged),
		)
	if formulas:
		raise ImportFileError(
			_("The sheet {0} contains formulas (first in cell {1}): copy the cells and paste them as values"),
			(info.sheet_name, _first_formula_cell(path, info.sheet_name)),
		)
	info.row_bound = rows
	data_rows = max(0, rows - header_row)
	if max_rows and data_rows > max_rows:
		raise ImportFileError(
			_(
				"The sheet {0} has {1} rows, more than the {2} allowed per import: split it into several files"
			),
			(info.sheet_name, data_rows, max_rows),
		)
	return info


def _find_header(stream: "SheetStream") -> tuple[int, list | None]:
	for number, row in stream.rows(max_row=_HEADER_SEARCH_ROWS):
		if any(not is_blank(value) for value in row):
			return number, list(row)
	return 0, None


def _has_data_row(stream: "SheetStream", header_row: int) -> bool:
	for _number, row in stream.rows(min_row=header_row + 1):
		values = [value for value in row if not is_blank(value)]
		if values and not is_example_row(values[0]):
			return True
	return False


def _scan_sheet_xml(path: str, sheet_path: str) -> tuple[bool, str, int]:
	"""(has a formula, first merged range or "", number of row elements) of a sheet, by scanning its XML."""
	formulas = False
	merged = ""
	rows = 0
	tail = b""
	with zipfile.ZipFile(path) as archive, archive.open(sheet_path.lstrip("/")) as stream:
		while chunk := stream.read(_SCAN_CHUNK):
			block = tail + chunk
			# Count the tags that end in the new part: one wholly in the tail was counted with the chunk before,
			# and one split across the two chunks (which the chunk before could not match) is counted now.
			start = len(tail)
			rows += sum(1 for found in _ROW.finditer(block) if found.end() > start)
			if not formulas and _FORMULA.search(block):
				formulas = True
			if not merged and (found := _MERGE.search(block)):
				merged = found.group(1).decode()
			tail = block[-256:]
	return formulas, merged, rows


def _first_formula_cell(path: str, sheet_name: str) -> str:
	with SheetStream(path, sheet_name) as stream:
		return stream.first_formula_cell() or "?"


def iter_rows(info: SheetInfo) -> Iterator[tuple[int, tuple]]:
	"""(sheet row number, cell values) of each data row below the header, blank rows left out.

	Streams the sheet's XML with lxml (what openpyxl's read-only mode does underneath, minus a cell
	object per value, which makes it several times faster); values come out as openpyxl gives them:
	text, int, float, bool, and datetime for numbers in a date format.
	"""
	with SheetStream(info.path, info.sheet_name) as stream:
		for number, row in stream.rows(min_row=info.header_row + 1):
			if any(not is_blank(value) for value in row):
				yield number, row


_DONE = object()


def read_ahead(items: Iterable, depth: int = 2) -> Iterator:
	"""The items of `items`, produced by a thread up to `depth` items ahead of the consumer.

	An import parses the next chunk of the sheet while the database writes the previous one: the
	driver waits on its socket without holding the GIL, so the two overlap on a second core. An error
	of the producer is raised in the consumer; a consumer that stops early stops the producer."""
	buffer: queue.Queue = queue.Queue(maxsize=depth)
	stop = threading.Event()

	def put(item) -> bool:
		while not stop.is_set():
			try:
				buffer.put(item, timeout=0.1)
				return True
			except queue.Full:
				continue
		return False

	def produce() -> None:
		try:
			for item in items:
				if not put(item):
					return
		except BaseException as error:
			put(error)
			return
		put(_DONE)

	producer = threading.Thread(target=produce, name="cims-import-reader", daemon=True)
	producer.start()
	try:
		while True:
			item = buffer.get()
			if item is _DONE:
				return
			if isinstance(item, BaseException):
				raise item
			yield item
	finally:
		stop.set()
		producer.join()


MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ROW_TAG = MAIN_NS + "row"
_VALUE_TAG = MAIN_NS + "v"
_TEXT_TAG = MAIN_NS + "t"
_PHONETIC_TAG = MAIN_NS + "rPh"
_FORMULA_TAG = MAIN_NS + "f"


# End offsets as array("Q").tobytes() writes them: native order, 8 bytes each.
_ONE_END = struct.Struct("=Q")
_TWO_ENDS = struct.Struct("=QQ")


class SharedStrings:
	"""The shared strings read so far. A file of 100,000 rows has over half a million of them, and the
	memory of a run must not grow with its file, so they go to two unnamed temporary files in blocks (their
	UTF-8 bytes, and each one's end offset as 8 bytes) and come back with os.pread. The strings read most
	often (option values and masters that every row repeats) stay in a small cache, and Excel numbers
	strings in the order rows first use them, so the newest strings, still in the block being filled,
	are the ones a row asks for next."""

	BLOCK = 1 << 18
	CACHE = 4096

	def __init__(self):
		self._text = tempfile.TemporaryFile()
		self._ends = tempfile.TemporaryFile()
		self._block = bytearray()
		self._block_ends = array("Q")
		self._bytes_written = 0
		self._strings_written = 0
		self._cache: dict[int, str] = {}

	def __len__(self) -> int:
		return self._strings_written + len(self._block_ends)

	def append(self, text: str) -> None:
		self._block += text.encode()
		self._block_ends.append(self._bytes_written + len(self._block))
		if len(self._block) >= self.BLOCK:
			self._write_block()

	def _write_block(self) -> None:
		os.pwrite(self._text.fileno(), self._block, self._bytes_written)
		os.pwrite(self._ends.fileno(), self._block_ends.tobytes(), self._strings_written * 8)
		self._bytes_written += len(self._block)
		self._strings_written += len(self._block_ends)
		self._block = bytearray()
		self._block_ends = array("Q")

	def __getitem__(self, index: int) -> str:
		text = self._cache.get(index)
		if text is not None:
			return text
		if index >= self._strings_written:
			at = index - self._strings_written
			start = self._block_ends[at - 1] if at else self._bytes_written
			base = self._bytes_written
			text = self._block[start - base : self._block_ends[at] - base].decode()
		else:
			if index:
				start, end = _TWO_ENDS.unpack(os.pread(self._ends.fileno(), 16, (index - 1) * 8))
			else:
				start, (end,) = 0, _ONE_END.unpack(os.pread(self._ends.fileno(), 8, 0))
			text = os.pread(self._text.fileno(), end - start, start).decode()
		if len(self._cache) >= self.CACHE:
			self._cache.clear()
		self._cache[index] = text
		return text

	def close(self) -> None:
		self._text.close()
		self._ends.close()


@dataclass(frozen=True)
class SheetEntry:
	name: str
	state: str
	part: str


class SheetStream:
	"""The sheets of an .xlsx and the rows of one, parsed incrementally with lxml; shared strings are read
	only as far as the rows read so far need them, date styles once."""

	def __init__(self, path: str, sheet_name: str | None = None):
		self.archive = zipfile.ZipFile(path)
		self.names = set(self.archive.namelist())
		workbook_xml = etree.fromstring(self.archive.read("xl/workbook.xml"))
		relations = self._relation_rows("xl/_rels/workbook.xml.rels")
		by_id = {rid: target for target, _kind, rid in relations}
		self.sheets = [
			SheetEntry(
				sheet.get("name"),
				sheet.get("state") or "visible",
				_part_path(by_id.get(sheet.get(REL_NS + "id"), "")),
			)
			for sheet in workbook_xml.iter(MAIN_NS + "sheet")
		]
		properties = workbook_xml.find(MAIN_NS + "workbookPr")
		mac = properties is not None and properties.get("date1904") in ("1", "true")
		self.epoch = CALENDAR_MAC_1904 if mac else CALENDAR_WINDOWS_1900
		by_type = {kind.rsplit("/", 1)[-1]: target for target, kind, _rid in relations}
		self.shared = SharedStrings()
		self._shared_part = _part_path(by_type.get("sharedStrings", ""))
		self._shared_reader = None
		self.date_styles = self._date_styles(_part_path(by_type.get("styles", "")))
		self.sheet_part = None
		if sheet_name:
			self.select(sheet_name)

	def select(self, sheet_name: str) -> None:
		for sheet in self.sheets:
			if sheet.name == sheet_name and sheet.part in self.names:
				self.sheet_part = sheet.part
				return
		raise ImportFileError(_("The workbook is damaged and cannot be read: save it again in Excel"))

	def __enter__(self):
		return self

	def __exit__(self, *exc):
		self.close()

	def close(self) -> None:
		self.archive.close()
		self.shared.close()

	def _relation_rows(self, part: str) -> list[tuple[str, str, str]]:
		if part not in self.names:
			return []
		root = etree.fromstring(self.archive.read(part))
		return [
			(rel.get("Target", ""), rel.get("Type", ""), rel.get("Id", ""))
			for rel in root.iter(PACKAGE_REL_NS + "Relationship")
		]

	def _shared_string(self, index: int) -> str:
		"""Shared string `index`, reading the shared-strings part just far enough."""
		while index >= len(self.shared):
			if self._shared_reader is None:
				if self._shared_part not in self.names:
					raise IndexError(index)
				self._shared_stream = self.archive.open(self._shared_part)
				self._shared_reader = etree.iterparse(self._shared_stream, tag=MAIN_NS + "si")
			_event, item = next(self._shared_reader)
			self.shared.append(
				"".join(
					text.text or "" for text in item.iter(_TEXT_TAG) if text.getparent().tag != _PHONETIC_TAG
				)
			)
			item.clear()
			while item.getprevious() is not None:  # drop the parsed items, as for rows
				del item.getparent()[0]
		return self.shared[index]

	def _date_styles(self, part: str) -> list[bool]:
		if not part or part not in self.names:
			return []
		root = etree.fromstring(self.archive.read(part))
		formats = dict(BUILTIN_FORMATS)
		for number_format in root.iter(MAIN_NS + "numFmt"):
			formats[int(number_format.get("numFmtId"))] = number_format.get("formatCode", "")
		cell_formats = root.find(MAIN_NS + "cellXfs")
		if cell_formats is None:
			return []
		return [
			is_date_format(formats.get(int(xf.get("numFmtId", "0")), "") or "")
			for xf in cell_formats.iter(MAIN_NS + "xf")
		]

	def _row_elements(self):
		with self.archive.open(self.sheet_part) as stream:
			for _event, row in etree.iterparse(stream, tag=_ROW_TAG):
				yield row
				row.clear()
				while row.getprevious() is not None:
					del row.getparent()[0]

	def rows(self, min_row: int = 1, max_row: int | None = None) -> Iterator[tuple[int, tuple]]:
		date_styles = self.date_styles
		number = 0
		for row in self._row_elements():
			number = int(row.get("r") or number + 1)
			if max_row and number > max_row:
				return
			if number < min_row:
				continue
			values: list = []
			for cell in row:
				ref = cell.get("r")
				if ref:
					position = _column_position(ref.rstrip(_DIGITS))
					if position > len(values):
						values.extend([None] * (position - len(values)))
				values.append(self._value(cell, date_styles))
			yield number, tuple(values)

	def first_formula_cell(self) -> str | None:
		for row in self._row_elements():
			for cell in row:
				if cell.find(_FORMULA_TAG) is not None:
					return cell.get("r") or "?"
		return None

	def _value(self, cell, date_styles: list[bool]):
		kind = cell.get("t")
		if kind == "inlineStr":
			return "".join(text.text or "" for text in cell.iter(_TEXT_TAG))
		value_element = cell.find(_VALUE_TAG)
		text = value_element.text if value_element is not None else None
		if text is None:
			return None
		if kind == "s":
			return self._shared_string(int(text))
		if kind in ("str", "e"):
			return text
		if kind == "b":
			return text == "1"
		if kind == "d":
			return datetime.datetime.fromisoformat(text)
		number = float(text) if any(char in text for char in ".eE") else int(text)
		style = cell.get("s")
		if style and date_styles and int(style) < len(date_styles) and date_styles[int(style)]:
			return from_excel(number, self.epoch)
		if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
			return int(number)
		return number


_DIGITS = "0123456789"


@functools.lru_cache(maxsize=1024)
def _column_position(letters: str) -> int:
	"""0-based column of a cell reference's letters ("A" -> 0)."""
	return column_index_from_string(letters) - 1


def _part_path(target: str) -> str:
	"""A relationship target of xl/workbook.xml as a path inside the archive."""
	if not target:
		return ""
	if target.startswith("/"):
		return target.lstrip("/")
	return "xl/" + target
