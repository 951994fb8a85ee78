"""Campaign metrics against hand-computed values, kept in step with members and opportunities; Excel and PDF."""

import functools
import http.server
import io
import threading
from decimal import Decimal

import frappe
import pytest
from openpyxl import load_workbook

from cims_app.campaigns import members as campaigns
from tests.integration.campaign_support import (
	add_member,
	delete_campaigns_and_customers,
	make_campaign,
	make_won_opportunity,
	members_of,
)
from tests.integration.support import hard_delete, make_customer

pytestmark = pytest.mark.integration

METRICS = ["participants", "conversions", "conversion_rate", "revenue", "roi", "cost_per_participant"]


def _metrics(campaign):
	values = frappe.db.get_value("CIMS Campaign", campaign.name, METRICS, as_dict=True)
	return {
		k: (Decimal(str(v)).quantize(Decimal("0.01")) if k not in ("participants", "conversions") else v)
		for k, v in values.items()
	}


@pytest.fixture
def scenario():
	"""Budget 80,000 + 40,000; five members of whom four attend; won: A 200,000 and B 100,000 as members,
	E 50,000 without being a member; C open, D lost, A also won 70,000 for another campaign."""
	campaign = make_campaign(budget=[80000, 40000])
	other = make_campaign()
	a, b, c, d, e, f = (make_customer() for _ in range(6))
	for customer in (a, b, c, d):
		add_member(campaign, customer, status="Attended")
	add_member(campaign, f)
	make_won_opportunity(a, campaign, 200000)
	make_won_opportunity(b, campaign, 100000)
	make_won_opportunity(e, campaign, 50000)
	make_won_opportunity(c, campaign, 0, status="In Progress", expected_amount=90000)
	make_won_opportunity(d, campaign, 0, status="Lost", lost_reason="预算不足")
	make_won_opportunity(a, other, 70000)
	return frappe._dict(campaign=campaign, other=other, a=a, b=b, c=c, d=d, e=e, f=f)


def test_metrics_match_hand_computed_values(scenario):
	assert _metrics(scenario.campaign) == {
		"participants": 4,
		"conversions": 3,  # won opportunities attributed to the campaign
		"conversion_rate": Decimal("75.00"),  # 3 / 4
		"revenue": Decimal("350000.00"),  # 200,000 + 100,000 + 50,000
		"roi": Decimal("2.92"),  # 350,000 / 120,000
		"cost_per_participant": Decimal("30000.00"),  # 120,000 / 4
	}
	assert frappe.db.get_value("CIMS Campaign", scenario.campaign.name, "total_budget") == 120000


def test_member_conversion_follows_won_opportunities_of_that_customer_for_that_campaign(scenario):
	members = members_of(scenario.campaign)
	assert (members[scenario.a.name].converted, members[scenario.a.name].conversion_amount) == (1, 200000)
	assert (members[scenario.b.name].converted, members[scenario.b.name].conversion_amount) == (1, 100000)
	assert not members[scenario.c.name].converted and not members[scenario.d.name].converted


def test_changing_a_won_amount_or_moving_an_opportunity_refreshes_both_campaigns(scenario):
	opportunity = frappe.get_doc(
		"CIMS Opportunity", {"customer": scenario.b.name, "campaign": scenario.campaign.name}
	)
	opportunity.won_amount = 160000
	opportunity.save()
	assert _metrics(scenario.campaign)["revenue"] == Decimal("410000.00")
	assert _metrics(scenario.campaign)["roi"] == Decimal("3.42")
	assert members_of(scenario.campaign)[scenario.b.name].conversion_amount == 160000

	opportunity.campaign = scenario.other.name
	opportunity.save()

	assert _metrics(scenario.campaign)["conversions"] == 2
	assert _metrics(scenario.campaign)["revenue"] == Decimal("250000.00")
	assert _metrics(scenario.other)["revenue"] == Decimal("230000.00")
	assert not members_of(scenario.campaign)[scenario.b.name].converted


def test_an_opportunity_won_later_converts_the_member(scenario):
	opportunity = frappe.get_doc(
		"CIMS Opportunity", {"customer": scenario.c.name, "campaign": scenario.campaign.name}
	)
	opportunity.status, opportunity.won_amount = "Won", 30000
	opportunity.save()

	member = members_of(scenario.campaign)[scenario.c.name]
	assert (member.converted, member.conversion_amount) == (1, 30000)
	assert _metrics(scenario.campaign)["conversions"] == 4
	assert _metrics(scenario.campaign)["conversion_rate"] == Decimal("100.00")


def test_deleting_an_opportunity_takes_it_out_of_the_metrics(scenario):
	hooks = frappe.get_hooks("doc_events")["CIMS Opportunity"]
	assert "cims_app.campaigns.members.on_opportunity_trash" in hooks["on_trash"]
	opportunity = frappe.get_doc(
		"CIMS Opportunity", {"customer": scenario.a.name, "campaign": scenario.campaign.name}
	)

	campaigns.on_opportunity_trash(opportunity)  # the hook, run while the row still exists
	hard_delete("CIMS Opportunity", opportunity.name)

	assert _metrics(scenario.campaign)["revenue"] == Decimal("150000.00")
	assert not members_of(scenario.campaign)[scenario.a.name].converted


def test_attendance_changes_refresh_participants_and_cost_per_participant(scenario):
	late = frappe.get_doc("CIMS Campaign Member", members_of(scenario.campaign)[scenario.f.name].name)
	late.status = "Attended"
	late.save()
	assert late.checked_in_at, "marking attended by hand records the time"
	assert _metrics(scenario.campaign)["participants"] == 5
	assert _metrics(scenario.campaign)["cost_per_participant"] == Decimal("24000.00")

	frappe.delete_doc("CIMS Campaign Member", late.name)
	assert _metrics(scenario.campaign)["participants"] == 4


def test_saving_a_stale_campaign_form_does_not_overwrite_metrics(scenario):
	stale = frappe.get_doc("CIMS Campaign", scenario.campaign.name)
	make_won_opportunity(scenario.f, scenario.campaign, 10000)

	stale.review = "<p>复盘</p>"
	stale.save()

	assert _metrics(scenario.campaign)["revenue"] == Decimal("360000.00")
	assert stale.revenue == 360000


def test_budget_change_recomputes_roi_on_save(scenario):
	campaign = frappe.get_doc("CIMS Campaign", scenario.campaign.name)
	campaign.append("budget_items", {"item": "追加", "amount": 55000})
	campaign.save()
	assert _metrics(scenario.campaign)["roi"] == Decimal("2.00")  # 350,000 / 175,000


def test_refresh_metrics_of_a_campaign_without_data_is_all_zero():
	campaign = make_campaign(budget=[1000])
	campaigns.refresh_metrics([campaign.name])
	assert set(_metrics(campaign).values()) == {0}


def test_excel_export_has_summary_and_members_with_formulas_neutralised(api, role_users):
	customers = [
		make_customer(
			customer_name=f'=HYPERLINK("http://evil"){frappe.generate_hash(length=6)}',
			customer_type="Individual",
		),
		make_customer(),
	]
	campaign = make_campaign(budget=[5000])
	add_member(campaign, customers[0], feedback="+cmd|' /C calc'!A0", status="Attended")
	add_member(campaign, customers[1], feedback="很好")
	frappe.db.commit()
	try:
		response = api("CIMS Marketing").get(
			"/api/method/cims_app.api.campaign.export_excel", campaign=campaign.name
		)
		assert response.status_code == 200, response.text[:300]
		book = load_workbook(io.BytesIO(response.content))
		summary, members = book.worksheets
		values = {row[0]: row[1] for row in summary.iter_rows(values_only=True)}
		assert values["Campaign Name"] == campaign.campaign_name
		assert values["Participants"] == 1 and values["Total Budget"] == 5000
		rows = list(members.iter_rows(values_only=True))
		header = rows[0]
		assert header[:2] == ("Customer", "Customer Name")
		by_name = {row[header.index("Customer")]: row for row in rows[1:]}
		evil = by_name[customers[0].name]
		assert evil[header.index("Customer Name")].startswith("'=HYPERLINK")
		assert evil[header.index("Feedback")] == "'+cmd|' /C calc'!A0"
		assert by_name[customers[1].name][header.index("Feedback")] == "很好"
		assert all(cell.data_type != "f" for row in members.iter_rows() for cell in row)

		denied = api("CIMS Sales Rep").get(
			"/api/method/cims_app.api.campaign.export_excel", campaign=campaign.name
		)
		assert denied.status_code == 403
	finally:
		frappe.db.rollback()
		delete_campaigns_and_customers([campaign.name], [c.name for c in customers])


@pytest.fixture
def assets_server(monkeypatch):
	"""wkhtmltopdf fetches the print CSS from the site's URL (/assets, which nginx serves in production):
	serve the bench's sites folder on a free port and make it the site's URL."""
	handler = functools.partial(
		http.server.SimpleHTTPRequestHandler, directory=frappe.utils.get_bench_path() + "/sites"
	)
	handler.log_message = lambda *args: None
	server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
	thread = threading.Thread(target=server.serve_forever, daemon=True)
	thread.start()
	monkeypatch.setitem(frappe.local.conf, "host_name", f"http://127.0.0.1:{server.server_port}")
	yield
	server.shutdown()
	server.server_close()


def test_campaign_report_print_format_renders_metrics_and_members_as_pdf(scenario, assets_server):
	assert frappe.db.get_value(
		"Print Format", "CIMS Campaign Report", ["standard", "module", "doc_type"]
	) == (
		"Yes",
		"CIMS App",
		"CIMS Campaign",
	)
	html = frappe.get_print("CIMS Campaign", scenario.campaign.name, print_format="CIMS Campaign Report")
	assert scenario.campaign.campaign_name in html
	assert scenario.a.customer_name in html and scenario.f.customer_name in html
	assert "350,000.00" in html and "75" in html
	pdf = frappe.get_print(
		"CIMS Campaign", scenario.campaign.name, print_format="CIMS Campaign Report", as_pdf=True
	)
	assert pdf[:5] == b"%PDF-"
