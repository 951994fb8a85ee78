"""The indexes the importer's lookups stand on (issue 17): they survive the framework's schema sync, and
each lookup of a chunk can use one (EXPLAIN), so its cost does not grow with the site."""

import frappe

from cims_app.domain.duplicates import CustomerKeys
from cims_app.duplicates import site_customers_by_keys
from cims_app.indexes import INDEXES, add_all_indexes, index_columns


def test_every_lookup_index_survives_a_schema_sync_of_its_doctype():
	"""The framework's schema sync (a migrate, or the fixtures' custom fields on Contact at install) drops a
	one-column index whose field is not `search_index`: Contact's mobile index went that way, and every
	chunk of an import then read the whole Dynamic Link table to find contacts by mobile."""
	add_all_indexes()
	for doctype in ("Contact", "CIMS Customer"):
		frappe.db.updatedb(doctype)
		frappe.db.commit()
		for index, columns in INDEXES[doctype].items():
			assert index_columns(f"tab{doctype}", index) == list(columns), (doctype, index)


def _explained(statements: list[tuple]) -> list[dict]:
	plans = []
	for query, values in statements:
		plans.extend(frappe.db.sql("EXPLAIN " + query, values, as_dict=True))
	return plans


def test_a_chunks_lookup_of_existing_customers_can_use_an_index_for_every_key(monkeypatch):
	"""2,000 rows a chunk (more values than MariaDB's in_predicate_conversion_threshold of 1,000): each
	table the lookup filters on has an index for it, whatever the optimizer picks on a small site."""
	keys = [
		CustomerKeys(
			uscc=f"91110000{number:09d}X",
			id_number=f"11010119900101{number:04d}",
			name_key=f"测试公司{number}",
			mobile=f"139{number:08d}",
			email=f"lookup{number}@example.com",
			match_key=f"测试公司{number}",
		)
		for number in range(2000)
	]
	statements = []
	original = frappe.db.sql

	def capture(query, values=(), *args, **kwargs):
		if query.lstrip().upper().startswith("SELECT"):
			statements.append((query, values))
		return original(query, values, *args, **kwargs)

	monkeypatch.setattr(frappe.db, "sql", capture)
	site_customers_by_keys(keys)
	monkeypatch.undo()
	assert len(statements) == 2
	for row in _explained(statements):
		if row.table and not row.table.startswith("<"):
			assert row.possible_keys or row.key, row
