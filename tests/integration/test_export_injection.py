"""Exports of customers and reports neutralise spreadsheet formula injection (SPEC §6): through the
framework's own export endpoints, over HTTP, as a user downloads them."""

import csv
import io
import json

import frappe
import openpyxl
import pytest

from tests.integration.import_helpers import remove_customers
from tests.integration.support import unique_suffix

FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")'
FIELDS = ["`tabCIMS Customer`.`name`", "`tabCIMS Customer`.`customer_name`", "`tabCIMS Customer`.`remarks`"]


@pytest.fixture
def hostile_customer(site):
	"""A committed customer whose name and remarks a spreadsheet would run, in a source of its own."""
	source = frappe.get_doc(
		{"doctype": "CIMS Customer Source", "source_name": f"注入来源{unique_suffix()}"}
	).insert()
	customer = frappe.get_doc(
		{
			"doctype": "CIMS Customer",
			"customer_name": FORMULA_NAME + unique_suffix(),
			"customer_type": "Institution",
			"customer_source": source.name,
			"remarks": "@SUM(1+1)",
		}
	).insert()
	frappe.db.commit()
	yield customer
	frappe.db.rollback()
	remove_customers([customer.name])
	frappe.db.delete("CIMS Customer Source", {"name": source.name})
	frappe.db.commit()


def report_view_export(api, customer, file_format: str):
	return api("System Manager").post(
		"/api/method/frappe.desk.reportview.export_query",
		{
			"doctype": "CIMS Customer",
			"file_format_type": file_format,
			"fields": json.dumps(FIELDS),
			"filters": json.dumps([["CIMS Customer", "name", "=", customer.name]]),
			"title": "customers",
		},
	)


def cells_of(content: bytes) -> list:
	sheet = openpyxl.load_workbook(io.BytesIO(content)).active
	return [cell for row in sheet.iter_rows() for cell in row]


def test_report_view_excel_export_writes_formula_text_as_plain_text(api, hostile_customer):
	response = report_view_export(api, hostile_customer, "Excel")
	assert response.status_code == 200, response.text[:500]
	cells = cells_of(response.content)
	assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
	values = [cell.value for cell in cells]
	assert "'" + hostile_customer.customer_name in values
	assert "'@SUM(1+1)" in values


def test_report_view_csv_export_prefixes_formula_text(api, hostile_customer):
	response = report_view_export(api, hostile_customer, "CSV")
	assert response.status_code == 200, response.text[:500]
	rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
	values = [value for row in rows for value in row]
	assert "'" + hostile_customer.customer_name in values
	assert not any(value.startswith(("=", "+", "@")) for value in values)


def test_script_report_export_is_neutralised(api, hostile_customer):
	response = api("System Manager").post(
		"/api/method/frappe.desk.query_report.export_query",
		{
			"report_name": "CIMS Data Quality",
			"file_format_type": "Excel",
			"filters": json.dumps({"customer_source": hostile_customer.customer_source}),
			"visible_idx": "[]",
		},
	)
	assert response.status_code == 200, response.text[:500]
	cells = cells_of(response.content)
	assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
	assert "'" + hostile_customer.customer_name in [cell.value for cell in cells]


def test_data_export_tool_csv_is_neutralised(api, hostile_customer):
	response = api("System Manager").post(
		"/api/method/frappe.core.doctype.data_export.exporter.export_data",
		{
			"doctype": "CIMS Customer",
			"select_columns": json.dumps({"CIMS Customer": ["name", "customer_name"]}),
			"filters": json.dumps({"name": hostile_customer.name}),
			"file_type": "CSV",
			"with_data": 1,
			"template": "true",
		},
	)
	assert response.status_code == 200, response.text[:500]
	text = response.content.decode("utf-8")
	assert "'" + hostile_customer.customer_name.replace('"', '""') in text
	assert '"' + hostile_customer.customer_name.replace('"', '""') not in text
