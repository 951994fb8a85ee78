"""The import templates: translated headers, * on required columns, drop-downs from a hidden lists sheet,
an example row, an instructions sheet, the primary contact's columns and the site's custom fields."""

import io

import frappe
import openpyxl
import pytest

from cims_app.imports.context import map_columns
from cims_app.imports.schema import IMPORT_DOCTYPES, import_columns
from cims_app.imports.template import LISTS_SHEET, build_template, is_example_row
from tests.integration.import_helpers import Imports, ledger, workbook_bytes
from tests.integration.support import unique_suffix


def load(content: bytes):
	return openpyxl.load_workbook(io.BytesIO(content))


@pytest.fixture
def chinese():
	frappe.local.lang = "zh"
	yield
	frappe.local.lang = "en"


def validations_by_column(sheet) -> dict[str, str]:
	found = {}
	for validation in sheet.data_validations.dataValidation:
		for cell_range in validation.sqref.ranges:
			found[cell_range.coord.split(":")[0].rstrip("0123456789")] = validation.formula1
	return found


def test_customer_template_has_translated_headers_required_marks_and_drop_downs(chinese):
	workbook = load(build_template("CIMS Customer"))
	data, lists, instructions = workbook.worksheets
	assert lists.title == LISTS_SHEET and lists.sheet_state == "hidden"
	assert data.sheet_state == "visible" and instructions.sheet_state == "visible"
	headers = [cell.value for cell in data[1]]
	assert headers[0] == "客户名称 *"
	assert sum(1 for header in headers if header.endswith("*")) == 1

	columns = import_columns("CIMS Customer")
	letters = {
		column.fieldname: openpyxl.utils.get_column_letter(index)
		for index, column in enumerate(columns, start=1)
	}
	validations = validations_by_column(data)
	for fieldname in (
		"customer_type",
		"lifecycle_stage",
		"intent_level",
		"industry",
		"region",
		"customer_source",
		"contact_role",
	):
		assert validations[letters[fieldname]].startswith(f"='{LISTS_SHEET}'!$"), fieldname
	list_values = {
		lists.cell(row=1, column=col).value: [
			lists.cell(row=r, column=col).value for r in range(2, lists.max_row + 1)
		]
		for col in range(1, lists.max_column + 1)
	}
	assert {"企业客户", "个人客户", "机构客户"} <= set(
		list_values[headers[columns.index(next(c for c in columns if c.fieldname == "customer_type"))]]
	)
	industries = frappe.get_all("CIMS Industry", pluck="name")
	industry_header = headers[[c.fieldname for c in columns].index("industry")]
	assert set(filter(None, list_values[industry_header])) == set(industries)


def test_customer_template_carries_the_primary_contacts_columns_and_maps_back_completely():
	content = build_template("CIMS Customer")
	header = [cell.value for cell in load(content).worksheets[0][1]]
	batch = frappe._dict(import_doctype="CIMS Customer", column_mapping=None)
	mapping = map_columns(batch, header, import_columns("CIMS Customer"))
	assert mapping.unmapped == [] and mapping.duplicates == []
	assert {"contact_name", "mobile_no", "email_id", "contact_role", "contact_wechat"} <= set(
		mapping.fields.values()
	)


@pytest.mark.parametrize("doctype", IMPORT_DOCTYPES)
def test_every_template_has_an_example_row_and_instructions_and_maps_back(doctype):
	workbook = load(build_template(doctype))
	data = workbook.worksheets[0]
	assert is_example_row(data.cell(row=2, column=1).value)
	assert data.freeze_panes == "A2"
	instructions = workbook.worksheets[2]
	texts = [row[0] for row in instructions.iter_rows(values_only=True) if row[0]]
	assert any("example" in str(text).lower() or "示例" in str(text) for text in texts)
	header = [cell.value for cell in data[1]]
	mapping = map_columns(
		frappe._dict(import_doctype=doctype, column_mapping=None), header, import_columns(doctype)
	)
	assert mapping.unmapped == [], doctype


@pytest.fixture
def custom_field():
	"""A Customize Form addition on CIMS Customer (committed: adding a column commits), removed afterwards."""
	label = f"Import Probe {unique_suffix()}"
	field = frappe.get_doc(
		{
			"doctype": "Custom Field",
			"dt": "CIMS Customer",
			"label": label,
			"fieldname": "custom_import_probe",
			"fieldtype": "Select",
			"options": "\nGold\nSilver",
			"insert_after": "remarks",
		}
	).insert()
	frappe.db.commit()
	frappe.clear_cache(doctype="CIMS Customer")
	yield field
	frappe.db.rollback()
	frappe.delete_doc("Custom Field", field.name, force=True)
	frappe.db.commit()
	frappe.clear_cache(doctype="CIMS Customer")


def test_the_sites_custom_fields_are_in_the_template_and_import(custom_field):
	workbook = load(build_template("CIMS Customer"))
	header = [cell.value for cell in workbook.worksheets[0][1]]
	assert custom_field.label in header
	notes = [
		row for row in workbook.worksheets[2].iter_rows(values_only=True) if row[0] == custom_field.label
	]
	assert notes and "custom field" in notes[0][2]

	tracker = Imports()
	try:
		name = f"自定义{unique_suffix()}有限公司"
		batch = tracker.batch(workbook_bytes(["客户名称", custom_field.label], [[name, "silver"]]))
		tracker.run(batch)
		assert ledger(batch)[0].status == "Inserted"
		assert (
			frappe.db.get_value("CIMS Customer", {"customer_name": name}, "custom_import_probe") == "Silver"
		)
	finally:
		tracker.cleanup()


def test_download_template_endpoint_sends_an_xlsx_and_needs_import_rights(api):
	response = api("System Manager").get(
		"/api/method/cims_app.api.imports.download_template", doctype="CIMS Opportunity"
	)
	assert response.status_code == 200
	assert load(response.content).worksheets[0]["A1"].value.endswith("*")
	refused = api("CIMS Sales Rep").get(
		"/api/method/cims_app.api.imports.download_template", doctype="CIMS Customer"
	)
	assert refused.status_code == 403
