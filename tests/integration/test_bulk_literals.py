"""The bulk writers' SQL literals (cims_app.db.bulk_insert), built a column at a time for speed, are exactly
the driver's escaping of each value, and what they write reads back as written."""

import datetime
from decimal import Decimal

import frappe
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymysql.converters import escape_item

from cims_app.db.bulk_insert import row_literals, sql_literal

VALUES = st.one_of(
	st.none(),
	st.text(alphabet=st.sampled_from("ab'\"\\\n\r\x00\x1a上海%_ （"), max_size=8),
	st.integers(-(2**40), 2**40),
	st.booleans(),
	st.floats(allow_nan=False, allow_infinity=False),
	st.decimals(allow_nan=False, allow_infinity=False, places=3),
	st.datetimes(min_value=datetime.datetime(1900, 1, 1)),
	st.dates(min_value=datetime.date(1900, 1, 1)),
)


@settings(max_examples=300, deadline=None)
@given(
	st.integers(1, 4).flatmap(lambda width: st.lists(st.tuples(*[VALUES] * width), min_size=1, max_size=6))
)
def test_row_literals_are_the_drivers_literals_of_each_value(rows):
	"""Equal values of one column (a chunk's owner, time, defaults) are escaped once; values of different types
	that compare equal (1, 1.0, True) keep their own literals."""
	expected = ["(" + ", ".join(sql_literal(value) for value in row) + ")" for row in rows]
	assert row_literals(rows) == expected
	for row in rows:
		for value in row:
			if isinstance(value, str):
				assert sql_literal(value) == escape_item(value, "utf8mb4")


def test_text_sent_as_bulk_literals_reads_back_unchanged():
	texts = ["it's", 'say "hi"', "back\\slash", "line\nbreak", "nul\x00byte", "上海（浦东）", "100%_"]
	rows = [(text, Decimal("1.250"), 7) for text in texts]
	selects = " UNION ALL ".join("SELECT " + literal[1:-1] for literal in row_literals(rows))
	assert frappe.db.sql(selects) == tuple(rows)


def test_a_bulk_insert_stores_the_cells_text_as_it_is():
	"""The framework's frappe.db.sql rewrites every "ifnull(" of a statement to "coalesce(", literals included:
	the bulk writer sends its INSERTs past that rewrite, so a remark that says "ifnull(" is stored as typed."""
	from frappe.utils import now_datetime

	from cims_app.db.bulk_insert import hash_name, insert_rows

	name, now = hash_name(), now_datetime()
	text = "IFNULL(a, b) or ifnull(c) – 上海 'quoted' 100%"
	try:
		written = insert_rows(
			"ToDo",
			("name", "creation", "modified", "owner", "modified_by", "description", "status", "priority"),
			[(name, now, now, "Administrator", "Administrator", text, "Open", "Medium")],
		)
		assert written == 1
		assert frappe.db.get_value("ToDo", name, "description") == text
	finally:
		frappe.db.rollback()


def test_a_hash_name_another_record_has_is_drawn_again_and_other_names_are_refused():
	"""Hash names of 10 hex characters collide, rarely, with a name the table already has (an import of
	100,000 rows into a site of a few hundred thousand contact links died on one): the bulk writer draws that
	row's name again, as the framework's Document.db_insert does; any other duplicate name is an error."""
	import pymysql
	from frappe.utils import now_datetime

	from cims_app.db.bulk_insert import hash_name, insert_rows

	fields = ("name", "creation", "modified", "owner", "modified_by", "description", "status", "priority")
	now = now_datetime()

	def todo(name, text):
		return (name, now, now, "Administrator", "Administrator", text, "Open", "Medium")

	taken, other = hash_name(), hash_name()
	try:
		insert_rows("ToDo", fields, [todo(taken, "already there")])
		assert insert_rows("ToDo", fields, [todo(other, "second"), todo(taken, "first")]) == 2
		assert frappe.db.get_value("ToDo", taken, "description") == "already there"
		moved = frappe.get_all("ToDo", filters={"description": "first", "creation": now}, pluck="name")
		assert len(moved) == 1 and moved[0] != taken and len(moved[0]) == 10
		assert frappe.db.get_value("ToDo", other, "description") == "second"
		series = f"CIMS-TEST-{taken}"
		insert_rows("ToDo", fields, [todo(series, "a named record")])
		with pytest.raises(pymysql.IntegrityError):
			insert_rows("ToDo", fields, [todo(series, "the same name again")])
	finally:
		frappe.db.rollback()
