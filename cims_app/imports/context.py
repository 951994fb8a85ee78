"""What an import run knows and carries, shared by the run (engine) and the DocTypes' handlers (customers,
records): the outcome of a row, a source row on its way through a run, the ledger's row hashes, and the
batch's context (its file, columns and mapping). A module of its own, so that the handlers and the engine
do not import each other."""

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field

import frappe
from frappe import _

from cims_app.domain.compact import HashPositions
from cims_app.domain.import_mapping import ColumnMapping, column_label, map_headers
from cims_app.imports.reader import SheetInfo
from cims_app.imports.rows import RowError, cell_text, normalise_row
from cims_app.imports.schema import (
	REASON_FIELD,
	ROW_REF_FIELD,
	import_columns,
	link_lookups,
	mapping_targets,
	synonyms,
)

INSERTED, UPDATED, MERGED, SKIPPED, FAILED = "Inserted", "Updated", "Merged", "Skipped", "Failed"
OUTCOMES = (INSERTED, UPDATED, MERGED, SKIPPED, FAILED)
COUNT_FIELDS = {
	INSERTED: "inserted",
	UPDATED: "updated",
	MERGED: "merged",
	SKIPPED: "skipped",
	FAILED: "failed",
}


@dataclass(eq=False, slots=True)
class SourceRow:
	"""One data row of the file on its way through a run. A run holds the rows of one chunk at a time
	(and the reader the next chunk's cells): nothing keeps a row once its chunk is written."""

	number: int
	cells: tuple
	row_hash: str
	ref: str | None = None  # the ledger row named in the file's Import Row ID column
	entry: str | None = None  # the ledger row this run updates (a failed row tried again)
	values: dict = field(default_factory=dict)
	errors: list[RowError] = field(default_factory=list)
	status: str | None = None
	record: str | None = None
	message: str = ""
	possible_duplicates: list[str] = field(default_factory=list)
	action: str | None = None  # what the handler will do: insert, update, merge
	plan: str = ""  # the preview's description of what a run would do
	entry_name: str | None = None
	target: object = None  # the record (name) or earlier SourceRow an update or merge goes to
	data: dict = field(default_factory=dict)  # handler's working values

	def fail(self, message: str, fieldname: str | None = None) -> None:
		self.errors.append(RowError(fieldname, message))
		self.status = FAILED

	def outcome(self, status: str, message: str = "", record: str | None = None) -> None:
		self.status = status
		self.message = message
		if record:
			self.record = record


class RowHashes:
	"""The ledger's identity of each row: the SHA-1 of its cells, with #2, #3... on the second and later
	copies of the same cells in one file (so every row of a file has its own entry).

	Copies are counted by the digest's first 64 bits, 12 bytes a row (a dict of hex digests took ~150):
	should two different rows ever share them, the later one's hash still carries its own digest and
	is the same on every run of the file, which is all the ledger needs.
	"""

	def __init__(self):
		self._seen = HashPositions()

	def row_hash(self, content: str) -> str:
		digest = hashlib.sha1(content.encode("utf-8")).digest()
		prefix = int.from_bytes(digest[:8], "big", signed=True)
		copy = len(self._seen.get(prefix)) + 1
		self._seen.add(prefix, 0)
		return digest.hex() if copy == 1 else f"{digest.hex()}#{copy}"


class ImportContext:
	"""Everything a run knows about the batch, its file and its columns; shared with the handler."""

	def __init__(self, batch, info: SheetInfo):
		self.batch = batch
		self.doctype = batch.import_doctype
		self.import_type = batch.import_type
		self.policy = batch.conflict_policy
		self.info = info
		self.columns = import_columns(self.doctype)
		self.specs = {column.fieldname: column.spec for column in self.columns}
		self.labels = {column.fieldname: column.spec.label for column in self.columns}
		self.mapping = map_columns(batch, info.header, self.columns)
		self.fields = {index: name for index, name in self.mapping.fields.items() if name in self.specs}
		self.ref_column = self.mapping.column_of(ROW_REF_FIELD)
		self.wan_fields = {self.mapping.fields[index] for index in self.mapping.wan_columns}
		self.links = link_lookups(
			[column for column in self.columns if column.fieldname in self.fields.values()]
		)
		self.headers = [column_label(info.header, index) for index in range(len(info.header))]
		self.file_name = file_label(batch)
		self.data_source = _("Import batch {0} ({1})").format(batch.name, self.file_name)
		self.today = frappe.utils.getdate()

	def source_row(self, number: int, cells: tuple, hashes: "RowHashes") -> SourceRow:
		width = len(self.info.header)
		cells = tuple(cells[:width]) + (None,) * (width - len(cells))
		ref = None
		if self.ref_column is not None:
			ref = cell_text(cells[self.ref_column]) or None
		content = "\x1f".join(
			cell_text(value) for index, value in enumerate(cells) if index != self.ref_column
		)
		return SourceRow(number=number, cells=cells, row_hash=hashes.row_hash(content), ref=ref)

	def normalise(self, row: SourceRow) -> None:
		cells = {name: row.cells[index] for index, name in self.fields.items()}
		result = normalise_row(
			cells,
			self.specs_for_file(),
			self.links,
			wan_fields=self.wan_fields,
			amounts_in_wan=bool(self.batch.amounts_in_wan),
			today=self.today,
		)
		row.values = result.values
		row.errors.extend(result.errors)
		if row.errors:
			row.status = FAILED

	def specs_for_file(self):
		"""Specs of the mapped columns, plus required fields the file lacks (so each row says so)."""
		if not hasattr(self, "_file_specs"):
			mapped = set(self.fields.values())
			if self.import_type == "Update":
				self._file_specs = {
					name: dataclasses.replace(spec, required=False)
					for name, spec in self.specs.items()
					if name in mapped
				}
			else:
				self._file_specs = {
					name: spec for name, spec in self.specs.items() if name in mapped or spec.required
				}
		return self._file_specs

	def row_cells(self, row: SourceRow) -> dict:
		"""The row's original cells by header (every column of the file, blanks included, except the error
		workbook's own reason and row-ID columns), for the error workbook (JSON-safe)."""
		own = {ROW_REF_FIELD, REASON_FIELD}
		return {
			self.headers[index]: _json_cell(value)
			for index, value in enumerate(row.cells)
			if index < len(self.headers) and self.headers[index] and self.mapping.fields.get(index) not in own
		}

	def bad_headers(self, row: SourceRow) -> list[str]:
		columns = {name: index for index, name in self.fields.items()}
		return sorted(
			{self.headers[columns[error.fieldname]] for error in row.errors if error.fieldname in columns}
		)

	def error_text(self, row: SourceRow) -> str:
		parts = []
		for error in row.errors:
			message = _(error.message).format(*error.params)
			label = self.labels.get(error.fieldname)
			parts.append(f"{label}: {message}" if label and label not in message else message)
		return "; ".join(parts)


def _json_cell(value):
	if hasattr(value, "isoformat"):
		return value.isoformat()
	return value


def file_label(batch) -> str:
	return os.path.basename((batch.import_file or "").split("?")[0]) or batch.name


def map_columns(batch, header: list, columns) -> ColumnMapping:
	overrides = None
	if batch.column_mapping:
		try:
			overrides = json.loads(batch.column_mapping)
		except ValueError:
			frappe.throw(_("Column Mapping is not valid JSON: {0}").format(batch.column_mapping))
		if not isinstance(overrides, dict):
			frappe.throw(_("Column Mapping must map each column header to a fieldname"))
	return map_headers(
		header, mapping_targets(batch.import_doctype, columns), synonyms(batch.import_doctype), overrides
	)


def job_id(batch: str) -> str:
	"""The RQ job id of a batch's run (one run of a batch at a time)."""
	return f"cims-import::{batch}"
