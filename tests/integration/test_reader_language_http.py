"""Over HTTP, as the Desk asks: each logged-in reader gets a customer's churn reasons in their language
from the REST resource (the form's document) and from the CIMS Churn Risk report."""

import json

import frappe
import frappe.share
import pytest

from cims_app.domain.churn import Reason, encode_reasons
from tests.integration.support import (
	PASSWORD,
	ApiClient,
	make_customer,
	make_login_user,
	remove_customers_and_their_records,
	remove_users,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def readers(base_url):
	"""An English and a Chinese sales rep reading one committed High-risk customer (cleaned up after)."""
	english = make_login_user("CIMS Sales Rep", prefix="cims-reader-en")
	chinese = make_login_user("CIMS Sales Rep", prefix="cims-reader-zh")
	frappe.db.set_value("User", english, "language", "en")
	frappe.db.set_value("User", chinese, "language", "zh")
	customer = make_customer(account_manager=english)
	reasons = (Reason("no_follow_up", (90, 30)), Reason("complaints", (2,)))
	frappe.db.set_value(
		"CIMS Customer",
		customer.name,
		{
			"lifecycle_stage": "Active Customer",
			"churn_risk": "High",
			"churn_risk_score": 75,
			"churn_reasons": encode_reasons(reasons),
		},
	)
	frappe.share.add_docshare(
		"CIMS Customer", customer.name, chinese, read=1, flags={"ignore_share_permission": True}
	)
	frappe.db.commit()
	yield frappe._dict(
		customer=customer.name,
		english=ApiClient(base_url, frappe.local.site).login(english, PASSWORD),
		chinese=ApiClient(base_url, frappe.local.site).login(chinese, PASSWORD),
	)
	frappe.db.rollback()
	frappe.db.delete("DocShare", {"share_name": customer.name})
	remove_customers_and_their_records([customer.name])
	remove_users([english, chinese])
	frappe.db.commit()


@pytest.mark.parametrize(
	("reader", "expected"),
	[
		("english", "No follow-up for 90 days (cadence 30 days)\n2 complaints in the last 90 days"),
		("chinese", "已 90 天未跟进（跟进周期 30 天）\n近 90 天有 2 次投诉"),
	],
)
def test_the_customer_resource_gives_the_reasons_in_the_readers_language(readers, reader, expected):
	response = readers[reader].get(f"/api/resource/CIMS Customer/{readers.customer}")
	assert response.status_code == 200, response.text
	data = response.json()["data"]
	assert data["churn_reason_text"] == expected
	assert data["churn_reasons"] == '[["no_follow_up", 90, 30], ["complaints", 2]]'


@pytest.mark.parametrize(
	("reader", "expected"),
	[
		("english", "No follow-up for 90 days (cadence 30 days); 2 complaints in the last 90 days"),
		("chinese", "已 90 天未跟进（跟进周期 30 天）; 近 90 天有 2 次投诉"),
	],
)
def test_the_churn_risk_report_gives_the_reasons_in_the_readers_language(readers, reader, expected):
	response = readers[reader].post(
		"/api/method/frappe.desk.query_report.run",
		{"report_name": "CIMS Churn Risk", "filters": json.dumps({"risk_level": "High"})},
	)
	assert response.status_code == 200, response.text
	rows = [row for row in response.json()["message"]["result"] if isinstance(row, dict)]
	assert [row["churn_reasons"] for row in rows if row.get("customer") == readers.customer] == [expected]
