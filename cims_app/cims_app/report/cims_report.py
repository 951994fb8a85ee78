"""Shared plumbing of the CIMS script reports: row rules, filters, masking, charts, totals and drill-downs.

Each report is a small class (`execute(filters)` → `Report(filters).run()`) that aggregates in the
database with frappe.qb. Row-level rules are never written here: `permitted()` asks the framework for
the current user's match conditions (role permissions, user permissions, sharing and the app's
permission_query_conditions hooks) and adds them to the query, so a report covers what the user may see in
the list view; for a rep or manager without the public pool, which is nobody's book.
"""

import datetime

import frappe
from frappe import _
from frappe.model.db_query import DatabaseQuery
from frappe.query_builder import Criterion
from frappe.utils import add_months, cint, flt, get_first_day, getdate, now_datetime, nowdate
from frappe.utils.caching import request_cache

from cims_app.access.permissions import own_book_condition
from cims_app.domain.contact_rules import mask_email, mask_id_number, mask_mobile

MASKERS = {
	"mobile_no": mask_mobile,
	"phone": mask_mobile,
	"email_id": mask_email,
	"id_number": mask_id_number,
}
# Pie charts stay readable up to this many slices; more groups are drawn as bars.
MAX_PIE_SLICES = 8
# Charts show at most this many groups (the table keeps them all).
MAX_CHART_GROUPS = 20
DEFAULT_ROW_LIMIT = 500
MAX_ROW_LIMIT = 20000
NOT_SET = "Not Set"
TOTAL = "Total"


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
		for condition in (match_condition(doctype, user), own_book_condition(doctype, user)):
			if condition:
				query = query.where(RawCondition(condition))
	return query


def personal_data_masked(user: str | None = None) -> bool:
	"""True for users who may not read customers' personal data (the Data Analyst): they see masks."""
	from cims_app.access.permissions import can_read_personal_data

	return not can_read_personal_data(user)


def mask_rows(rows: list[dict], fieldnames=("mobile_no", "phone", "email_id", "id_number")) -> list[dict]:
	"""Mask personal data in report rows when the current user must not see it."""
	if not personal_data_masked():
		return rows
	for row in rows:
		for fieldname in fieldnames:
			if row.get(fieldname):
				row[fieldname] = MASKERS[fieldname](row[fieldname])
	return rows


def default_period(filters, months_back: int = 11) -> tuple[datetime.date, datetime.date]:
	"""(from_date, to_date) of the filters; by default the first day of the month `months_back` ago to today."""
	today = getdate(nowdate())
	from_date = getdate(filters.get("from_date")) if filters.get("from_date") else None
	to_date = getdate(filters.get("to_date")) if filters.get("to_date") else None
	from_date = from_date or get_first_day(add_months(today, -months_back))
	to_date = to_date or today
	if from_date > to_date:
		frappe.throw(_("From Date must be before To Date"))
	return from_date, to_date


def quarter_start(day: datetime.date) -> datetime.date:
	return get_first_day(add_months(day, -((day.month - 1) % 3)))


def day_bounds(
	from_date: datetime.date, to_date: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
	"""Datetime bounds covering every moment of the days from_date to to_date."""
	return (
		datetime.datetime.combine(from_date, datetime.time.min),
		datetime.datetime.combine(to_date, datetime.time.max),
	)


@request_cache
def tree_members(doctype: str, name: str) -> list[str]:
	"""`name` and every node below it in a nested-set tree (CIMS Industry, CIMS Region)."""
	bounds = frappe.db.get_value(doctype, name, ["lft", "rgt"])
	if not bounds:
		return [name]
	lft, rgt = bounds
	return frappe.get_all(doctype, filters={"lft": (">=", lft), "rgt": ("<=", rgt)}, pluck="name")


# Filters that narrow a query by the customer's own fields: filter name -> (fieldname, tree DocType).
CUSTOMER_FILTERS = {
	"sales_team": ("sales_team", None),
	"account_manager": ("account_manager", None),
	"region": ("region", "CIMS Region"),
	"industry": ("industry", "CIMS Industry"),
	"customer_source": ("customer_source", None),
	"customer_type": ("customer_type", None),
	"value_tier": ("value_tier", None),
	"lifecycle_stage": ("lifecycle_stage", None),
}


def customer_filters_set(filters, exclude=()) -> bool:
	"""Whether any customer-field filter is set (so a query needs the customer table joined)."""
	return any(filters.get(name) for name in CUSTOMER_FILTERS if name not in exclude)


def apply_customer_filters(query, customer, filters, exclude=()):
	"""Narrow `query` by the customer-field filters that are set (regions and industries with their subtree)."""
	for name, (fieldname, tree) in CUSTOMER_FILTERS.items():
		value = filters.get(name)
		if not value or name in exclude:
			continue
		column = customer[fieldname]
		query = query.where(column.isin(tree_members(tree, value)) if tree else column == value)
	return query


def customer_route_filters(filters, exclude=()) -> dict:
	"""The customer-field filters that are set, as CIMS Customer list route options.

	A region or industry stands for its whole subtree, spelled out as an "in" list: the list view would
	turn a "descendants of" route option on a standard filter field into a plain "=".
	"""
	options = {}
	for name, (fieldname, tree) in CUSTOMER_FILTERS.items():
		value = filters.get(name)
		if value and name not in exclude:
			options[fieldname] = ["in", tree_members(tree, value)] if tree else value
	return options


def user_full_names(users) -> dict[str, str]:
	"""{user: full name} for the given users, in one query."""
	users = sorted({user for user in users if user})
	if not users:
		return {}
	rows = frappe.get_all("User", filters={"name": ("in", users)}, fields=["name", "full_name"], as_list=True)
	return {name: full_name or name for name, full_name in rows}


def row_limit(filters) -> int:
	return min(max(cint(filters.get("limit")) or DEFAULT_ROW_LIMIT, 1), MAX_ROW_LIMIT)


def label_of(value, translate: bool = False) -> str:
	"""How a group value is shown: translated when it is a Select option, "Not Set" when empty."""
	if value in (None, ""):
		return _(NOT_SET)
	return _(value) if translate else value


def money(value) -> float:
	"""A Decimal or None from SQL as a float with cents, so exports and totals get numbers."""
	return flt(value, 2)


def column(label: str, fieldname: str, fieldtype: str = "Data", options: str | None = None, width: int = 120):
	col = {"label": _(label), "fieldname": fieldname, "fieldtype": fieldtype, "width": width}
	if options:
		col["options"] = options
	return col


def drill(doctype: str, **filters) -> dict:
	"""A drill-down target for a cell: the list view of `doctype` with these route options."""
	return {
		"doctype": doctype,
		"filters": {key: value for key, value in filters.items() if value is not None},
	}


def between(from_value, to_value) -> list:
	"""A route-option filter value meaning from_value <= field <= to_value."""
	return ["Between", [str(from_value), str(to_value)]]


def total_row(data: list[dict], columns: list[dict], label_field: str, **computed) -> dict:
	"""A bold Total row: Int and Currency columns summed, `computed` values (rates of the totals) set."""
	row = {label_field: _(TOTAL), "is_total_row": 1}
	for col in columns:
		if col["fieldtype"] in ("Int", "Currency") and not col.get("no_total"):
			row[col["fieldname"]] = sum(flt(item.get(col["fieldname"])) for item in data)
			if col["fieldtype"] == "Int":
				row[col["fieldname"]] = cint(row[col["fieldname"]])
	row.update(computed)
	return row


def chart(
	labels: list[str],
	datasets: list[dict],
	kind: str | None = None,
	fieldtype: str | None = None,
	latest: bool = False,
):
	"""A frappe-charts definition; pie for few groups of a single series, bars otherwise.

	Long series are cut to MAX_CHART_GROUPS: the first groups, or the `latest` ones for time series.
	"""
	window = slice(-MAX_CHART_GROUPS, None) if latest else slice(MAX_CHART_GROUPS)
	labels = labels[window]
	datasets = [{**dataset, "values": dataset["values"][window]} for dataset in datasets]
	if not kind:
		kind = "pie" if len(datasets) == 1 and len(labels) <= MAX_PIE_SLICES else "bar"
	definition = {"data": {"labels": labels, "datasets": datasets}, "type": kind}
	if fieldtype:
		definition["fieldtype"] = fieldtype
	return definition


def summary(label: str, value, datatype: str = "Int", indicator: str | None = None) -> dict:
	item = {"label": _(label), "value": value, "datatype": datatype}
	if indicator:
		item["indicator"] = indicator
	return item


def now() -> datetime.datetime:
	return now_datetime()
