"""Check-in at the door (SPEC §7): a member's QR code, the guest page it opens, staff scans, failed attempts.

- An anonymous GET of a check-in link only looks the member up (mail scanners and chat previews open
  every link); a POST from the guest page's button, or a GET by a staff member of the campaign (CIMS
  Marketing, System Manager, its owner or team), checks in.
- One conditional UPDATE checks a member in exactly once however many scans arrive at the same time; it
  touches only the member row, commits, then refreshes the campaign's metrics.
- Only failed attempts (unknown codes) count against an address, in a Redis window: a venue's guests
  share one address, and a valid code is never refused.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import frappe
from frappe import _
from frappe.utils import cint, format_time, now_datetime

from cims_app.campaigns.members import refresh_metrics
from cims_app.domain.campaign_rules import ATTENDED, CHECK_IN_OPEN_STATUSES, check_in_is_open
from cims_app.domain.contact_rules import normalise_mobile
from cims_app.domain.errors import RuleViolation
from cims_app.records.validation import get_setting

STAFF_ROLES = ("CIMS Marketing", "System Manager")
MAX_TOKEN_LENGTH = 140
FAILED_ATTEMPTS_WINDOW = 60  # seconds
DEFAULT_FAILED_ATTEMPTS_LIMIT = 30


@dataclass(frozen=True)
class CheckInResult:
	"""What a scan of a check-in code found or did.

	`outcome`: confirm (found, not yet checked in, nothing done), checked_in, already_checked_in, unknown,
	closed (the campaign is not open for check-in), other_campaign (a staff scan of another campaign's code),
	ambiguous (a mobile number of several members).
	"""

	outcome: str
	member: str | None = None
	campaign: str | None = None
	guest_name: str | None = None
	customer_name: str | None = None
	campaign_name: str | None = None
	campaign_status: str | None = None
	checked_in_at: datetime | None = None


_MEMBER_QUERY = """
	SELECT m.name, m.campaign, m.customer_name, m.checked_in_at, m.check_in_token,
		TRIM(CONCAT_WS(' ', ct.first_name, ct.last_name)) AS contact_name,
		c.campaign_name, c.status AS campaign_status
	FROM `tabCIMS Campaign Member` m
	JOIN `tabCIMS Campaign` c ON c.name = m.campaign
	LEFT JOIN `tabContact` ct ON ct.name = m.contact
	WHERE {condition}"""


def _clean_token(token) -> str:
	token = token.strip() if isinstance(token, str) else ""
	return token if len(token) <= MAX_TOKEN_LENGTH else ""


def _member_by_token(token: str):
	if not token:
		return None
	rows = frappe.db.sql(_MEMBER_QUERY.format(condition="m.check_in_token = %s"), token, as_dict=True)
	return rows[0] if rows else None


def _result(outcome: str, member, checked_in_at=None) -> CheckInResult:
	return CheckInResult(
		outcome,
		member=member.name,
		campaign=member.campaign,
		guest_name=member.contact_name or member.customer_name,
		customer_name=member.customer_name,
		campaign_name=member.campaign_name,
		campaign_status=member.campaign_status,
		checked_in_at=checked_in_at or member.checked_in_at,
	)


def look_up(token) -> CheckInResult:
	"""What the code would do, changing nothing: confirm, already_checked_in, closed or unknown."""
	member = _member_by_token(_clean_token(token))
	if not member:
		return CheckInResult("unknown")
	if not check_in_is_open(member.campaign_status):
		return _result("closed", member)
	return _result("already_checked_in" if member.checked_in_at else "confirm", member)


def check_in_member(token) -> CheckInResult:
	"""Check in the member holding `token`, exactly once however many scans arrive at the same time.

	One conditional UPDATE decides: only the request whose UPDATE changes the row (checked_in_at was empty)
	checks in; every other sees 0 affected rows and reports the time of the first check-in.
	"""
	token = _clean_token(token)
	member = _member_by_token(token)
	if not member:
		return CheckInResult("unknown")
	if not check_in_is_open(member.campaign_status):
		return _result("closed", member)
	if member.checked_in_at:
		return _result("already_checked_in", member)

	now = now_datetime()
	frappe.db.sql(
		"""UPDATE `tabCIMS Campaign Member` SET status = %(attended)s, checked_in_at = %(now)s, modified = %(now)s
		WHERE check_in_token = %(token)s AND checked_in_at IS NULL""",
		{"attended": ATTENDED, "now": now, "token": token},
	)
	if frappe.db._cursor.rowcount != 1:
		# Another scan won the race: read its committed time in a fresh transaction.
		frappe.db.rollback()
		first = frappe.db.get_value("CIMS Campaign Member", member.name, "checked_in_at")
		return _result("already_checked_in", member, checked_in_at=first)
	frappe.db.commit()
	refresh_metrics([member.campaign])
	frappe.db.commit()
	return _result("checked_in", member, checked_in_at=now)


# Staff -------------------------------------------------------------------------------------------


def is_check_in_staff(campaign: str, user: str | None = None) -> bool:
	"""CIMS Marketing and System Managers check guests in at any campaign; a campaign's owner and team at theirs."""
	user = user or frappe.session.user
	if user == "Guest":
		return False
	if set(STAFF_ROLES) & set(frappe.get_roles(user)):
		return True
	if frappe.db.get_value("CIMS Campaign", campaign, "owner_user") == user:
		return True
	return bool(
		frappe.db.exists(
			"CIMS Campaign Team Member", {"parenttype": "CIMS Campaign", "parent": campaign, "user": user}
		)
	)


def check_in_campaigns(user: str | None = None) -> list[dict]:
	"""The campaigns open for check-in that `user` may check guests in at, soonest first."""
	user = user or frappe.session.user
	campaigns = frappe.get_all(
		"CIMS Campaign",
		filters={"status": ("in", CHECK_IN_OPEN_STATUSES)},
		fields=["name", "campaign_name", "start_datetime", "location", "owner_user"],
		order_by="start_datetime asc, name asc",
		ignore_permissions=True,
	)
	if set(STAFF_ROLES) & set(frappe.get_roles(user)):
		return campaigns
	teams = set(
		frappe.get_all(
			"CIMS Campaign Team Member",
			filters={"parenttype": "CIMS Campaign", "user": user},
			pluck="parent",
			ignore_permissions=True,
		)
	)
	return [c for c in campaigns if c.owner_user == user or c.name in teams]


def token_in_code(code: str) -> str:
	"""The token in a scanned code: a check-in link (its `token` parameter) or the token itself."""
	code = (code or "").strip()
	if "token=" in code:
		tokens = parse_qs(urlsplit(code).query).get("token")
		return tokens[0].strip() if tokens else ""
	return code


def scan(campaign: str, code: str) -> CheckInResult:
	"""A staff member's scan at `campaign`'s door: a QR code (link or token), or a guest's mobile number."""
	token = token_in_code(code)
	member = _member_by_token(_clean_token(token))
	if not member:
		members = _members_by_mobile(campaign, code)
		if len(members) > 1:
			return CheckInResult("ambiguous", campaign=campaign)
		member = members[0] if members else None
	if not member:
		return CheckInResult("unknown", campaign=campaign)
	if member.campaign != campaign:
		return _result("other_campaign", member)
	return check_in_member(member.check_in_token)


def _members_by_mobile(campaign: str, code: str) -> list:
	try:
		mobile = normalise_mobile(code)
	except RuleViolation:
		return []
	if not mobile:
		return []
	return frappe.db.sql(
		_MEMBER_QUERY.format(
			condition="""m.campaign = %(campaign)s AND (ct.mobile_no = %(mobile)s
				OR m.customer IN (SELECT name FROM `tabCIMS Customer` WHERE mobile_no = %(mobile)s))"""
		),
		{"campaign": campaign, "mobile": mobile},
		as_dict=True,
	)


def describe(result: CheckInResult) -> dict:
	"""The scan's outcome as the Desk page shows it: translated status line and the guest's details."""
	at = format_time(result.checked_in_at, "HH:mm") if result.checked_in_at else ""
	messages = {
		"checked_in": _("Checked in at {0}").format(at),
		"already_checked_in": _("Already checked in at {0}").format(at),
		"unknown": _("Unknown check-in code"),
		"closed": _("Check-in is not open: the campaign is {0}").format(_(result.campaign_status or "")),
		"other_campaign": _("This code is for another campaign: {0}").format(result.campaign_name or ""),
		"ambiguous": _("Several guests have this mobile number: scan their QR code instead"),
	}
	return {
		"outcome": result.outcome,
		"message": messages[result.outcome],
		"member": result.member,
		"guest_name": result.guest_name,
		"customer_name": result.customer_name,
		"campaign_name": result.campaign_name,
		"checked_in_at": at,
	}


# Failed attempts ----------------------------------------------------------------------------------


def failed_attempts_limit() -> int:
	return cint(get_setting("check_in_rate_limit", DEFAULT_FAILED_ATTEMPTS_LIMIT)) or (
		DEFAULT_FAILED_ATTEMPTS_LIMIT
	)


def count_failed_attempt(address: str | None) -> bool:
	"""Count an unknown code from `address`; True while the address stays within the limit of its window."""
	key = frappe.cache.make_key(f"cims-check-in-failures:{address or 'unknown'}")
	pipe = frappe.cache.pipeline()
	pipe.set(key, 0, ex=FAILED_ATTEMPTS_WINDOW, nx=True)
	pipe.incr(key)
	_created, count = pipe.execute()
	return count <= failed_attempts_limit()
