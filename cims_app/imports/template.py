"""The import template (SPEC §6): translated headers, * on required columns, drop-downs for selects and
masters (from a hidden lists sheet), an example row, an instructions sheet, the site's custom fields."""

import datetime
from io import BytesIO

from frappe import _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from cims_app.domain.identifiers import uscc_check_char
from cims_app.imports.schema import (
	Column,
	display_option,
	import_columns,
	master_values,
)

LISTS_SHEET = "cims_lists"
EXAMPLE_MARKERS = ("示例:", "示例：", "example:")
REQUIRED_FILL = PatternFill("solid", fgColor="FFE4B5")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
EXAMPLE_FONT = Font(italic=True, color="808080")
LAST_ROW = 1048576

_SAMPLE_USCC_BODY = "91310000MA1FL0000"
EXAMPLE_TEXT = {
	"short_name": "示例科技",
	"legal_representative": "张三",
	"registered_address": "上海市浦东新区示例路 1 号",
	"main_business": "工业软件",
	"contact_name": "李四",
	"first_name": "李四",
	"contact_designation": "采购经理",
	"designation": "采购经理",
	"contact_wechat": "lisi_wechat",
	"cims_wechat": "lisi_wechat",
	"budget_range": "50-100万",
	"core_need": "生产排程系统升级",
	"content": "电话沟通了排程系统升级需求，客户关注交付周期和价格",
	"next_action": "下周发送报价方案",
}


def is_example_row(first_cell: object) -> bool:
	"""Whether a data row is the template's example (its first cell starts with 示例: or Example:)."""
	text = str(first_cell or "").strip().casefold()
	return text.startswith(EXAMPLE_MARKERS)


def is_example_cells(cells: tuple) -> bool:
	"""Whether a data row's cells are the template's example: is_example_row of its first filled cell."""
	return is_example_row(next((value for value in cells if value not in (None, "")), None))


def sheet_title(text: str) -> str:
	for char in "[]:*?/\\":
		text = text.replace(char, " ")
	return text[:31] or "Data"


def build_template(doctype: str) -> bytes:
	"""The .xlsx template of an import into `doctype`, in the session user's language."""
	columns = import_columns(doctype)
	workbook = Workbook()
	data = workbook.active
	data.title = sheet_title(_(doctype))
	lists = workbook.create_sheet(LISTS_SHEET)
	lists.sheet_state = "hidden"
	instructions = workbook.create_sheet(sheet_title(_("Instructions")))

	list_column = 0
	for index, column in enumerate(columns, start=1):
		letter = get_column_letter(index)
		header = data.cell(row=1, column=index, value=header_text(column))
		header.font = Font(bold=True)
		header.fill = REQUIRED_FILL if column.required else HEADER_FILL
		header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
		if column.description:
			header.comment = Comment(_(column.description), "CIMS")
		data.column_dimensions[letter].width = max(12, min(40, len(header.value) * 2 + 2))

		choices = drop_down_values(column)
		if choices:
			list_column += 1
			list_letter = get_column_letter(list_column)
			lists.cell(row=1, column=list_column, value=header_text(column))
			for offset, choice in enumerate(choices, start=2):
				lists.cell(row=offset, column=list_column, value=choice)
			source = f"={quote_sheetname(LISTS_SHEET)}!${list_letter}$2:${list_letter}${len(choices) + 1}"
			validation = DataValidation(
				type="list",
				formula1=source,
				allow_blank=True,
				showErrorMessage=column.spec.kind != "link",
				errorTitle=_("Invalid Value"),
				error=_("Choose a value from the list"),
			)
			validation.add(f"{letter}2:{letter}{LAST_ROW}")
			data.add_data_validation(validation)

		example = example_value(column, choices, first=index == 1)
		cell = data.cell(row=2, column=index, value=example)
		cell.font = EXAMPLE_FONT
		if isinstance(example, datetime.date):
			cell.number_format = "yyyy-mm-dd"

	data.freeze_panes = "A2"
	write_instructions(instructions, doctype, columns)
	output = BytesIO()
	workbook.save(output)
	return output.getvalue()


def header_text(column: Column) -> str:
	label = _(column.label)
	return f"{label} *" if column.required else label


def drop_down_values(column: Column) -> list[str]:
	spec = column.spec
	if spec.kind == "select":
		return [display_option(option, spec.vocabulary) for option in spec.options]
	if spec.kind == "check":
		return [_("Yes"), _("No")]
	if spec.kind == "link" and spec.link_doctype:
		return master_values(spec.link_doctype)
	return []


def example_value(column: Column, choices: list[str], first: bool = False):
	"""The example row's cell: the first column carries the Example: marker, the others a valid value."""
	spec = column.spec
	if first:
		return example_marker_text(column.fieldname)
	if column.fieldname in EXAMPLE_TEXT:
		return EXAMPLE_TEXT[column.fieldname]
	kind = spec.kind
	if kind == "select":
		return choices[0] if choices else None
	if kind == "link":
		return choices[0] if choices and spec.link_doctype != "User" else None
	if kind == "reference":
		return {"customer": "上海示例科技有限公司", "contact": "李四"}.get(column.fieldname)
	if kind == "uscc":
		return _SAMPLE_USCC_BODY + uscc_check_char(_SAMPLE_USCC_BODY)
	if kind == "mobile":
		return "13800138000"
	if kind == "phone":
		return "021-12345678"
	if kind == "email":
		return "lisi@example.com"
	if kind in ("date", "datetime"):
		return datetime.date(2026, 1, 15)
	if kind == "amount":
		return 500000
	if kind == "percent":
		return 20
	if kind in ("int", "float"):
		return 1
	if kind == "check":
		return choices[-1] if choices else None
	if kind == "rating":
		return 4
	return None


def example_marker_text(fieldname: str) -> str:
	text = {
		"opportunity_title": _("Example: Scheduling system upgrade"),
		"first_name": _("Example: Li Si"),
	}.get(fieldname) or _("Example: Shanghai Example Technology Co., Ltd.")
	return text if is_example_row(text) else "示例：" + text


def write_instructions(sheet, doctype: str, columns: list[Column]) -> None:
	sheet.column_dimensions["A"].width = 28
	sheet.column_dimensions["B"].width = 10
	sheet.column_dimensions["C"].width = 60
	lines = [
		_("How to fill in this template ({0})").format(_(doctype)),
		_("Fill one row per record on the first sheet, starting on row 3; keep the header row as it is."),
		_("Row 2 is an example: it starts with Example: and is never imported. Overwrite or delete it."),
		_("Columns marked * are required. Drop-downs list the allowed values; Chinese or English both work."),
		_("Dates: YYYY-MM-DD, YYYY/M/D or YYYY年M月D日, or an Excel date."),
		_(
			"Amounts: 1,234.50, 50万 or 1.2亿; tick Amounts in 万元 on the import batch if all amounts are in 万元."
		),
		_("No formulas, merged cells or hidden sheets: paste values only."),
	]
	if doctype == "CIMS Customer":
		lines.append(
			_(
				"One row is one customer with its primary contact: Contact Name, Mobile No, Email, Contact Role and WeChat describe the contact."
			)
		)
	for row, text in enumerate(lines, start=1):
		cell = sheet.cell(row=row, column=1, value=text)
		if row == 1:
			cell.font = Font(bold=True, size=13)
	start = len(lines) + 2
	for index, heading in enumerate((_("Column"), _("Required"), _("Values and notes")), start=1):
		cell = sheet.cell(row=start, column=index, value=heading)
		cell.font = Font(bold=True)
		cell.fill = HEADER_FILL
	for offset, column in enumerate(columns, start=start + 1):
		sheet.cell(row=offset, column=1, value=header_text(column))
		sheet.cell(row=offset, column=2, value=_("Yes") if column.required else "")
		sheet.cell(row=offset, column=3, value=column_notes(column))


def column_notes(column: Column) -> str:
	spec = column.spec
	notes = {
		"date": _("a date"),
		"datetime": _("a date, optionally with a time (HH:MM)"),
		"amount": _("an amount in yuan (50万 and 万元 columns accepted)"),
		"int": _("a whole number"),
		"float": _("a number"),
		"percent": _("a percentage such as 20 or 20%"),
		"check": _("Yes or No"),
		"rating": _("0 to 5 stars"),
		"mobile": _("an 11-digit mainland mobile number"),
		"phone": _("a mobile or landline number such as 010-12345678"),
		"email": _("an email address"),
		"uscc": _("18-character Unified Social Credit Code (enterprises)"),
		"id_number": _("18-character resident ID number (individuals)"),
		"core_need": _("at most 50 characters"),
		"reference": _("ID, full name or Unified Social Credit Code of an existing customer"),
	}
	parts = []
	if spec.kind in ("select", "link"):
		parts.append(_("a value from the drop-down list"))
	elif spec.kind in notes:
		parts.append(notes[spec.kind])
	if column.description:
		parts.append(_(column.description))
	if column.is_custom:
		parts.append(_("custom field of this site"))
	return "; ".join(parts)
