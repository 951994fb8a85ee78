"""Triggers the app keeps on its tables (the follow-up tally, the match key log): made again on migrate, and
asked for by name, since a database with binary logging and without `log_bin_trust_function_creators`, or a
user without the TRIGGER privilege, refuses them."""

import frappe


def put_triggers(table: str, triggers: dict[str, str], body, refused: str) -> bool:
	"""Create each trigger {name: event} on `table` with the statements `body(event)`, replacing one of the
	same name (a changed definition replaces the old one). False, with `refused` in the Error Log, where the
	database refuses."""
	try:
		for name, event in triggers.items():
			frappe.db.sql_ddl(f"DROP TRIGGER IF EXISTS `{name}`")
			frappe.db.sql_ddl(
				f"CREATE TRIGGER `{name}` {event} ON `{table}` FOR EACH ROW BEGIN {body(event)} END"
			)
	except Exception:
		frappe.log_error(title=refused)
		return False
	return True


def triggers_exist(names) -> bool:
	"""Whether every trigger of `names` exists in the site's database."""
	names = tuple(names)
	found = frappe.db.sql(
		"SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"
		" AND TRIGGER_NAME IN %(names)s",
		{"names": names},
	)[0][0]
	return found == len(names)
