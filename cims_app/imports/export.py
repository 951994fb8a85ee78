"""Spreadsheet formula injection (SPEC §6): the framework's exports of list/report views, script reports
and the Data Export tool, with every formula-like cell neutralised (cims_app.domain.spreadsheet).

Each endpoint here replaces the framework's through hooks `override_whitelisted_methods` and calls the
original, so permissions, filters and formats stay the framework's; only the file it produced is
rewritten before it is sent.
"""

import csv
import io
import re

import frappe
from openpyxl import load_workbook

from cims_app.domain.spreadsheet import is_formula_like, neutralise_cell


@frappe.whitelist()
def export_query():
	"""frappe.desk.reportview.export_query (list view / report view Export), neutralised."""
	from frappe.desk.reportview import export_query as original

	csv_params = _csv_params()
	original()
	neutralise_response(csv_params)


@frappe.whitelist()
def export_report_query():
	"""frappe.desk.query_report.export_query (script and query report Export), neutralised."""
	from frappe.desk.query_report import export_query as original

	csv_params = _csv_params()
	original()
	neutralise_response(csv_params)


@frappe.whitelist()
def export_data(
	doctype=None,
	parent_doctype=None,
	all_doctypes=True,
	with_data=False,
	select_columns=None,
	file_type="CSV",
	template=False,
	filters=None,
	export_without_column_meta=False,
):
	"""frappe.core.doctype.data_export.exporter.export_data (the Data Export tool), neutralised."""
	from frappe.core.doctype.data_export.exporter import export_data as original

	original(
		doctype=doctype,
		parent_doctype=parent_doctype,
		all_doctypes=all_doctypes,
		with_data=with_data,
		select_columns=select_columns,
		file_type=file_type,
		template=template,
		filters=filters,
		export_without_column_meta=export_without_column_meta,
	)
	neutralise_response({"delimiter": ",", "quoting": csv.QUOTE_NONNUMERIC})


def _csv_params() -> dict:
	"""The CSV dialect the framework will use (read before it pops the parameters)."""
	delimiter = str(frappe.form_dict.get("csv_delimiter") or ",")[:1] or ","
	quoting = int(frappe.form_dict.get("csv_quoting") or csv.QUOTE_NONNUMERIC)
	return {"delimiter": delimiter, "quoting": quoting}


def neutralise_response(csv_params: dict) -> None:
	"""Rewrite the file in frappe.response (xlsx or csv) so no cell starts a formula."""
	if frappe.response.get("type") == "csv" and frappe.response.get("result"):
		frappe.response["result"] = neutralise_csv(frappe.response["result"], csv_params).decode("utf-8")
		return
	content = frappe.response.get("filecontent")
	if frappe.response.get("type") not in ("binary", "download") or not content:
		return
	name = str(frappe.response.get("filename") or "").lower()
	if name.endswith(".xlsx"):
		frappe.response["filecontent"] = neutralise_xlsx(content)
	elif name.endswith(".csv"):
		frappe.response["filecontent"] = neutralise_csv(content, csv_params)


def neutralise_xlsx(content: bytes) -> bytes:
	"""Formula cells (openpyxl writes any text starting with = as a formula) and formula-like text become
	plain text with a leading apostrophe; styles and column widths stay."""
	workbook = load_workbook(io.BytesIO(content))
	changed = False
	for sheet in workbook.worksheets:
		for row in sheet.iter_rows():
			for cell in row:
				value = cell.value
				if cell.data_type == "f" or is_formula_like(value):
					cell.value = neutralise_cell(str(value))
					cell.data_type = "s"
					changed = True
	if not changed:
		return content
	output = io.BytesIO()
	workbook.save(output)
	return output.getvalue()


def neutralise_csv(content: bytes | str, csv_params: dict) -> bytes:
	"""The CSV with each formula-like field neutralised and everything else left byte for byte.

	Quoted fields are text; an unquoted field that parses as a number (-5, +3.2) is a number, which
	runs nothing, so it stays. Python's csv reader cannot tell the two apart, hence this tokenizer.
	"""
	text = content.decode("utf-8") if isinstance(content, bytes) else content
	delimiter = re.escape(csv_params.get("delimiter") or ",")
	field = re.compile(rf'"((?:[^"]|"")*)"|([^{delimiter}\r\n"]*)')
	separator = re.compile(rf"{delimiter}|\r\n|\n|\r")
	out = []
	position = 0
	changed = False
	while position <= len(text):
		found = field.match(text, position)
		quoted = found.group(1) is not None
		value = found.group(1).replace('""', '"') if quoted else found.group(2)
		if is_formula_like(value) and (quoted or not _is_number(value)):
			safe = neutralise_cell(value)
			out.append('"' + safe.replace('"', '""') + '"')
			changed = True
		else:
			out.append(found.group(0))
		position = found.end()
		if position >= len(text):
			break
		gap = separator.match(text, position)
		if not gap:
			return content if isinstance(content, bytes) else content.encode("utf-8")  # not CSV we understand
		out.append(gap.group(0))
		position = gap.end()
	if not changed:
		return content if isinstance(content, bytes) else content.encode("utf-8")
	return "".join(out).encode("utf-8")


def _is_number(value: str) -> bool:
	try:
		float(value)
	except ValueError:
		return False
	return value.strip() == value and value.lower() not in ("nan", "inf", "-inf", "+inf", "infinity")
