"""Composite indexes that the CIMS reports, number cards, list views and row rules need.

Single-column indexes are `search_index` on the DocType fields. Composite ones cannot be declared in a
DocType JSON, so each DocType's controller calls its function here from `on_doctype_update`, which the
framework runs whenever it creates or updates the DocType (install, migrate). `frappe.db.add_index`
skips an index that already exists, so running them again is harmless.
"""

import frappe

# DocType -> the column lists to index, each with the query that needs it.
INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
	"CIMS Customer": (
		("account_manager", "creation"),  # a rep's customer list, newest first; Sales Performance per rep
		("sales_team", "creation"),  # a team's customers and new customers per period
		("churn_risk", "churn_risk_score"),  # CIMS Churn Risk: the highest scores of a risk level
	),
	"CIMS Follow-Up": (
		("status", "completed_on"),  # Follow-Up Activity, Sales Performance: completed in a period
		("status", "scheduled_on"),  # planned / overdue in a period; the Overdue Follow-Ups card
		("assigned_to", "status", "scheduled_on"),  # a rep's due follow-ups
	),
	"CIMS Opportunity": (
		("creation",),  # Sales Funnel: opportunities created in a period
		("status", "expected_close_date"),  # Pipeline Forecast: open by expected close month
		("status", "closed_on"),  # won / lost in a period; the Win Rate card
		("owner_user", "status"),  # a rep's open or won opportunities
	),
	"CIMS Campaign Member": (
		("campaign", "status"),  # Campaign Effectiveness: invited / registered / attended per campaign
	),
	"CIMS Stage Change": (
		("reference_doctype", "changed_on"),  # Stage Duration: moves of one kind in a period
		("reference_doctype", "reference_name", "changed_on"),  # the last move of a record
	),
}


def add_indexes(doctype: str) -> None:
	for columns in INDEXES[doctype]:
		frappe.db.add_index(doctype, list(columns), index_name="_".join(columns) + "_cims_index")


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


def add_all_indexes() -> None:
	"""Every index above, for a site whose DocTypes were synced before this module existed."""
	for doctype in INDEXES:
		add_indexes(doctype)
