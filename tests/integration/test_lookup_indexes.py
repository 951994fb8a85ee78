"""The indexes the importer's lookups stand on (issue 17): they survive the framework's schema sync, and
each lookup of a chunk can use one (EXPLAIN), so its cost does not grow with the site."""

import frappe

from cims_app.customers.duplicates import site_customers_by_keys
from cims_app.db.indexes import INDEXES, add_all_indexes, index_columns
from cims_app.domain.duplicates import CustomerKeys


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


def _statements(monkeypatch, action, wanted) -> list[tuple]:
	"""The (query, values) that `action` sends through frappe.db.sql and `wanted(query)` keeps."""
	statements = []
	original = frappe.db.sql

	def capture(query, values=(), *args, **kwargs):
		if wanted(str(query)):
			statements.append((str(query), values))
		return original(query, values, *args, **kwargs)

	monkeypatch.setattr(frappe.db, "sql", capture)
	action()
	monkeypatch.undo()
	return statements


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
	statements = _statements(
		monkeypatch,
		lambda: site_customers_by_keys(keys),
		lambda query: query.lstrip().upper().startswith("SELECT"),
	)
	assert len(statements) == 2
	for row in _explained(statements):
		if row.table and not row.table.startswith("<"):
			assert row.possible_keys or row.key, row


def test_similar_site_names_finds_equal_contained_and_longer_names_a_few_per_key():
	"""The import asks the site, a chunk at a time, for customers named possibly the same as its rows (it no
	longer loads every customer's name first, a cost that grew with the site)."""
	from cims_app.customers.duplicates import similar_site_names
	from cims_app.domain.duplicates import SIMILAR_FOUND
	from cims_app.domain.names import match_key
	from tests.integration.support import make_customer, unique_suffix

	base = f"华瑞{unique_suffix()}"
	try:
		short = make_customer(customer_name=f"{base}有限公司")
		longer = make_customer(customer_name=f"{base}电子科技有限公司")
		many = [
			make_customer(customer_name=f"{base}{number:02d}贸易有限公司")
			for number in range(SIMILAR_FOUND + 5)
		]
		in_beijing, own = match_key(f"北京{base}有限公司"), match_key(f"{base}有限公司")
		found = similar_site_names([in_beijing, own, match_key("毫不相干的名字有限公司")])
		assert found[in_beijing] == [short.name]  # its name is in the longer one; the others are not
		assert found[own][0] == short.name  # equal key first
		assert len(found[own]) == SIMILAR_FOUND
		assert set(found[own][1:]) <= {longer.name, *(doc.name for doc in many)}
		assert match_key("毫不相干的名字有限公司") not in found
	finally:
		frappe.db.rollback()


def test_with_a_sketch_of_the_sites_names_the_answers_are_the_same_for_far_fewer_lookups(monkeypatch):
	"""An import reads a sketch of the site's match keys first (cims_app.customers.name_sketch) and then asks the
	database only about the candidates it lets through: the same possible duplicates as without it, in a
	fraction of the statements' values (a row's prefixes of 上海…科技 mostly name no customer)."""
	from cims_app.customers.duplicates import similar_site_names
	from cims_app.customers.name_sketch import site_name_sketch
	from cims_app.domain.names import match_key
	from tests.integration.support import make_customer, unique_suffix

	base = f"晨帆{unique_suffix()}"
	try:
		short = make_customer(customer_name=f"上海{base}有限公司")
		longer = make_customer(customer_name=f"上海{base}电子科技有限公司")
		wanted = [
			match_key(f"上海{base}有限公司"),
			match_key(f"上海{base}电子有限公司"),
			match_key(f"北京上海{base}电子科技商务有限公司"),
			match_key(f"上海{base}"[:4] + "毫不相干有限公司"),
			*(match_key(f"上海{number}{base}贸易有限公司") for number in range(50)),
		]
		sent = []
		original = frappe.db.sql

		def counting(query, values=(), *args, **kwargs):
			if isinstance(values, dict):
				sent.append(sum(len(value) if isinstance(value, tuple) else 1 for value in values.values()))
			return original(query, values, *args, **kwargs)

		monkeypatch.setattr(frappe.db, "sql", counting)
		plain = similar_site_names(wanted)
		plain_values, sent[:] = sum(sent), []
		sketched = similar_site_names(wanted, sketch=site_name_sketch())
		monkeypatch.undo()
		assert sketched == plain
		assert short.name in plain[wanted[0]] and longer.name in plain[wanted[0]]
		assert sum(sent) * 5 < plain_values, (sum(sent), plain_values)
	finally:
		frappe.db.rollback()


def test_a_chunks_ledger_lookup_sends_in_lists_the_optimizer_reads_as_ranges(monkeypatch):
	"""MariaDB turns an IN list of 1,000 values or more into a derived table, and then read every ledger
	entry of the batch so far for each chunk: the ledger asks in lists of at most 900."""
	from types import SimpleNamespace

	from cims_app.imports.ledger import Ledger

	rows = [SimpleNamespace(row_hash=f"hash-{number}", ref=f"IMP-ROW-{number}") for number in range(2000)]
	ledger = Ledger("IMP-NO-SUCH-BATCH")
	ledger.empty = False  # as for a batch run before (a first run has no entry to look up)
	statements = _statements(monkeypatch, lambda: ledger.load(rows), lambda query: True)
	assert len(statements) == 6  # 3 of hashes, 3 of row IDs
	assert all(len(values["values"]) < 1000 for _query, values in statements)
	for row in _explained(statements):
		assert row.type != "ALL", row


# One-column indexes of the row rules' columns, kept beside the composite ones they start: the optimizer merges
# them for "account_manager = me OR in_public_pool = 1" (an index merge reads rowid-ordered one-column scans)
# and takes them for a report's own "my customers" filter, which a composite index starting with the column
# did not serve (CIMS Churn Risk as a rep at 100,000 customers: 0.13 s with it, 0.31 s without).
ROW_RULE_INDEXES = {"account_manager", "sales_team"}


def test_no_index_of_a_customer_is_the_start_of_another():
	"""Every index costs each customer written (an import writes 100,000 at a time): a one-column index whose
	column starts a composite index (id_number and its unique index, industry and the distribution's covering
	index…) only duplicates it, the row rules' columns apart. The framework's schema sync drops a field's index
	once it is no longer `search_index`."""
	frappe.db.updatedb("CIMS Customer")
	indexes: dict[str, list[str]] = {}
	for row in frappe.db.sql("SHOW INDEX FROM `tabCIMS Customer`", as_dict=True):
		indexes.setdefault(row.Key_name, []).append(row.Column_name)
	assert {name for name, columns in indexes.items() if columns == [name]} >= ROW_RULE_INDEXES
	for name, columns in indexes.items():
		if name in ROW_RULE_INDEXES:
			continue
		for other, longer in indexes.items():
			if other != name and len(longer) > len(columns) and longer[: len(columns)] == columns:
				# a unique index that a longer one starts with is a constraint, not a duplicate
				unique = frappe.db.sql(
					"SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() "
					"AND table_name = 'tabCIMS Customer' AND index_name = %s AND non_unique = 0",
					name,
				)
				assert unique, f"index {name} {columns} starts index {other} {longer}"


def test_the_customer_history_index_covers_a_reps_follow_up_figures_and_replaces_an_older_one():
	"""A rep's Follow-Up Activity reads their customers' completed follow-ups of a period from this index
	alone; a site made by an earlier version, whose index has fewer columns, gets the new one on migrate."""
	from cims_app.follow_ups.saving import (
		CUSTOMER_HISTORY_COLUMNS,
		CUSTOMER_HISTORY_INDEX,
		add_customer_history_index,
	)

	table = "tabCIMS Follow-Up"
	assert {"assigned_to", "result", "satisfaction_score"} <= set(CUSTOMER_HISTORY_COLUMNS)
	older = CUSTOMER_HISTORY_COLUMNS[:6]
	frappe.db.sql_ddl(
		f"ALTER TABLE `{table}` DROP INDEX `{CUSTOMER_HISTORY_INDEX}`, "
		f"ADD INDEX `{CUSTOMER_HISTORY_INDEX}` ({', '.join(f'`{c}`' for c in older)})"
	)
	try:
		assert index_columns(table, CUSTOMER_HISTORY_INDEX) == older
	finally:
		add_customer_history_index()
	assert index_columns(table, CUSTOMER_HISTORY_INDEX) == CUSTOMER_HISTORY_COLUMNS


def test_customer_distribution_reads_its_cover_which_takes_new_customers_at_the_end_of_an_industry(
	monkeypatch,
):
	"""Customer Distribution by industry reads the index alone (no row), and the index goes from the industry
	to the creation: an import's new customers are written at the ends of the industries, not all over an
	index of a million entries (an import into 1,000,000 customers: 0.76 s -> 0.73 s for their insert per
	10,000 rows, four interleaved rounds)."""
	from cims_app.cims_app.report.cims_customer_distribution.cims_customer_distribution import execute

	add_all_indexes()
	assert index_columns("tabCIMS Customer", "cims_distribution_cover")[:2] == ["industry", "creation"]
	statements = _statements(
		monkeypatch,
		lambda: execute(frappe._dict()),
		lambda query: "GROUP BY" in query.upper() and "tabCIMS Customer" in query,
	)
	assert statements
	plans = [row for row in _explained(statements) if row.table == "tabCIMS Customer"]
	assert plans and all(row.key == "cims_distribution_cover" and "Using index" in row.Extra for row in plans)
