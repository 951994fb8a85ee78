"""Guest check-in over HTTP: valid, wrong and reused tokens, closed campaigns, rate limit, concurrent scans."""

import random
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import frappe
import pytest
import requests
from frappe.utils import get_datetime

from tests.integration.campaign_support import committed_campaign, members_of

pytestmark = pytest.mark.integration

CHECK_IN = "/api/method/cims_app.api.campaign.check_in"


def _ip() -> str:
	"""A fresh client address per test: the rate limit counts per IP (frappe reads X-Forwarded-For)."""
	return "10.{}.{}.{}".format(*(random.randint(1, 254) for _ in range(3)))


def _scan(base_url, site, token, ip=None) -> requests.Response:
	return requests.get(
		f"{base_url}{CHECK_IN}",
		params={"token": token},
		headers={"Host": site, "X-Forwarded-For": ip or _ip(), "Accept-Language": "en"},
		timeout=60,
	)


def _outcome(response) -> str:
	match = re.search(r'data-check-in-result="([a-z_]+)"', response.text)
	return match.group(1) if match else ""


def _member(name):
	return frappe.db.get_value("CIMS Campaign Member", name, ["status", "checked_in_at"], as_dict=True)


def test_valid_token_checks_the_guest_in_on_a_phone_sized_page(base_url, site):
	with committed_campaign(2) as (campaign, members):
		customer, member = next(iter(members.items()))

		response = _scan(base_url, site, member.check_in_token)

		assert response.status_code == 200, response.text[:300]
		assert response.headers["Content-Type"].startswith("text/html")
		assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in response.text
		assert _outcome(response) == "checked_in"
		assert "You are checked in" in response.text
		assert frappe.db.get_value("CIMS Customer", customer, "customer_name") in response.text
		frappe.db.rollback()
		row = _member(member.name)
		assert row.status == "Attended" and row.checked_in_at
		assert frappe.db.get_value("CIMS Campaign", campaign.name, "participants") == 1


def test_reused_token_says_when_the_guest_already_checked_in(base_url, site):
	with committed_campaign(1) as (_campaign, members):
		member = next(iter(members.values()))
		assert _scan(base_url, site, member.check_in_token).status_code == 200
		frappe.db.rollback()
		first = get_datetime(_member(member.name).checked_in_at)

		again = _scan(base_url, site, member.check_in_token)

		assert again.status_code == 409
		assert _outcome(again) == "already_checked_in"
		assert f"already used to check in at {first:%H:%M}" in again.text
		frappe.db.rollback()
		assert get_datetime(_member(member.name).checked_in_at) == first, "the first check-in stands"


def test_wrong_token_says_the_code_is_unknown_and_changes_nothing(base_url, site):
	with committed_campaign(1) as (_campaign, members):
		member = next(iter(members.values()))

		response = _scan(base_url, site, member.check_in_token[:-2] + "xx")
		empty = _scan(base_url, site, "")

		assert response.status_code == 404 and empty.status_code == 404
		assert _outcome(response) == "unknown" and _outcome(empty) == "unknown"
		assert "not valid" in response.text
		assert "Already Checked In" not in response.text
		frappe.db.rollback()
		assert _member(member.name).checked_in_at is None


@pytest.mark.parametrize("path", [(), ("Announced", "Ongoing", "Completed"), ("Called Off",)])
def test_check_in_is_refused_unless_the_campaign_is_published_or_ongoing(base_url, site, path):
	with committed_campaign(1, status_path=path) as (_campaign, members):
		member = next(iter(members.values()))

		response = _scan(base_url, site, member.check_in_token)

		assert response.status_code == 403 and _outcome(response) == "closed"
		frappe.db.rollback()
		assert _member(member.name).checked_in_at is None


def test_check_in_works_while_the_campaign_is_ongoing(base_url, site):
	with committed_campaign(1, status_path=("Announced", "Ongoing")) as (_campaign, members):
		member = next(iter(members.values()))
		assert _outcome(_scan(base_url, site, member.check_in_token)) == "checked_in"


@pytest.fixture
def check_in_rate_limit():
	"""Set CIMS Settings.check_in_rate_limit (committed, for the web server) and restore it afterwards."""
	before = frappe.db.get_single_value("CIMS Settings", "check_in_rate_limit")

	def set_limit(value):
		frappe.db.set_single_value("CIMS Settings", "check_in_rate_limit", value)
		frappe.db.commit()

	yield set_limit
	set_limit(before)


def test_more_scans_per_minute_than_the_limit_get_http_429(base_url, site, check_in_rate_limit):
	check_in_rate_limit(3)
	ip = _ip()
	codes = [_scan(base_url, site, "no-such-token", ip=ip).status_code for _ in range(5)]
	other_device = _scan(base_url, site, "no-such-token").status_code

	assert codes[:3] == [404, 404, 404]
	assert codes[3:] == [429, 429]
	assert other_device == 404, "the limit is per IP"


def test_rate_limited_page_is_friendly_html(base_url, site, check_in_rate_limit):
	check_in_rate_limit(1)
	ip = _ip()
	_scan(base_url, site, "x", ip=ip)
	response = _scan(base_url, site, "x", ip=ip)
	assert response.status_code == 429
	assert _outcome(response) == "rate_limited" and "wait a minute" in response.text


def test_concurrent_scans_check_each_member_in_exactly_once(base_url, site):
	"""96 simultaneous scans at the web server (2 workers x 4 threads) for 6 members, most of them duplicates."""
	with committed_campaign(6) as (campaign, members):
		tokens = [m.check_in_token for m in members.values()]
		scans = [
			token for token, copies in zip(tokens, (40, 20, 12, 12, 8, 4), strict=True) for _ in range(copies)
		]
		random.Random(6).shuffle(scans)
		start = threading.Barrier(len(scans))

		def scan(token):
			start.wait()
			response = _scan(base_url, site, token)
			return token, response.status_code, _outcome(response)

		with ThreadPoolExecutor(max_workers=len(scans)) as pool:
			results = list(pool.map(scan, scans))

		assert not [r for r in results if r[1] >= 500], "no server errors"
		assert {(status, outcome) for _t, status, outcome in results} <= {
			(200, "checked_in"),
			(409, "already_checked_in"),
		}
		successes = Counter(token for token, status, _o in results if status == 200)
		assert successes == Counter(tokens), "exactly one successful check-in per member"
		frappe.db.rollback()
		rows = members_of(campaign)
		assert all(row.status == "Attended" and row.checked_in_at for row in rows.values())
		assert frappe.db.get_value("CIMS Campaign", campaign.name, "participants") == 6
