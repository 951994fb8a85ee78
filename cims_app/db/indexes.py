"""Composite indexes that the CIMS reports, number cards, list views and row rules need.

Single-column indexes are `search_index` on the DocType fields. Composite ones cannot be declared in a
DocType JSON, so each DocType's controller calls its function here from `on_doctype_update`, which the
framework runs whenever it creates or updates the DocType (install, migrate); the framework's Contact
gets its index from the app's after_install and after_migrate. `frappe.db.add_index`
skips an index that already exists, so running them again is harmless.

Several are covering indexes: at 1,000,000 follow-ups a year of completed ones is most of the table, and
a report can only aggregate that in well under a second when it reads the index alone, never the rows.
They carry `customer` and the owner field because the row rules of a rep filter on those.
"""

import frappe
from frappe import _

# DocType -> {index name: columns}, each with the queries that need it.
INDEXES: dict[str, dict[str, tuple[str, ...]]] = {
	"CIMS Customer": {
		# the duplicate rule's "same e-mail" (cims_app.customers.duplicates): customers by e-mail, a chunk of rows at a time
		# (with docstatus, always 0, so that the framework's schema sync leaves it: see ONE_COLUMN below)
		"cims_email_key": ("email_id", "docstatus"),
		# the customer list, newest first (the DocType's sort field), for whoever reaches most customers (see
		# CREATION)
		"creation": ("creation",),
		# the row rules' columns alone (the fields are `search_index`, but the framework's sync adds no index on
		# a column a composite index starts): "account_manager = me OR in_public_pool = 1" is an index merge of
		# rowid-ordered one-column scans, and a report's own "my customers" filter reads them (CIMS Churn Risk
		# as a rep at 100,000 customers: 0.13 s with, 0.31 s without)
		"account_manager": ("account_manager",),
		"sales_team": ("sales_team",),
		# a rep's customer list, newest first; new customers per rep in a period
		"cims_manager_creation": ("account_manager", "creation"),
		# a team's customers and its new customers in a period
		"cims_team_creation": ("sales_team", "creation"),
		# CIMS Churn Risk: the highest scores of a risk level
		"cims_churn_score": ("churn_risk", "churn_risk_score"),
		# Customer Distribution by industry (its default view) for whole-company readers and managers: the
		# counts and sums per industry read from the index alone (covering, with the row-rule fields). After
		# the industry, the creation: a new customer's entry goes to the end of its industry (about twenty
		# places an import writes to, whatever the size of the site), and a change of stage, tier or amount
		# rewrites it where it is; with the stage, tier and amount first it went to a random page of a
		# million entries
		"cims_distribution_cover": (
			"industry",
			"creation",
			"lifecycle_stage",
			"value_tier",
			"annual_amount",
			"cumulative_amount",
			"account_manager",
			"in_public_pool",
			"sales_team",
		),
		# Stage Duration: customers now in each stage and since when (covering, with the row-rule fields)
		"cims_stage_since": (
			"lifecycle_stage",
			"lifecycle_stage_changed_on",
			"account_manager",
			"in_public_pool",
			"sales_team",
		),
	},
	"CIMS Follow-Up": {
		# the follow-up list, newest first (the DocType's sort field): read backwards until a page of rows the
		# user reaches, instead of sorting all of them (a manager reaches most of a million; see CREATION)
		"creation": ("creation",),
		# Sales Performance and Follow-Up Activity per rep: completed ones grouped by rep in index order,
		# no temporary table (covering)
		"cims_completed_by_rep": (
			"status",
			"assigned_to",
			"completed_on",
			"follow_up_type",
			"result",
			"customer_feedback",
			"satisfaction_score",
			"customer",
		),
		# Follow-Up Activity by type, result, feedback or week, the Average Satisfaction card: completed
		# in a period (covering)
		"cims_completed_cover": (
			"status",
			"completed_on",
			"assigned_to",
			"follow_up_type",
			"result",
			"customer_feedback",
			"satisfaction_score",
			"customer",
		),
		# planned, overdue and cancelled in a period; the Overdue Follow-Ups card; reminders. Covering for
		# Follow-Up Activity by rep or type (at 1,000,000 customers: 0.8 s reading the rows, under 0.2 s without)
		"cims_scheduled_cover": ("status", "scheduled_on", "assigned_to", "follow_up_type", "customer"),
	},
	"CIMS Opportunity": {
		# Pipeline Forecast, the Open Weighted Pipeline card: open by expected close date (covering)
		"cims_open_cover": (
			"status",
			"expected_close_date",
			"sales_stage",
			"owner_user",
			"customer",
			"expected_amount",
			"weighted_amount",
		),
		# a rep's or manager's opportunities, reached from their customers: won in a period, open by close
		# date (Sales Performance, Pipeline Forecast as a rep: covering, no row lookup; at 1,000,000 customers
		# a rep's Sales Performance 1.9 s -> 0.9 s)
		"cims_customer_cover": (
			"customer",
			"status",
			"closed_on",
			"expected_close_date",
			"owner_user",
			"won_amount",
			"expected_amount",
			"weighted_amount",
		),
		# won or lost in a period: Sales Performance, Pipeline Forecast, the Win Rate card (covering)
		"cims_closed_cover": ("status", "closed_on", "sales_stage", "owner_user", "customer", "won_amount"),
		# Sales Funnel: opportunities created in a period by stage and status (covering)
		"cims_created_cover": (
			"creation",
			"sales_stage",
			"status",
			"owner_user",
			"customer",
			"expected_amount",
			"weighted_amount",
			"won_amount",
		),
	},
	"CIMS Campaign Member": {
		# Campaign Effectiveness: invited / registered / attended / converted per campaign
		"cims_campaign_status": ("campaign", "status", "high_intent", "converted", "customer"),
		# the member list, newest first (the DocType's sort field)
		"creation": ("creation",),
	},
	"CIMS Reminder Log": {
		# the reminder log, newest first (the DocType's sort field): one row per reminder sent
		"creation": ("creation",),
	},
	"CIMS Import Row": {
		# the import row list, newest first (the DocType's sort field): a row per imported row
		"creation": ("creation",),
	},
	"Contact": {
		# the importer's "same mobile" check: contacts of the site by mobile, a chunk of rows at a time (with
		# docstatus, see ONE_COLUMN: the one-column index was dropped by the fixtures' sync of Contact at install,
		# and each chunk then read the whole Dynamic Link table, a cost growing with the site)
		"cims_contact_mobile_key": ("mobile_no", "docstatus"),
	},
	"CIMS Stage Change": {
		# Stage Duration: moves of one kind in a period, by stage and mover (covering)
		"cims_kind_changed": (
			"reference_doctype",
			"changed_on",
			"from_stage",
			"changed_by",
			"days_in_previous_stage",
			"customer",
		),
		# the last move of a record (stage_history), its moves in order
		"cims_record_changed": ("reference_doctype", "reference_name", "changed_on"),
	},
}

# ONE_COLUMN: the framework's schema sync (frappe.database.mariadb.schema, each migrate that touches the
# DocType, and the custom fields synced onto Contact at install) drops a one-column index on a field that is
# not `search_index`; an index of a column that has no DocField `search_index` therefore takes a second
# column (docstatus, always 0 here) and the sync leaves it alone.

# CREATION: the framework's schema sync adds a one-column index named `creation` to a DocType sorted by
# creation that has none (and never drops it), so a list newest first uses that very index, made here under
# the framework's name for the tables synced before it did so; a (creation, docstatus) index beside it
# (cims_creation, retired) only doubled the cost of each record written.

# Indexes an earlier version of this module made, superseded by the ones above.
RETIRED: dict[str, tuple[str, ...]] = {
	"Contact": ("cims_contact_mobile",),
	"CIMS Customer": (
		"cims_creation",
		"cims_email",
		"account_manager_creation_cims_index",
		"sales_team_creation_cims_index",
		"churn_risk_churn_risk_score_cims_index",
	),
	"CIMS Follow-Up": (
		"cims_creation",
		"cims_status_scheduled",
		"status_completed_on_cims_index",
		"status_scheduled_on_cims_index",
		"assigned_to_status_scheduled_on_cims_index",
	),
	"CIMS Opportunity": (
		"creation_cims_index",
		"status_expected_close_date_cims_index",
		"status_closed_on_cims_index",
		"owner_user_status_cims_index",
	),
	"CIMS Campaign Member": ("cims_creation", "campaign_status_cims_index"),
	"CIMS Reminder Log": ("cims_creation",),
	"CIMS Import Row": ("cims_creation",),
	"CIMS Stage Change": (
		"reference_doctype_changed_on_cims_index",
		"reference_doctype_reference_name_changed_on_cims_index",
	),
}


# Unique indexes that hold the exact keys of SPEC §6 under concurrent saves (the unique credit code is the
# DocType's own `unique` field): DocType -> {index name: columns}. Blank values are NULL, which never collide.
# A key of one column is indexed together with `docstatus` (always 0 for customers, which are not submitted):
# the framework's schema sync drops a one-column unique index whose DocField is not `unique`, and leaves
# composite ones alone; a DocField `unique` instead would make a migrate fail on a site holding duplicates.
UNIQUE: dict[str, dict[str, tuple[str, ...]]] = {
	"CIMS Customer": {
		# the exact name key of enterprises and institutions (empty for individuals)
		"cims_unique_name": ("name_unique_key", "docstatus"),
		"cims_unique_id_number": ("id_number", "docstatus"),
	},
	# one membership per customer and campaign
	"CIMS Campaign Member": {"cims_unique_membership": ("campaign", "customer")},
}
# Columns whose blank values were once saved as "" instead of NULL.
BLANK_AS_NULL = {"CIMS Customer": ("id_number", "name_unique_key")}
DUPLICATES_SHOWN = 20


def duplicate_groups(doctype: str, columns: tuple[str, ...], limit: int = DUPLICATES_SHOWN) -> list[tuple]:
	"""(values..., count, names) of the groups of records sharing a value of `columns` (none of them NULL)."""
	table = f"tab{doctype}"
	cols = ", ".join(f"`{column}`" for column in columns)
	not_null = " AND ".join(f"`{column}` IS NOT NULL" for column in columns)
	return frappe.db.sql(
		f"""SELECT {cols}, COUNT(*), GROUP_CONCAT(name ORDER BY name SEPARATOR ', ') FROM `{table}`
		WHERE {not_null} GROUP BY {cols} HAVING COUNT(*) > 1 ORDER BY COUNT(*) DESC LIMIT {int(limit)}"""
	)


def index_columns(table: str, index_name: str) -> list[str]:
	"""The columns of an index, in order ([] when there is no such index)."""
	rows = frappe.db.sql(f"SHOW INDEX FROM `{table}` WHERE Key_name = %s", (index_name,), as_dict=True)
	return [row.Column_name for row in sorted(rows, key=lambda row: row.Seq_in_index)]


def add_unique_indexes() -> list[str]:
	"""Add every missing unique index of UNIQUE (install and each migrate). A table that already holds
	duplicates keeps working without that index: the migrate goes on, says which records share a value
	(in its output and the Error Log), and the next migrate after they are merged adds it. Returns those
	messages."""
	skipped = []
	for doctype, indexes in UNIQUE.items():
		table = f"tab{doctype}"
		if not frappe.db.table_exists(doctype):
			continue
		for column in BLANK_AS_NULL.get(doctype, ()):
			if frappe.db.has_column(doctype, column):
				frappe.db.sql(f"UPDATE `{table}` SET `{column}` = NULL WHERE `{column}` = ''")
		for index_name, columns in indexes.items():
			existing = index_columns(table, index_name)
			if existing == list(columns):
				continue
			if existing:  # made by an earlier version with other columns
				frappe.db.sql_ddl(f"ALTER TABLE `{table}` DROP INDEX `{index_name}`")
			if not all(frappe.db.has_column(doctype, column) for column in columns):
				continue
			groups = duplicate_groups(doctype, columns)
			if groups:
				shown = [position for position, column in enumerate(columns) if column != "docstatus"]
				lines = [
					f"{' / '.join(str(group[position]) for position in shown)}: {group[-1]}"
					for group in groups
				]
				message = _(
					"{0}: the unique index on {1} was not added because these records share a value; merge them, then run bench migrate again:"
				).format(_(doctype), ", ".join(columns))
				message += "\n" + "\n".join(lines)
				skipped.append(message)
				print(message)
				frappe.log_error(title=_("Unique index not added: {0}").format(_(doctype)), message=message)
				continue
			cols = ", ".join(f"`{column}`" for column in columns)
			frappe.db.sql_ddl(f"ALTER TABLE `{table}` ADD UNIQUE INDEX `{index_name}` ({cols})")
	return skipped


def put_index(doctype: str, index_name: str, columns) -> None:
	"""Add the index, or make it again where an earlier version made it with other columns (the framework's
	add_index keeps an index of that name whatever its columns)."""
	put_table_index(f"tab{doctype}", index_name, columns)


def put_table_index(table: str, index_name: str, columns) -> None:
	"""put_index for a table of the app's own that is not a DocType's (a log, a tally)."""
	existing = index_columns(table, index_name)
	if existing == list(columns):
		return
	cols = ", ".join(f"`{column}`" for column in columns)
	drop = f"DROP INDEX `{index_name}`, " if existing else ""
	frappe.db.sql_ddl(f"ALTER TABLE `{table}` {drop}ADD INDEX `{index_name}` ({cols})")


def add_indexes(doctype: str) -> None:
	table = f"tab{doctype}"
	for index_name in RETIRED.get(doctype, ()):
		if frappe.db.has_index(table, index_name):
			frappe.db.sql_ddl(f"alter table `{table}` drop index `{index_name}`")
	for index_name, columns in INDEXES[doctype].items():
		put_index(doctype, index_name, columns)


def add_customer_indexes() -> None:
	add_indexes("CIMS Customer")


def add_follow_up_indexes() -> None:
	add_indexes("CIMS Follow-Up")


def add_opportunity_indexes() -> None:
	add_indexes("CIMS Opportunity")


def add_campaign_member_indexes() -> None:
	add_indexes("CIMS Campaign Member")


def add_stage_change_indexes() -> None:
	add_indexes("CIMS Stage Change")


def add_contact_indexes() -> None:
	"""Contact is the framework's DocType: its index is added after install and every migrate."""
	add_indexes("Contact")


def add_all_indexes() -> None:
	"""Every index above (e.g. for a site whose DocTypes were synced before this module changed)."""
	for doctype in INDEXES:
		add_indexes(doctype)
