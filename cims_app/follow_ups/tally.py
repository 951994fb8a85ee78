"""The completed follow-ups of each day, counted by rep, type, result and feedback, kept by the database.

At 1,000,000 customers a quarter holds millions of completed follow-ups: a report that groups them reads
millions of index entries (3 s on two cores) however good the index. The reports of a whole-company reader
read this tally instead: a few hundred rows a day, whatever the number of follow-ups.

The database keeps it, not the app: triggers on `tabCIMS Follow-Up` add a follow-up where it is completed
and take it back where it is changed or deleted, so every path that writes follow-ups (a form, the API, a
bulk insert, a set-based job, a merge, a Server Script's SQL) keeps it exact, in the same transaction.
Where the triggers cannot be created (binary logging without `log_bin_trust_function_creators`, no
TRIGGER privilege), `available()` is False and the reports read the follow-ups themselves.
"""

import frappe
from frappe.cache_manager import clear_defaults_cache
from frappe.query_builder import Case, Table
from frappe.query_builder.functions import Cast, Sum

from cims_app.db.triggers import put_triggers, triggers_exist

TABLE = "__cims_follow_up_tally"
FOLLOW_UP_TABLE = "tabCIMS Follow-Up"
# The follow-up fields a tally row is keyed by besides its day ("" stands for an empty value).
DIMENSIONS = ("assigned_to", "follow_up_type", "result", "customer_feedback")
TRIGGERS = {
	"cims_follow_up_tally_insert": "AFTER INSERT",
	"cims_follow_up_tally_update": "AFTER UPDATE",
	"cims_follow_up_tally_delete": "AFTER DELETE",
}
READY_KEY = "cims_follow_up_tally_ready"
COLUMNS = ", ".join(f"`{column}`" for column in ("day", *DIMENSIONS, "completed", "rated", "rating_sum"))

CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS `{TABLE}` (
	`day` DATE NOT NULL,
	`assigned_to` VARCHAR(140) NOT NULL DEFAULT '',
	`follow_up_type` VARCHAR(140) NOT NULL DEFAULT '',
	`result` VARCHAR(140) NOT NULL DEFAULT '',
	`customer_feedback` VARCHAR(140) NOT NULL DEFAULT '',
	`completed` INT NOT NULL DEFAULT 0,
	`rated` INT NOT NULL DEFAULT 0,
	`rating_sum` DECIMAL(21, 9) NOT NULL DEFAULT 0,
	PRIMARY KEY (`day`, `assigned_to`, `follow_up_type`, `result`, `customer_feedback`)
) ENGINE=InnoDB ROW_FORMAT=DYNAMIC CHARACTER SET=utf8mb4 COLLATE=utf8mb4_unicode_ci
"""


def _column(row: str, field: str) -> str:
	"""A follow-up column: of the trigger's NEW or OLD row, or of the table itself (`row` "")."""
	return f"{row}.{field}" if row else f"`{field}`"


def _key_values(row: str) -> list[str]:
	"""The tally key of a follow-up, SQL values in the order of the table's primary key."""
	return [f"DATE({_column(row, 'completed_on')})"] + [f"IFNULL({_column(row, f)}, '')" for f in DIMENSIONS]


def _key(row: str) -> str:
	return ", ".join(_key_values(row))


def _counted(row: str) -> str:
	return f"{_column(row, 'status')} = 'Completed' AND {_column(row, 'completed_on')} IS NOT NULL"


def _rated(row: str) -> str:
	return f"IF(IFNULL({_column(row, 'satisfaction_score')}, 0) > 0, 1, 0)"


def _rating(row: str) -> str:
	score = _column(row, "satisfaction_score")
	return f"IF(IFNULL({score}, 0) > 0, {score}, 0)"


def _add(row: str) -> str:
	return (
		f"IF {_counted(row)} THEN "
		f"INSERT INTO `{TABLE}` ({COLUMNS}) "
		f"VALUES ({_key(row)}, 1, {_rated(row)}, {_rating(row)}) "
		f"ON DUPLICATE KEY UPDATE `completed` = `completed` + 1, `rated` = `rated` + VALUES(`rated`), "
		f"`rating_sum` = `rating_sum` + VALUES(`rating_sum`); END IF;"
	)


def _take_back(row: str) -> str:
	# spelled out as equalities: MariaDB does not read the primary key for a row constructor in an UPDATE
	where = " AND ".join(
		f"`{column}` = {value}" for column, value in zip(("day", *DIMENSIONS), _key_values(row), strict=True)
	)
	return (
		f"IF {_counted(row)} THEN "
		f"UPDATE `{TABLE}` SET `completed` = `completed` - 1, `rated` = `rated` - {_rated(row)}, "
		f"`rating_sum` = `rating_sum` - {_rating(row)} WHERE {where}; END IF;"
	)


def _trigger_body(event: str) -> str:
	if event == "AFTER INSERT":
		return _add("NEW")
	if event == "AFTER DELETE":
		return _take_back("OLD")
	fields = ("status", "completed_on", "satisfaction_score", *DIMENSIONS)
	unchanged = " AND ".join(f"OLD.{f} <=> NEW.{f}" for f in fields)
	return f"IF NOT ({unchanged}) THEN {_take_back('OLD')} {_add('NEW')} END IF;"


def install() -> bool:
	"""Create the tally and its triggers (again: a changed definition replaces the old one) and count the
	follow-ups into it when it was not ready. False, and the reports read the follow-ups, where the database
	refuses triggers."""
	frappe.db.sql_ddl(CREATE_TABLE)
	if not put_triggers(
		FOLLOW_UP_TABLE,
		TRIGGERS,
		_trigger_body,
		"CIMS: follow-up tally triggers refused; reports read the follow-ups",
	):
		set_ready(False)
		return False
	if not frappe.db.get_global(READY_KEY):
		rebuild()
	frappe.cache.delete_value(READY_KEY)  # available() asks the database again
	return True


def rebuild() -> int:
	"""Count every completed follow-up into the tally afresh, in one statement; the number of tally rows."""
	frappe.db.sql(f"DELETE FROM `{TABLE}`")
	frappe.db.sql(
		f"""INSERT INTO `{TABLE}` ({COLUMNS})
		SELECT {_key("")}, COUNT(*), SUM({_rated("")}), SUM({_rating("")})
		FROM `{FOLLOW_UP_TABLE}` WHERE {_counted("")} GROUP BY {_key("")}"""
	)
	set_ready(True)
	return frappe.db.sql(f"SELECT COUNT(*) FROM `{TABLE}`")[0][0]


def set_ready(ready: bool) -> None:
	frappe.db.set_global(READY_KEY, "1" if ready else "")
	# During an install set_global leaves the cached globals as they were (frappe.defaults._clear_cache): a
	# site's first copy, cached earlier in its install, said "not ready" until the next clear-cache.
	clear_defaults_cache("__global")
	frappe.cache.delete_value(READY_KEY)


def available() -> bool:
	"""Whether the tally is kept (its triggers exist and it was counted)."""
	ready = frappe.cache.get_value(READY_KEY)
	if ready is None:
		ready = int(bool(frappe.db.get_global(READY_KEY)) and triggers_exist(TRIGGERS))
		frappe.cache.set_value(READY_KEY, ready)
	return bool(ready)


def completed_by(key, from_date, to_date, measures, *conditions) -> dict:
	"""{group: row of `measures`} of the follow-ups completed from `from_date` to `to_date` (days), grouped by
	`key`; `key`, `measures` and `conditions` are functions of the tally table. An empty value is None, as a
	grouped query of the follow-ups gives it."""
	tally = Table(TABLE)
	group = key(tally)
	query = (
		frappe.qb.from_(tally)
		.select(group.as_("group_key"), *measures(tally))
		.where(tally.day[from_date:to_date])
		.groupby(group)
		.having(Sum(tally.completed) > 0)
	)
	for condition in conditions:
		query = query.where(condition(tally))
	return {(row.group_key if row.group_key != "" else None): row for row in query.run(as_dict=True)}


def counted(tally: Table, condition=None):
	"""SQL: the completed follow-ups of the tally rows (meeting `condition`), an integer as COUNT(*) gives."""
	value = tally.completed if condition is None else Case().when(condition, tally.completed).else_(0)
	return Cast(Sum(value), "SIGNED")
