"""Each of the ten CIMS script reports opens in the Desk with its filter bar (built from the shared
cims_report.js helpers) and runs without a script error."""

import pytest

from tests.e2e.conftest import SCREENSHOTS, SKIP_REASON

if SKIP_REASON:
	pytest.skip(SKIP_REASON, allow_module_level=True)

import frappe

from tests.e2e.desk import PASSWORD, Desk, make_desk_user, remove_desk_user

pytestmark = pytest.mark.e2e

# Report -> the fieldnames of its filters, in the order of the filter bar.
FILTERS = {
	"CIMS Customer Distribution": (
		"group_by",
		"from_date",
		"to_date",
		"sales_team",
		"account_manager",
		"region",
		"industry",
		"customer_source",
		"customer_type",
		"lifecycle_stage",
	),
	"CIMS Sales Funnel": (
		"from_date",
		"to_date",
		"sales_team",
		"owner_user",
		"region",
		"industry",
		"customer_source",
		"campaign",
	),
	"CIMS Sales Performance": (
		"group_by",
		"from_date",
		"to_date",
		"sales_team",
		"user",
		"region",
		"industry",
	),
	"CIMS Campaign Effectiveness": (
		"from_date",
		"to_date",
		"campaign",
		"campaign_type",
		"format",
		"status",
		"owner_user",
	),
	"CIMS Acquisition by Source": (
		"from_date",
		"to_date",
		"sales_team",
		"account_manager",
		"region",
		"industry",
		"customer_source",
		"customer_type",
	),
	"CIMS Pipeline Forecast": (
		"group_by",
		"from_date",
		"to_date",
		"sales_team",
		"owner_user",
		"sales_stage",
		"region",
		"industry",
		"customer_source",
	),
	"CIMS Churn Risk": (
		"risk_level",
		"sales_team",
		"account_manager",
		"region",
		"industry",
		"value_tier",
		"lifecycle_stage",
		"include_churned",
		"limit",
	),
	"CIMS Follow-Up Activity": (
		"group_by",
		"from_date",
		"to_date",
		"sales_team",
		"assigned_to",
		"follow_up_type",
		"status",
		"region",
		"industry",
	),
	"CIMS Stage Duration": (
		"stage_type",
		"group_by",
		"from_date",
		"to_date",
		"changed_by",
		"sales_team",
		"account_manager",
		"region",
		"industry",
	),
	"CIMS Data Quality": (
		"issue",
		"sales_team",
		"account_manager",
		"region",
		"industry",
		"customer_type",
		"lifecycle_stage",
		"limit",
	),
}


@pytest.fixture()
def manager(setup_wizard_done):
	"""A sales manager (every CIMS report is theirs), committed so the web server sees them."""
	email = make_desk_user("reports", "CIMS Sales Manager", "Report")
	frappe.db.commit()
	yield email
	remove_desk_user(email)


# The report page of `arguments[0]` is shown and its run has ended in a table or in "Nothing to show".
RAN = """
const shown = (selector) => Array.from(document.querySelectorAll(selector)).some((e) => e.offsetParent !== null);
return !!(frappe.query_report && frappe.query_report.report_name === arguments[0]
	&& (shown(".dt-row") || shown(".msg-box img.null-state")));
"""


def test_every_report_opens_with_its_filters_and_runs(browser, desk_url, manager):
	desk = Desk(browser(1366, 900), desk_url, SCREENSHOTS, "reports")
	desk.login(manager, PASSWORD)
	for name, fieldnames in FILTERS.items():
		desk.open(f"query-report/{name}")
		desk.wait_for(lambda d, name=name: d.execute_script(RAN, name), f"{name} to run", 60)
		desk.wait_idle()
		shown = desk.js("return frappe.query_report.filters.map((filter) => filter.df.fieldname)")
		assert tuple(shown) == fieldnames, name
		# the shared formatter (bold total row, drill-down links) is the report's
		assert desk.js(
			"return frappe.query_reports[arguments[0]].formatter === cims_app.reports.formatter", name
		)
		assert not desk.severe_console_errors(), name
