"""Imported records are named as the form names them, also where an admin changed the naming: another naming
series set in Document Naming Settings is followed by the bulk path; a Document Naming Rule (whose conditions
are on the record) or a series with parts taken from the record makes the import save each new record through
the framework, as for a Server Script acting before the write."""

import frappe
import pytest
from frappe.core.doctype.document_naming_settings.document_naming_settings import DocumentNamingSettings

from cims_app.db.automations import site_automations
from cims_app.db.bulk_insert import default_series
from tests.integration.import_helpers import counts, ledger, workbook_bytes
from tests.integration.support import unique_suffix, valid_mobile, valid_uscc

pytestmark = pytest.mark.integration

CUSTOMER = "CIMS Customer"
HEADER = ["客户名称", "客户类型", "统一社会信用代码", "联系人", "手机"]


def three_rows() -> list[list]:
	suffix = unique_suffix()
	return [
		[f"命名{suffix}{n}号有限公司", "企业", valid_uscc(), f"联系人{n}", valid_mobile()] for n in range(3)
	]


def inserted(batch: str) -> list[str]:
	return [entry.record for entry in ledger(batch) if entry.status == "Inserted"]


@pytest.fixture
def customer_series():
	"""Set the customers' naming series as an admin does in Document Naming Settings; put back afterwards."""
	before = default_series(CUSTOMER)

	def set_series(options: str) -> None:
		settings = frappe.get_doc("Document Naming Settings")
		settings.transaction_type = CUSTOMER
		settings.naming_series_options = options
		DocumentNamingSettings.update_series(settings)
		frappe.db.commit()

	yield set_series
	set_series(before)
	assert default_series(CUSTOMER) == before


@pytest.fixture
def naming_rules():
	made: list[str] = []

	def make(doctype: str, prefix: str) -> str:
		rule = frappe.get_doc(
			{
				"doctype": "Document Naming Rule",
				"document_type": doctype,
				"prefix": prefix,
				"prefix_digits": 4,
			}
		).insert()
		made.append(rule.name)
		frappe.db.commit()
		return rule.name

	yield make
	frappe.db.rollback()
	for name in made:
		frappe.delete_doc("Document Naming Rule", name, force=True, ignore_permissions=True)
	frappe.db.commit()


def test_customers_imported_in_bulk_take_the_naming_series_an_admin_set(imports, customer_series):
	series = f"KH{unique_suffix()[-4:]}-.YYYY.-.#####"
	customer_series(series)
	assert default_series(CUSTOMER) == series
	assert site_automations(CUSTOMER) == []  # the bulk path can name them itself
	batch = imports.batch(workbook_bytes(HEADER, three_rows()))
	result = imports.run(batch)
	names = inserted(batch)
	assert result["status"] == "Completed" and len(names) == 3
	prefix = series.split(".")[0] + frappe.utils.nowdate()[:4] + "-"
	assert all(name.startswith(prefix) and len(name) == len(prefix) + 5 for name in names), names
	assert {frappe.db.get_value(CUSTOMER, name, "naming_series") for name in names} == {series}
	# the next one typed in continues the same counter
	typed = frappe.get_doc(
		{
			"doctype": CUSTOMER,
			"customer_name": f"表单{unique_suffix()}有限公司",
			"customer_type": "Enterprise",
		}
	)
	typed.insert()
	imports.customers.add(typed.name)
	assert typed.name.startswith(prefix) and typed.name > max(names)


def test_a_document_naming_rule_names_imported_customers_and_contacts_as_the_form_does(imports, naming_rules):
	tag = unique_suffix()[-4:]
	customer_rule = naming_rules(CUSTOMER, f"NR{tag}-")
	contact_rule = naming_rules("Contact", f"NC{tag}-")
	assert any(customer_rule in text for text in site_automations(CUSTOMER))
	assert any(contact_rule in text for text in site_automations("Contact"))
	batch = imports.batch(workbook_bytes(HEADER, three_rows()))
	result = imports.run(batch)
	names = inserted(batch)
	assert result["status"] == "Completed" and len(names) == 3
	assert sorted(names) == [f"NR{tag}-{n:04d}" for n in (1, 2, 3)]
	contacts = sorted(frappe.db.get_value(CUSTOMER, name, "primary_contact") for name in names)
	assert contacts == [f"NC{tag}-{n:04d}" for n in (1, 2, 3)]
	assert customer_rule in counts(batch).log  # the batch says why it saved one by one


def test_a_series_with_parts_from_the_record_makes_the_import_name_each_customer_through_the_framework(
	imports, customer_series
):
	series = f"KT{unique_suffix()[-4:]}-.{{customer_type}}.-.####"
	customer_series(series)
	assert any(series in text for text in site_automations(CUSTOMER))
	batch = imports.batch(workbook_bytes(HEADER, three_rows()))
	result = imports.run(batch)
	names = inserted(batch)
	assert result["status"] == "Completed" and len(names) == 3
	prefix = series.split(".")[0] + "Enterprise-"
	assert sorted(names) == [f"{prefix}{n:04d}" for n in (1, 2, 3)]
