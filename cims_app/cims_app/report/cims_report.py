"""Shared plumbing of the CIMS script reports: the CIMSReport skeleton, row rules, filters, month buckets,
masking, charts, totals and drill-downs.

Each report is a small CIMSReport subclass (`execute = Report.execute` → `Report(filters).run()`) that
aggregates in the database with frappe.qb and holds only its own queries and columns. Row-level rules are
never written here: `permitted()` asks the framework for the current user's match conditions (role
permissions, user permissions, sharing and the app's permission_query_conditions hooks) and adds them to the
query, so a report covers what the user may see in the list view; for a rep or manager without the public
pool, which is nobody's book.
"""

import datetime

import frappe
from frappe import _
from frappe.query_builder import Case, Criterion
from frappe.query_builder.functions import DateFormat, Sum
from frappe.utils import add_months, cint, flt, get_first_day, get_last_day, getdate, now_datetime, nowdate
from frappe.utils.caching import request_cache

from cims_app.access.scoping import permitted, reaches_every_row
from cims_app.domain.contact_rules import mask_email, mask_id_number, mask_mobile
from cims_app.domain.report_metrics import month_bounds
from cims_app.follow_ups import tally

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
CUSTOMER = "CIMS Customer"
# SQL's spelling of report_metrics.month_key: "2024-05" for any moment of May 2024.
MONTH_FORMAT = "%Y-%m"


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


def default_period(
	filters, months_back: int = 11, months_ahead: int | None = None
) -> tuple[datetime.date, datetime.date]:
	"""(from_date, to_date) of the filters; by default from the first day of the month `months_back` ago to
	today, or with `months_ahead` to the last day of the month that many months from now."""
	today = getdate(nowdate())
	from_date = getdate(filters.get("from_date")) if filters.get("from_date") else None
	to_date = getdate(filters.get("to_date")) if filters.get("to_date") else None
	from_date = from_date or get_first_day(add_months(today, -months_back))
	to_date = to_date or (today if months_ahead is None else get_last_day(add_months(today, months_ahead)))
	if from_date > to_date:
		frappe.throw(_("From Date must be before To Date"))
	return from_date, to_date


def months_into_quarter(day: datetime.date) -> int:
	"""How many months of its quarter lie before `day`'s month (0 in January, April, July, October)."""
	return (day.month - 1) % 3


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


def month_bucket(field):
	"""The month a date or datetime column falls in, as report_metrics.month_key's "YYYY-MM" key, in SQL."""
	return DateFormat(field, MONTH_FORMAT)


def sum_when(condition, value):
	"""SQL: the sum of `value` over the rows meeting `condition`."""
	return Sum(Case().when(condition, value).else_(0))


def count_when(condition):
	"""SQL: how many rows meet `condition`."""
	return sum_when(condition, 1)


def in_order(present, order) -> list:
	"""The keys in `present` in the given `order`, those it does not name after them alphabetically."""
	return [key for key in order if key in present] + sorted(
		(key for key in present if key not in order), key=lambda key: key or ""
	)


def sales_stage_order() -> list[str]:
	return frappe.get_all("CIMS Sales Stage", order_by="sequence asc", pluck="name")


def unset_last(keys) -> list:
	"""Group keys in alphabetical order, the empty group (None) last."""
	return sorted(keys, key=lambda key: (key is None, key or ""))


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


def scoped(query, table, doctype: str, filters, join_customer: bool = False, customer=None):
	"""`query` over `doctype` (its frappe.qb `table`) limited by the row rules and narrowed by the customer-field
	filters: on CIMS Customer itself, on a customer's record through its `customer` link, joined only when a
	filter (or `join_customer`, for a query grouping by the customer's fields) needs it."""
	if doctype == CUSTOMER:
		query = apply_customer_filters(query, table, filters)
	elif join_customer or customer_filters_set(filters):
		customer = customer or frappe.qb.DocType(CUSTOMER)
		query = query.join(customer).on(customer.name == table.customer)
		query = apply_customer_filters(query, customer, filters)
	return permitted(query, doctype)


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


# Columns of the reports listing customers, alike in each: fieldname -> (label, fieldtype, options, width).
CUSTOMER_COLUMNS = {
	"customer": ("Customer", "Link", CUSTOMER, 120),
	"customer_name": ("Customer Name", "Data", None, 200),
	"lifecycle_stage": ("Lifecycle Stage", "Data", None, 120),
	"account_manager": ("Account Manager", "Link", "User", 180),
	"mobile_no": ("Mobile No", "Data", None, 120),
	"email_id": ("Email", "Data", None, 160),
}


def customer_columns(*fieldnames: str) -> list[dict]:
	"""The CUSTOMER_COLUMNS named, in that order."""
	columns = []
	for fieldname in fieldnames:
		label, fieldtype, options, width = CUSTOMER_COLUMNS[fieldname]
		columns.append(column(label, fieldname, fieldtype, options, width))
	return columns


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


def series(label: str, rows: list[dict], fieldname: str, empty=None) -> dict:
	"""A chart dataset: the rows' `fieldname` values (`empty` for those without one, when given)."""
	values = [row[fieldname] for row in rows]
	if empty is not None:
		values = [value or empty for value in values]
	return {"name": _(label), "values": values}


def summary(label: str, value, datatype: str = "Int", indicator: str | None = None) -> dict:
	item = {"label": _(label), "value": value, "datatype": datatype}
	if indicator:
		item["indicator"] = indicator
	return item


def now() -> datetime.datetime:
	return now_datetime()


class CIMSReport:
	"""The skeleton every CIMS script report shares: filters as a frappe._dict, the read-only `execute` entry
	Frappe calls, and `run()` answering (columns, rows, message, chart, summary) from hooks a report overrides.

	A report with data gets its total row (`get_total`, if it has one) appended after the rows, and its
	summary; one without, an empty summary unless `summary_without_rows` (its summary counts more than the
	rows it lists). `get_data` runs before the message, chart and summary, so it may keep what they need
	(counts, levels) on `self`.
	"""

	summary_without_rows = False

	def __init__(self, filters=None):
		self.filters = frappe._dict(filters or {})

	@classmethod
	@frappe.read_only()
	def execute(cls, filters=None):
		"""The module-level `execute` of a report file (`execute = Report.execute`), on the replica if any.

		Refused filters (From Date after To Date, an unknown option) come back as their message with an empty
		report instead of an exception: the framework turns a script report that raises into a prepared
		report for every user 15 s later (its watcher is cancelled only when the report returns)."""
		try:
			return cls(filters).run()
		except frappe.ValidationError:
			# frappe.throw already put the translated message in the response's messages.
			return [], []

	def run(self):
		columns = self.get_columns()
		data = self.get_data()
		total = self.get_total(data, columns) if data else None
		return (
			columns,
			[*data, total] if total else data,
			self.get_message(),
			self.get_chart(data),
			self.get_summary(data, total) if data or self.summary_without_rows else [],
		)

	# ---- hooks: a report overrides what it has ---------------------------------------------------------

	def get_columns(self) -> list[dict]:
		return []

	def get_data(self) -> list[dict]:
		return []

	def get_total(self, data: list[dict], columns: list[dict]) -> dict | None:
		return None

	def get_message(self) -> str | None:
		return None

	def get_chart(self, data: list[dict]) -> dict | None:
		return None

	def get_summary(self, data: list[dict], total: dict | None) -> list[dict]:
		return []

	# ---- filters ---------------------------------------------------------------------------------------

	def choice(self, fieldname: str, options, default: str, unknown: str | None = None) -> str:
		"""The value of a Select filter (`default` when unset); an unknown one is refused with `unknown`."""
		value = self.filters.get(fieldname) or default
		if value not in options:
			frappe.throw((unknown or _("Unknown grouping {0}")).format(value))
		return value

	def set_period(self, months_back: int = 11, months_ahead: int | None = None) -> None:
		"""from_date and to_date of the filters (see default_period), start and end as the moments they span."""
		self.from_date, self.to_date = default_period(self.filters, months_back, months_ahead)
		self.start, self.end = day_bounds(self.from_date, self.to_date)

	def set_filters(self, fieldnames) -> dict:
		"""{fieldname: value} of the filters among `fieldnames` that are set: fields of the report's own records."""
		return {
			fieldname: self.filters.get(fieldname) for fieldname in fieldnames if self.filters.get(fieldname)
		}

	def matching(self, table, fieldnames) -> Criterion:
		"""`table.fieldname == value` for each of the `fieldnames` filters that is set (none: no condition)."""
		return Criterion.all(
			table[fieldname] == value for fieldname, value in self.set_filters(fieldnames).items()
		)

	@property
	def by_customer_fields(self) -> bool:
		"""Whether a customer-field filter is set: lists of other records cannot filter on them, so a drill-down
		from such a report would show more than the figure counts."""
		return customer_filters_set(self.filters)

	# ---- queries ---------------------------------------------------------------------------------------

	def scoped(self, query, table, doctype: str, customer_filters=None, join_customer=False, customer=None):
		"""`query` limited by the row rules and the report's customer filters (or `customer_filters`)."""
		filters = self.filters if customer_filters is None else customer_filters
		return scoped(query, table, doctype, filters, join_customer, customer)

	def grouped(self, table, doctype: str, key, measures, *conditions, **scope) -> dict:
		"""{group key: row of `measures`} of the `doctype` rows meeting `conditions`, grouped by `key`, within
		the row rules and the customer filters (`scope`: arguments of `scoped`)."""
		query = frappe.qb.from_(table).select(key.as_("group_key"), *measures).groupby(key)
		for condition in conditions:
			query = query.where(condition)
		return {row.group_key: row for row in self.scoped(query, table, doctype, **scope).run(as_dict=True)}

	def completed_from_tally(self, follow_up_filters=()) -> bool:
		"""Whether the completed follow-ups may be counted from their daily tally (cims_app.follow_ups.tally):
		it is kept, the reader reaches every follow-up, no customer-field filter is set and no filter on a
		follow-up field the tally is not keyed by."""
		return (
			not self.by_customer_fields
			and all(name in tally.DIMENSIONS for name in self.set_filters(follow_up_filters))
			and reaches_every_row("CIMS Follow-Up")
			and tally.available()
		)

	# ---- months ----------------------------------------------------------------------------------------

	def month_in_period(self, key: str) -> tuple[datetime.date, datetime.date]:
		"""The days of the month named by a "YYYY-MM" key that lie in the report's period."""
		first, last = month_bounds(key)
		return max(first, self.from_date), min(last, self.to_date)
