"""Campaign endpoints: guest check-in by QR code, membership, invitations, engagement, export."""

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import cint, escape_html, format_time
from werkzeug.wrappers import Response

from cims_app import campaigns
from cims_app.campaign_invitations import send_invitations as queue_invitations
from cims_app.domain.campaign_rules import CHECK_IN_OPEN_STATUSES
from cims_app.validation import get_setting

CHECK_IN_PAGE = "cims_app/templates/campaign/check_in.html"
_HTTP_STATUS = {
	"checked_in": 200,
	"already_checked_in": 409,
	"unknown": 404,
	"closed": 403,
	"rate_limited": 429,
}


def _check_in_limit() -> int:
	return cint(get_setting("check_in_rate_limit", 30)) or 30


@rate_limit(limit=_check_in_limit, seconds=60)
def _count_check_in_attempt() -> None:
	"""Counts one attempt per IP and minute; raises RateLimitExceededError past CIMS Settings' limit."""


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
def check_in(token: str | None = None) -> Response:
	"""Check a guest in with the token of their QR code; answers with a phone-sized page."""
	try:
		_count_check_in_attempt()
	except frappe.RateLimitExceededError:
		frappe.clear_messages()
		return _check_in_page("rate_limited")
	result = campaigns.check_in_member(token)
	return _check_in_page(result.outcome, result)


def _check_in_page(outcome: str, result: campaigns.CheckInResult | None = None) -> Response:
	customer = escape_html(result.customer_name or "") if result else ""
	campaign = escape_html(result.campaign_name or "") if result else ""
	texts = {
		"checked_in": ("✓", _("Checked In"), _("Welcome, {0}! You are checked in.").format(customer)),
		"already_checked_in": (
			"!",
			_("Already Checked In"),
			_("This code was already used to check in at {0}.").format(
				format_time(result.checked_in_at, "HH:mm") if result and result.checked_in_at else ""
			),
		),
		"unknown": (
			"?",
			_("Unknown Check-In Code"),
			_("This check-in code is not valid. Please ask the event staff for help."),
		),
		"closed": (
			"×",
			_("Check-In Not Open"),
			_("Check-in is open only while the campaign is published or ongoing; it is {0}.").format(
				_(result.campaign_status) if result else ""
			),
		),
		"rate_limited": (
			"…",
			_("Too Many Attempts"),
			_("Too many check-in attempts from this device. Please wait a minute and try again."),
		),
	}
	mark, title, message = texts[outcome]
	html = frappe.render_template(
		CHECK_IN_PAGE,
		{
			"lang": frappe.local.lang or "en",
			"outcome": outcome,
			"mark": mark,
			"title": title,
			"message": message,
			"campaign_name": campaign if outcome != "unknown" else "",
		},
	)
	response = Response(html, status=_HTTP_STATUS[outcome], mimetype="text/html")
	response.headers["Cache-Control"] = "no-store"
	return response


@frappe.whitelist(methods=["POST"])
def add_target_customers(campaign: str) -> dict:
	"""Add the customers matching the campaign's target filters as members (existing members are skipped)."""
	_check_can_manage_members(campaign)
	added = campaigns.add_target_customers(campaign)
	return {"added": added, "invitations": _invite_if_open(campaign, added)}


@frappe.whitelist(methods=["POST"])
def add_customers(campaign: str, customers: list | str) -> dict:
	"""Add customers picked by hand as members (customers already in the campaign are skipped)."""
	_check_can_manage_members(campaign)
	added = campaigns.add_customers(campaign, frappe.parse_json(customers) or [])
	return {"added": added, "invitations": _invite_if_open(campaign, added)}


@frappe.whitelist(methods=["POST"])
def send_invitations(campaign: str) -> dict:
	"""Invite the members not yet invited (nothing is sent twice)."""
	_check_can_manage_members(campaign)
	return queue_invitations(campaign)


@frappe.whitelist(methods=["POST"])
def record_engagement(campaign: str, rows: list | str) -> dict:
	"""Bulk-set viewers' watch minutes, interactions, feedback and high intent (e.g. from a platform export)."""
	_check_can_manage_members(campaign)
	frappe.has_permission("CIMS Campaign Member", "write", throw=True)
	return campaigns.record_engagement(campaign, frappe.parse_json(rows) or [])


@frappe.whitelist(methods=["POST"])
def log_interaction(
	member: str,
	content: str | None = None,
	next_action: str | None = None,
	follow_up_type: str | None = None,
	status: str | None = None,
	customer_feedback: str | None = None,
	result: str | None = None,
	high_intent: int | str | None = None,
) -> str:
	"""Record a member's interaction as a follow-up of the campaign; returns the CIMS Follow-Up name."""
	frappe.has_permission("CIMS Campaign Member", "read", member, throw=True)
	return campaigns.log_interaction(
		member,
		{
			"content": content,
			"next_action": next_action,
			"follow_up_type": follow_up_type,
			"status": status,
			"customer_feedback": customer_feedback,
			"result": result,
			"high_intent": high_intent,
		},
	)


@frappe.whitelist(methods=["POST"])
def refresh_metrics(campaign: str) -> dict:
	frappe.has_permission("CIMS Campaign", "write", campaign, throw=True)
	campaigns.refresh_metrics([campaign])
	return frappe.db.get_value(
		"CIMS Campaign",
		campaign,
		["participants", "conversions", "conversion_rate", "revenue", "roi", "cost_per_participant"],
		as_dict=True,
	)


@frappe.whitelist()
def export_excel(campaign: str) -> None:
	"""Download the campaign summary and its member list as an .xlsx workbook."""
	from cims_app.campaign_export import campaign_workbook

	frappe.has_permission("CIMS Campaign", "export", campaign, throw=True)
	frappe.response["filename"] = f"{campaign}.xlsx"
	frappe.response["filecontent"] = campaign_workbook(campaign)
	frappe.response["type"] = "binary"


def _check_can_manage_members(campaign: str) -> None:
	frappe.has_permission("CIMS Campaign", "write", campaign, throw=True)
	frappe.has_permission("CIMS Campaign Member", "create", throw=True)


def _invite_if_open(campaign: str, added: int) -> dict | None:
	"""Members added to a campaign that is already out are invited at once."""
	if added and frappe.db.get_value("CIMS Campaign", campaign, "status") in CHECK_IN_OPEN_STATUSES:
		return queue_invitations(campaign)
	return None
