"""Hostile and broken files end with a clear message and nothing written (SPEC §6).

The password-protected workbook is made with msoffcrypto-tool (real Agile encryption) when it is installed
in the bench env; otherwise the test crafts what Excel writes for one, an OLE compound file whose directory
holds an EncryptionInfo stream, which is all the importer looks at.
"""

import io
import zipfile

import frappe
import pytest

from cims_app.imports import engine
from cims_app.imports.reader import ENCRYPTION_STREAM, OLE_MAGIC
from tests.integration.import_helpers import counts, ledger, workbook_bytes
from tests.integration.support import unique_suffix

HEADER = ["客户名称", "手机"]


def good_workbook(name: str, rows: int = 1, setup=None) -> bytes:
	return workbook_bytes(HEADER, [[f"{name}{n}有限公司", ""] for n in range(rows)], setup=setup)


def encrypted_workbook(plain: bytes) -> bytes:
	try:
		from msoffcrypto.format.ooxml import OOXMLFile
	except ImportError:
		# 512-byte OLE header, then a directory sector naming the EncryptionInfo stream.
		return OLE_MAGIC + b"\x00" * 504 + ENCRYPTION_STREAM + b"\x00" * 1000
	output = io.BytesIO()
	OOXMLFile(io.BytesIO(plain)).encrypt("secret", output)
	return output.getvalue()


def corrupt(content: bytes) -> bytes:
	"""The same zip with the bytes of its largest member overwritten (CRC no longer matches)."""
	with zipfile.ZipFile(io.BytesIO(content)) as archive:
		biggest = max(archive.infolist(), key=lambda info: info.compress_size)
	broken = bytearray(content)
	start = biggest.header_offset + 30 + len(biggest.filename.encode()) + 10
	broken[start : start + 40] = b"\xff" * 40
	return bytes(broken)


def not_a_workbook_zip() -> bytes:
	output = io.BytesIO()
	with zipfile.ZipFile(output, "w") as archive:
		archive.writestr("word/document.xml", "<w:document/>")
	return output.getvalue()


def with_formula(workbook):
	workbook.active["B2"] = "=1+1"


def with_merged_cells(workbook):
	workbook.active.merge_cells("A2:B2")


def with_hidden_sheet(workbook):
	hidden = workbook.create_sheet("秘密")
	hidden["A1"] = "隐藏数据"
	hidden.sheet_state = "hidden"


def empty_sheet() -> bytes:
	import openpyxl

	output = io.BytesIO()
	openpyxl.Workbook().save(output)
	return output.getvalue()


CASES = {
	"csv_named_xlsx": (lambda name: "客户名称,手机\n甲,1\n".encode(), "not an Excel workbook"),
	"docx_not_xlsx": (lambda name: not_a_workbook_zip(), "not an Excel workbook"),
	"corrupt_zip": (lambda name: corrupt(good_workbook(name, 50)), "damaged"),
	"password_protected": (lambda name: encrypted_workbook(good_workbook(name)), "password-protected"),
	"formulas": (lambda name: good_workbook(name, setup=with_formula), "formulas"),
	"merged_cells": (lambda name: good_workbook(name, setup=with_merged_cells), "merged cells"),
	"hidden_sheet": (lambda name: good_workbook(name, setup=with_hidden_sheet), "hidden sheets"),
	"empty_sheet": (lambda name: empty_sheet(), "is empty"),
	"header_only": (lambda name: workbook_bytes(HEADER, []), "no data rows"),
}


def customers_named(name: str) -> int:
	return frappe.db.count("CIMS Customer", {"customer_name": ("like", f"{name}%")})


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_fails_with_a_clear_message_and_writes_nothing(imports, case):
	make, expected = CASES[case]
	name = f"坏文件{unique_suffix()}"
	batch = imports.batch(make(name), f"{case}.xlsx")

	with pytest.raises(frappe.ValidationError) as preview_error:
		frappe.get_doc("CIMS Import Batch", batch).preview()
	assert expected in str(preview_error.value)
	frappe.db.rollback()

	result = imports.run(batch)
	assert result["status"] == "Failed"
	assert expected in result["message"]
	summary = counts(batch)
	assert summary.status == "Failed"
	assert "Nothing was imported: " in summary.log and expected in summary.log
	assert summary.rows_read == 0
	assert not ledger(batch)
	assert customers_named(name) == 0


@pytest.mark.parametrize(
	("limits", "rows", "expected"),
	[((0.001, 1000), 40, "MB, more than the"), ((50, 3), 4, "rows, more than the 3 allowed")],
)
def test_files_over_the_size_or_row_limit_of_the_settings_are_refused(
	imports, monkeypatch, limits, rows, expected
):
	monkeypatch.setattr(engine, "limits", lambda: limits)
	name = f"超限{unique_suffix()}"
	batch = imports.batch(good_workbook(name, rows))
	result = imports.run(batch)
	assert result["status"] == "Failed"
	assert expected in result["message"]
	assert customers_named(name) == 0
	assert not ledger(batch)


def test_limits_come_from_cims_settings():
	settings = frappe.get_single("CIMS Settings")
	settings.import_max_rows = 7
	settings.import_max_file_mb = 3
	settings.save()
	try:
		assert engine.limits() == (3.0, 7)
	finally:
		# The connection cached the saved limits: a rollback alone would leave later imports refused.
		frappe.db.rollback()
		frappe.db.value_cache.pop("CIMS Settings", None)
		frappe.clear_document_cache("CIMS Settings", "CIMS Settings")
	assert engine.limits() != (3.0, 7)


def test_a_missing_required_column_fails_the_file_before_any_row(imports):
	name = f"缺列{unique_suffix()}"
	batch = imports.batch(workbook_bytes(["简称", "手机"], [[name, ""]]))
	result = imports.run(batch)
	assert result["status"] == "Failed"
	assert "Customer Name" in result["message"]
	assert not ledger(batch)


@pytest.mark.parametrize("chunk", [7, 16, 61, 256, 1 << 20])
def test_the_row_count_holds_whatever_chunk_boundary_splits_a_row_tag(tmp_path, monkeypatch, chunk):
	"""The file's rows are counted from its XML a megabyte at a time (the row limit, the "of about N rows" of the
	progress bar): a `<row` tag split by a chunk boundary counts once, not zero times (a file of 20,000 rows
	showed 19,999) nor twice."""
	from cims_app.imports import reader

	rows = 500
	path = tmp_path / "rows.xlsx"
	path.write_bytes(workbook_bytes(["客户名称"], [[f"行数{number}有限公司"] for number in range(rows)]))
	monkeypatch.setattr(reader, "_SCAN_CHUNK", chunk)
	info = reader.inspect_file(str(path), max_mb=10, max_rows=rows)
	assert info.row_bound - info.header_row == rows
