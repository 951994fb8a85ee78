"""A large demo fill writes the big tables without their secondary indexes and builds them at its end
(cims_app.demo.indexes): afterwards every table has exactly the indexes it had, a fill that fails gives
them back before it stops, and a fill that was killed has them given back by the next run."""

import os

import frappe
import pytest

from cims_app.demo import DEMO_DATA_SOURCE, indexes
from cims_app.demo.clear import clear_demo_data
from cims_app.demo.generator import DemoGenerator, DemoOptions
from tests.integration.support import make_customer

# a small fill, in batches of six customers
SMALL = dict(
	customers=12, follow_ups=30, opportunities=6, campaigns=1, members=6, users=2, seed=11, batch_size=6
)


def all_indexes() -> dict[str, set]:
	"""Every index of the fill's tables: (name, unique, columns with prefix lengths)."""
	result = {}
	for doctype in indexes.TABLES:
		rows = frappe.db.sql(f"SHOW INDEX FROM `tab{doctype}`", as_dict=True)
		by_name = {}
		for row in sorted(rows, key=lambda row: (row.Key_name, int(row.Seq_in_index))):
			by_name.setdefault((row.Key_name, int(row.Non_unique)), []).append(
				(row.Column_name, row.Sub_part)
			)
		result[doctype] = {(name, unique, tuple(columns)) for (name, unique), columns in by_name.items()}
	return result


def customer_links() -> int:
	"""Contacts' links to customers (a demo contact has one)."""
	return frappe.db.count("Dynamic Link", {"parenttype": "Contact", "link_doctype": "CIMS Customer"})


@pytest.fixture
def demo_run(site):
	if frappe.db.count("CIMS Customer", {"data_source": DEMO_DATA_SOURCE}):
		pytest.skip("the test site already holds demo data; this test would clear it (run cims-demo --clear)")
	before = all_indexes()
	yield before
	indexes.restore(lambda _message: None)
	assert all_indexes() == before
	clear_demo_data(log=lambda _message: None)


def test_a_fill_that_doubles_the_site_writes_without_secondary_indexes_and_builds_them_after(
	demo_run, monkeypatch
):
	before, during, messages = demo_run, {}, []
	monkeypatch.setattr(indexes, "worth_deferring", lambda customers: True)
	make_batch = DemoGenerator._make_batch

	def watched(generator, *args):
		with generator.writer.database():  # the site's connection, between the writer's statements
			during.update(all_indexes())
		return make_batch(generator, *args)

	monkeypatch.setattr(DemoGenerator, "_make_batch", watched)
	DemoGenerator(DemoOptions(**SMALL), log=messages.append).run()
	follow_ups = {name for name, _unique, _columns in during["CIMS Follow-Up"]}
	assert follow_ups == {"PRIMARY"}
	# the unique indexes hold the exact keys throughout; the others are gone while rows are written
	assert {name for name, non_unique, _columns in during["CIMS Customer"] if non_unique} == set()
	assert {"PRIMARY", "cims_unique_name", "cims_unique_id_number", "unified_social_credit_code"} <= {
		name for name, _non_unique, _columns in during["CIMS Customer"]
	}
	assert all_indexes() == before
	assert any("Built" in message and "CIMS Follow-Up" in message for message in messages)
	assert not os.path.exists(frappe.get_site_path(indexes.PENDING_FILE))
	assert frappe.db.count("CIMS Customer", {"data_source": DEMO_DATA_SOURCE}) == SMALL["customers"]


def test_a_fill_that_fails_gives_the_indexes_back_and_commits_none_of_its_batch(demo_run, monkeypatch):
	monkeypatch.setattr(indexes, "worth_deferring", lambda customers: True)
	make_batch = DemoGenerator._make_batch

	def fails(generator, *args):
		make_batch(generator, *args)  # the batch's rows are written, not yet committed
		generator.writer.flush()
		raise RuntimeError("disk full")

	monkeypatch.setattr(DemoGenerator, "_make_batch", fails)
	links_before = customer_links()
	with pytest.raises(RuntimeError, match="disk full"):
		DemoGenerator(DemoOptions(**SMALL), log=lambda _message: None).run()
	assert all_indexes() == demo_run
	assert not os.path.exists(frappe.get_site_path(indexes.PENDING_FILE))
	# adding the indexes back (DDL commits) did not commit the failed batch's rows
	assert frappe.db.count("CIMS Customer", {"data_source": DEMO_DATA_SOURCE}) == 0
	assert customer_links() == links_before


def test_indexes_of_a_killed_fill_are_built_by_the_next_run(demo_run, monkeypatch):
	# What a fill killed between its batches leaves: the indexes dropped, the statements in the site folder.
	indexes.drop(lambda _message: None)
	assert os.path.exists(frappe.get_site_path(indexes.PENDING_FILE))
	assert all_indexes() != demo_run
	monkeypatch.setattr(indexes, "worth_deferring", lambda customers: False)
	DemoGenerator(DemoOptions(**SMALL), log=lambda _message: None).run()
	assert all_indexes() == demo_run
	assert not os.path.exists(frappe.get_site_path(indexes.PENDING_FILE))


def test_only_a_fill_that_at_least_doubles_the_sites_customers_defers_them(site):
	for _ in range(2):
		make_customer()  # rolled back at the end
	customers = frappe.db.count("CIMS Customer")
	assert indexes.worth_deferring(customers)
	assert not indexes.worth_deferring(customers - 1)
	assert not indexes.worth_deferring(0)
	frappe.db.rollback()
