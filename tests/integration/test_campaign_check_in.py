"""Check-in over HTTP: the guest page of a QR code (a GET only shows it, the confirm button's POST or a staff
member's scan checks in), reused, wrong and closed codes, failed attempts throttled per address while valid
codes never are, the page in the guest's language, concurrent scans, and the Desk page's staff endpoint."""

import random
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import frappe
import pytest
import requests
from frappe.utils import get_datetime

from cims_app.campaigns.invitations import check_in_url
from tests.integration.campaign_support import committed_campaign, members_of
from tests.integration.support import PASSWORD, ApiClient, make_login_user, remove_users, valid_mobile

pytestmark = pytest.mark.integration

CHECK_IN = "/api/method/cims_app.api.campaign.check_in"
SCAN = "/api/method/cims_app.api.campaign.scan_check_in"


def _ip() -> str:
	"""A fresh client address per test: failed attempts count per IP (frappe reads X-Forwarded-For)."""
	return "10.{}.{}.{}".format(*(random.randint(1, 254) for _ in range(3)))


def _scan(base_url, site, token, ip=None, method="POST", session=None, language="en") -> requests.Response:
	"""A guest's request: POST is the confirm button of the guest page, GET what opening the link does."""
	headers = {"Host": site, "X-Forwarded-For": ip or _ip()}
	if language:
		headers["Accept-Language"] = language
	sender = session or requests
	if method == "GET":
		return sender.get(f"{base_url}{CHECK_IN}", params={"token": token}, headers=headers, timeout=60)
	return sender.post(f"{base_url}{CHECK_IN}", data={"token": token}, headers=headers, timeout=60)


def _outcome(response) -> str:
	match = re.search(r'data-check-in-result="([a-z_]+)"', response.text)
	return match.group(1) if match else ""


def _member(name):
	return frappe.db.get_value("CIMS Campaign Member", name, ["status", "checked_in_at"], as_dict=True)


def _first(members):
	return next(iter(members.values()))


# The guest page -----------------------------------------------------------------------------------


def test_anonymous_get_only_shows_the_guest_page_with_a_confirm_button(base_url, site):
	"""What a mail scanner or a chat app's link preview does to every link: nothing may change."""
	with committed_campaign(1) as (campaign, members):
		customer, member = next(iter(members.items()))

		for _preview in range(3):
			response = _scan(base_url, site, member.check_in_token, method="GET")

			assert response.status_code == 200, response.text[:300]
			assert _outcome(response) == "confirm"
			assert frappe.db.get_value("CIMS Customer", customer, "customer_name") in response.text
			assert campaign.campaign_name in response.text
		form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', response.text, re.S)
		assert form and form.group(1) == CHECK_IN
		assert f'name="token" value="{member.check_in_token}"' in form.group(2)
		assert "data-check-in-confirm" in form.group(2) and "Check In" in form.group(2)
		assert "csrf_token" not in form.group(2), "a guest has no session to protect"
		assert response.headers["Cache-Control"] == "no-store"
		frappe.db.rollback()
		row = _member(member.name)
		assert row.status == "Invited" and row.checked_in_at is None
		assert frappe.db.get_value("CIMS Campaign", campaign.name, "participants") == 0


def test_confirm_button_post_checks_the_guest_in_on_a_phone_sized_page(base_url, site):
	with committed_campaign(2) as (campaign, members):
		customer, member = next(iter(members.items()))

		response = _scan(base_url, site, member.check_in_token)

		assert response.status_code == 200, response.text[:300]
		assert response.headers["Content-Type"].startswith("text/html")
		assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in response.text
		assert _outcome(response) == "checked_in"
		assert "You are checked in" in response.text
		assert frappe.db.get_value("CIMS Customer", customer, "customer_name") in response.text
		assert "<form" not in response.text
		frappe.db.rollback()
		row = _member(member.name)
		assert row.status == "Attended" and row.checked_in_at
		assert frappe.db.get_value("CIMS Campaign", campaign.name, "participants") == 1


def test_reused_token_says_when_the_guest_already_checked_in(base_url, site):
	with committed_campaign(1) as (_campaign, members):
		member = _first(members)
		assert _scan(base_url, site, member.check_in_token).status_code == 200
		frappe.db.rollback()
		first = get_datetime(_member(member.name).checked_in_at)

		again = _scan(base_url, site, member.check_in_token)
		preview = _scan(base_url, site, member.check_in_token, method="GET")

		assert again.status_code == 409 and preview.status_code == 409
		assert _outcome(again) == "already_checked_in" == _outcome(preview)
		assert f"already used to check in at {first:%H:%M}" in again.text
		frappe.db.rollback()
		assert get_datetime(_member(member.name).checked_in_at) == first, "the first check-in stands"


def test_wrong_token_says_the_code_is_unknown_and_changes_nothing(base_url, site):
	with committed_campaign(1) as (_campaign, members):
		member = _first(members)
		ip = _ip()

		responses = [
			_scan(base_url, site, member.check_in_token[:-2] + "xx", ip=ip),
			_scan(base_url, site, "", ip=ip),
			_scan(base_url, site, member.check_in_token[:-2] + "xx", ip=ip, method="GET"),
		]

		assert [r.status_code for r in responses] == [404, 404, 404]
		assert {_outcome(r) for r in responses} == {"unknown"}
		assert "not valid" in responses[0].text
		assert "Already Checked In" not in responses[0].text
		frappe.db.rollback()
		assert _member(member.name).checked_in_at is None


@pytest.mark.parametrize("path", [(), ("Announced", "Ongoing", "Completed"), ("Called Off",)])
def test_check_in_is_refused_unless_the_campaign_is_published_or_ongoing(base_url, site, path):
	with committed_campaign(1, status_path=path) as (_campaign, members):
		member = _first(members)

		response = _scan(base_url, site, member.check_in_token)
		preview = _scan(base_url, site, member.check_in_token, method="GET")

		assert response.status_code == 403 and _outcome(response) == "closed"
		assert preview.status_code == 403 and "<form" not in preview.text
		frappe.db.rollback()
		assert _member(member.name).checked_in_at is None


def test_check_in_works_while_the_campaign_is_ongoing(base_url, site):
	with committed_campaign(1, status_path=("Announced", "Ongoing")) as (_campaign, members):
		member = _first(members)
		assert _outcome(_scan(base_url, site, member.check_in_token)) == "checked_in"


# Staff opening a guest's link -----------------------------------------------------------------------


@pytest.fixture
def users(site):
	"""Logged-in HTTP sessions of a marketer, a rep on the campaign's team and a rep who is not (committed)."""
	made = {
		"marketing": make_login_user("CIMS Marketing", prefix="cims-checkin"),
		"team": make_login_user("CIMS Sales Rep", prefix="cims-checkin"),
		"outsider": make_login_user("CIMS Sales Rep", prefix="cims-checkin"),
	}
	frappe.db.commit()
	yield made
	frappe.db.rollback()
	remove_users(made.values())
	frappe.db.commit()


def _logged_in(base_url, site, user) -> requests.Session:
	return ApiClient(base_url, site).login(user, PASSWORD).session


def test_staff_opening_a_guests_link_checks_the_guest_in_at_once(base_url, site, users):
	with committed_campaign(3, team=[{"user": users["team"]}]) as (_campaign, members):
		by_marketing, by_team, by_outsider = members.values()

		def open_link(member, user, session=None):
			session = session or _logged_in(base_url, site, users[user])
			return _scan(base_url, site, member.check_in_token, method="GET", session=session)

		marketing = open_link(by_marketing, "marketing")
		team = open_link(by_team, "team")
		outsider_session = _logged_in(base_url, site, users["outsider"])
		outsider = open_link(by_outsider, "outsider", outsider_session)

		assert (marketing.status_code, _outcome(marketing)) == (200, "checked_in")
		assert (team.status_code, _outcome(team)) == (200, "checked_in")
		assert (outsider.status_code, _outcome(outsider)) == (200, "confirm"), "no right: the guest's page"
		frappe.db.rollback()
		assert _member(by_marketing.name).status == "Attended"
		assert _member(by_team.name).status == "Attended"
		assert _member(by_outsider.name).checked_in_at is None

		# The logged-in user's confirm button posts with their session's CSRF token.
		csrf = re.search(r'name="csrf_token" value="([^"]+)"', outsider.text)
		assert csrf, "a logged-in user's form carries the CSRF token"
		headers = {"Host": site, "X-Forwarded-For": _ip(), "Accept-Language": "en"}
		without = outsider_session.post(
			f"{base_url}{CHECK_IN}", data={"token": by_outsider.check_in_token}, headers=headers
		)
		confirmed = outsider_session.post(
			f"{base_url}{CHECK_IN}",
			data={"token": by_outsider.check_in_token, "csrf_token": csrf.group(1)},
			headers=headers,
		)
		assert without.status_code == 400, "a forged POST without the session's token is refused"
		assert (confirmed.status_code, _outcome(confirmed)) == (200, "checked_in")


# Failed attempts, and a venue's shared address ------------------------------------------------------


@pytest.fixture
def check_in_rate_limit():
	"""Set CIMS Settings.check_in_rate_limit (committed, for the web server) and restore it afterwards."""
	before = frappe.db.get_single_value("CIMS Settings", "check_in_rate_limit")

	def set_limit(value):
		frappe.db.set_single_value("CIMS Settings", "check_in_rate_limit", value)
		frappe.db.commit()

	yield set_limit
	set_limit(before)


def test_a_venue_checks_in_60_guests_from_one_address_within_a_minute(base_url, site, check_in_rate_limit):
	check_in_rate_limit(30)
	venue = _ip()
	with committed_campaign(60) as (campaign, members):
		tokens = [m.check_in_token for m in members.values()]

		with ThreadPoolExecutor(max_workers=6) as pool:
			responses = list(pool.map(lambda token: _scan(base_url, site, token, ip=venue), tokens))

		assert Counter(r.status_code for r in responses) == Counter({200: 60})
		frappe.db.rollback()
		assert frappe.db.get_value("CIMS Campaign", campaign.name, "participants") == 60


def test_unknown_codes_are_throttled_per_address_but_valid_codes_never_are(
	base_url, site, check_in_rate_limit
):
	check_in_rate_limit(3)
	ip = _ip()
	with committed_campaign(2) as (_campaign, members):
		first, second = members.values()

		codes = [_scan(base_url, site, "no-such-token", ip=ip).status_code for _ in range(5)]
		valid_while_throttled = _scan(base_url, site, first.check_in_token, ip=ip)
		preview_while_throttled = _scan(base_url, site, second.check_in_token, ip=ip, method="GET")
		still_throttled = _scan(base_url, site, "no-such-token", ip=ip)
		other_device = _scan(base_url, site, "no-such-token").status_code

		assert codes == [404, 404, 404, 429, 429]
		assert (valid_while_throttled.status_code, _outcome(valid_while_throttled)) == (200, "checked_in")
		assert (preview_while_throttled.status_code, _outcome(preview_while_throttled)) == (200, "confirm")
		assert still_throttled.status_code == 429
		assert _outcome(still_throttled) == "rate_limited" and "wait a minute" in still_throttled.text
		assert other_device == 404, "the limit is per IP"


# The guest's language -----------------------------------------------------------------------------


@pytest.fixture
def chinese_site():
	"""The site's language set to Chinese (committed for the web server), restored afterwards."""
	before = frappe.db.get_single_value("System Settings", "language"), frappe.db.get_default("lang")
	frappe.db.set_single_value("System Settings", "language", "zh")
	frappe.db.set_default("lang", "zh")
	frappe.db.commit()
	yield
	frappe.db.set_single_value("System Settings", "language", before[0])
	frappe.db.set_default("lang", before[1])
	frappe.db.commit()


def test_guest_page_is_in_the_sites_language_on_a_chinese_site(base_url, site, chinese_site):
	with committed_campaign(1) as (_campaign, members):
		member = _first(members)

		preview = _scan(base_url, site, member.check_in_token, method="GET", language=None)
		done = _scan(base_url, site, member.check_in_token, language=None)
		unknown = _scan(base_url, site, "no-such-token", language=None)
		english_phone = _scan(base_url, site, member.check_in_token, method="GET", language="en-US,en;q=0.9")

		assert '<html lang="zh">' in preview.text
		assert "<title>确认签到</title>" in preview.text and ">签到</button>" in preview.text
		assert '<html lang="zh">' in done.text and "<title>签到成功</title>" in done.text
		assert "签到成功" in done.text and "Checked In" not in done.text
		assert "<title>无效的签到码</title>" in unknown.text
		assert '<html lang="en' in english_phone.text, "the phone's language (en or en-US)"
		assert "<title>Already Checked In</title>" in english_phone.text


def test_guest_page_follows_a_chinese_phone_on_an_english_site(base_url, site):
	with committed_campaign(1) as (_campaign, members):
		response = _scan(
			base_url, site, _first(members).check_in_token, method="GET", language="zh-CN,zh;q=0.9,en;q=0.8"
		)
		assert '<html lang="zh">' in response.text and "<title>确认签到</title>" in response.text


# Concurrency ----------------------------------------------------------------------------------------


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


# The Desk page's endpoint -----------------------------------------------------------------------------


def test_staff_scans_codes_links_and_mobile_numbers_from_the_desk_page(base_url, site, users):
	mobile = valid_mobile()
	with (
		committed_campaign(4) as (campaign, members),
		committed_campaign(1) as (other_campaign, other_members),
	):
		by_token, by_link, by_mobile, _rest = members.values()
		frappe.db.set_value("CIMS Customer", by_mobile.customer, "mobile_no", mobile)
		frappe.db.commit()
		marketer = ApiClient(base_url, site).login(users["marketing"], PASSWORD)

		def scan(code):
			response = marketer.post(SCAN, {"campaign": campaign.name, "code": code})
			assert response.status_code == 200, response.text[:300]
			return response.json()["message"]

		token = scan(by_token.check_in_token)
		link = scan(check_in_url(by_link.check_in_token))
		phone = scan(f"+86 {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}")
		again = scan(by_token.check_in_token)
		unknown = scan("not-a-code")
		elsewhere = scan(_first(other_members).check_in_token)

		name = frappe.db.get_value("CIMS Customer", by_token.customer, "customer_name")
		assert token["outcome"] == "checked_in" and token["guest_name"] == name
		assert re.fullmatch(r"Checked in at \d\d:\d\d", token["message"])
		assert link["outcome"] == "checked_in" and link["member"] == by_link.name
		assert phone["outcome"] == "checked_in" and phone["member"] == by_mobile.name
		assert again["outcome"] == "already_checked_in"
		assert again["message"] == f"Already checked in at {token['checked_in_at']}"
		assert unknown["outcome"] == "unknown" and unknown["message"] == "Unknown check-in code"
		assert (
			elsewhere["outcome"] == "other_campaign" and other_campaign.campaign_name in elsewhere["message"]
		)
		frappe.db.rollback()
		assert {r.name for r in members_of(campaign).values() if r.status == "Attended"} == {
			by_token.name,
			by_link.name,
			by_mobile.name,
		}
		assert _member(_first(other_members).name).checked_in_at is None

		campaigns = marketer.get("/api/method/cims_app.api.campaign.check_in_campaigns").json()["message"]
		assert campaign.name in {c["name"] for c in campaigns}


def test_only_the_campaigns_staff_check_guests_in_from_the_desk_page(base_url, site, users):
	with committed_campaign(1, team=[{"user": users["team"]}]) as (campaign, members):
		member = _first(members)
		outsider = ApiClient(base_url, site).login(users["outsider"], PASSWORD)
		team = ApiClient(base_url, site).login(users["team"], PASSWORD)

		refused = outsider.post(SCAN, {"campaign": campaign.name, "code": member.check_in_token})
		listed = outsider.get("/api/method/cims_app.api.campaign.check_in_campaigns").json()["message"]
		team_listed = team.get("/api/method/cims_app.api.campaign.check_in_campaigns").json()["message"]

		assert refused.status_code == 403
		assert campaign.name not in {c["name"] for c in listed}
		assert campaign.name in {c["name"] for c in team_listed}
		frappe.db.rollback()
		assert _member(member.name).checked_in_at is None
		accepted = team.post(SCAN, {"campaign": campaign.name, "code": member.check_in_token})
		assert accepted.json()["message"]["outcome"] == "checked_in"
