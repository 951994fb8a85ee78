"""Row rules inside frappe.qb queries (reports, number cards, analytics): the framework's match conditions
for the user (role permissions, user permissions, shares and the app's permission_query_conditions) and,
for a rep or manager, their own book, added to a query's WHERE clause."""

import frappe
from frappe.model.db_query import DatabaseQuery
from frappe.query_builder import Criterion

from cims_app.access.permissions import own_book_condition, row_condition


class RawCondition(Criterion):
	"""A SQL condition the framework built (already escaped), placed inside a frappe.qb query."""

	def __init__(self, sql: str):
		super().__init__()
		self.sql = sql

	def get_sql(self, **kwargs) -> str:
		# frappe.qb runs queries with named parameters, so a literal % must be doubled.
		return f"({self.sql})".replace("%", "%%")


def match_condition(doctype: str, user: str | None = None) -> str:
	"""The framework's row rules for `doctype` and the user as SQL over `tab<doctype>` ("" = no limit)."""
	return DatabaseQuery(doctype, user=user or frappe.session.user).build_match_conditions()


def permitted(query, *doctypes: str, user: str | None = None):
	"""`query` limited to the rows of each DocType the user may read (the tables must not be aliased), and
	for a rep or manager to their own book: the public pool they may browse is not theirs to count."""
	for doctype in doctypes:
		match, own = match_condition(doctype, user), own_book_condition(doctype, user)
		if own and match == row_condition(doctype, user):
			# The framework adds nothing to the app's rule (no user permission, no share beyond it), and the
			# own book is that rule without the pool: it alone says the same, and the database checks each
			# row's customer once instead of twice (a rep's Pipeline Forecast at 1,000,000 customers).
			match = ""
		for condition in (match, own):
			if condition:
				query = query.where(RawCondition(condition))
	return query


def reaches_every_row(doctype: str, user: str | None = None) -> bool:
	"""Whether the user's figures of `doctype` are the whole company's: no row rule limits them."""
	return not match_condition(doctype, user) and not own_book_condition(doctype, user)
