"""Desk views the app ships as records: the Kanban board of customers by lifecycle stage.

Run after install and after every migrate (from cims_app.setup.install); idempotent: the board is
created once, then only its columns follow the Select options of `lifecycle_stage` (new options get
a column, removed ones are archived, the user's column order and colours are kept).
"""

import frappe

from cims_app.domain.errors import _

CUSTOMER = "CIMS Customer"
# The `_` of cims_app.domain.errors only marks the name for zh.csv: the record keeps its English name.
LIFECYCLE_BOARD = _("CIMS Customer Lifecycle Board")
STAGE_FIELD = "lifecycle_stage"
CARD_FIELDS = ["customer_type", "value_tier", "churn_risk", "account_manager"]
STAGE_INDICATORS = {
	"Potential Customer": "Gray",
	"Intent Customer": "Blue",
	"Active Customer": "Green",
	"Paused Customer": "Orange",
	"Churned Customer": "Red",
}


def setup_desk_views() -> None:
	ensure_lifecycle_kanban_board()
	ensure_customer_list_columns()


def ensure_customer_list_columns() -> None:
	"""Five list columns for customers, so tier and churn risk show beside the stage on a 1366 px laptop
	(the Desk's default there is four, one of them the tag column). Created once; admins may change it."""
	if not frappe.db.exists("List View Settings", CUSTOMER):
		settings = frappe.new_doc("List View Settings")
		settings.name = CUSTOMER
		settings.total_fields = "5"
		settings.insert(ignore_permissions=True)


def stage_options() -> list[str]:
	options = frappe.get_meta(CUSTOMER).get_field(STAGE_FIELD).options or ""
	return [option for option in options.split("\n") if option.strip()]


def ensure_lifecycle_kanban_board() -> None:
	stages = stage_options()
	if not frappe.db.exists("Kanban Board", LIFECYCLE_BOARD):
		board = frappe.get_doc(
			{
				"doctype": "Kanban Board",
				"kanban_board_name": LIFECYCLE_BOARD,
				"reference_doctype": CUSTOMER,
				"field_name": STAGE_FIELD,
				"private": 0,
				"show_labels": 1,
				"fields": frappe.as_json(CARD_FIELDS),
				"columns": [_column(stage) for stage in stages],
			}
		)
		board.insert(ignore_permissions=True)
		# The board stores card order per column; start empty rather than with every customer's name.
		frappe.db.set_value("Kanban Board Column", {"parent": LIFECYCLE_BOARD}, "order", "[]")
		return

	board = frappe.get_doc("Kanban Board", LIFECYCLE_BOARD)
	existing = {column.column_name: column for column in board.columns}
	changed = False
	for stage in stages:
		if stage not in existing:
			board.append("columns", {**_column(stage), "order": "[]"})
			changed = True
		elif existing[stage].status != "Active":
			existing[stage].status = "Active"
			changed = True
	for name, column in existing.items():
		if name not in stages and column.status != "Archived":
			column.status = "Archived"
			changed = True
	if changed:
		board.flags.ignore_permissions = True
		board.save()


def _column(stage: str) -> dict:
	return {"column_name": stage, "status": "Active", "indicator": STAGE_INDICATORS.get(stage, "Gray")}


def remove_desk_views() -> None:
	"""Before uninstall: Kanban boards and list settings of the app's DocTypes would point at nothing."""
	for name in frappe.get_all(
		"Kanban Board", filters={"reference_doctype": ("like", "CIMS %")}, pluck="name"
	):
		frappe.delete_doc("Kanban Board", name, ignore_permissions=True, force=True)
