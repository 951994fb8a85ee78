"""Campaign endpoints: check-in by QR code (guest page and staff scans), membership, invitations, engagement,
export."""

import frappe
from frappe import _
from frappe.sessions import get_csrf_token
from frappe.translate import get_language
from frappe.utils import format_time
from werkzeug.wrappers import Response

from cims_app.campaigns import check_in as campaign_check_in
from cims_app.campaigns import members as campaigns
from cims_app.campaigns.invitations import CHECK_IN_METHOD
from cims_app.campaigns.invitations import send_invitations as queue_invitations
from cims_app.domain.campaign_rules import CHECK_IN_OPEN_STATUSES

CHECK_IN_PAGE = "cims_app/templates/campaign/check_in.html"
_HTTP_STATUS = {
	"confirm": 200,
	"checked_in": 200,
	"already_checked_in": 409,
	"unknown": 404,
	"closed": 403,
	"rate_limited": 429,
}


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
def check_in(token: str | None = None) -> Response:
	"""The page a member's QR code opens, phone-sized, in the guest's language.

	An anonymous GET only shows it, with a confirm button (link scanners and chat previews open every
	link); the button's POST checks in, and so does a GET by a staff member of the campaign. Unknown codes
	are counted per address and refused with 429 past CIMS Settings' limit; valid codes never are.
	"""
	if frappe.session.user == "Guest":
		# The framework picks a guest's language before it knows the request is a guest's (it falls back
		# to English); ask again: Accept-Language, the preferred_language cookie, then the site's language.
		frappe.local.lang = get_language()
	result = campaign_check_in.look_up(token)
	if result.outcome == "unknown":
		if not campaign_check_in.count_failed_attempt(frappe.local.request_ip):
			return _check_in_page("rate_limited", token)
		return _check_in_page("unknown", token)
	if result.outcome == "confirm" and (
		frappe.request.method == "POST" or campaign_check_in.is_check_in_staff(result.campaign)
	):
		result = campaign_check_in.check_in_member(token)
	return _check_in_page(result.outcome, token, result)


def _check_in_page(outcome: str, token, result: campaign_check_in.CheckInResult | None = None) -> Response:
	guest = (result.guest_name if result else "") or ""
	at = format_time(result.checked_in_at, "HH:mm") if result and result.checked_in_at else ""
	texts = {
		"confirm": ("?", _("Confirm Check-In"), _("Welcome, {0}! Tap the button below to check in.")),
		"checked_in": ("✓", _("Checked In"), _("Welcome, {0}! You are checked in.")),
		"already_checked_in": (
			"!",
			_("Already Checked In"),
			_("This code was already used to check in at {0}.").format(at),
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
			# The message's {0} is the guest's name: filled in after escaping the template's own text.
			"message_parts": message.split("{0}", 1),
			"guest_name": guest,
			"customer_name": result.customer_name if result and result.customer_name != guest else "",
			"campaign_name": result.campaign_name if result and outcome != "unknown" else "",
			"confirm": outcome == "confirm",
			"action": CHECK_IN_METHOD,
			"token": token if outcome == "confirm" else "",
			"confirm_label": _("Check In"),
			# A logged-in user's POST must carry their session's token; a guest has no session to protect.
			"csrf_token": get_csrf_token() if outcome == "confirm" and frappe.session.user != "Guest" else "",
		},
	)
	response = Response(html, status=_HTTP_STATUS[outcome], mimetype="text/html")
	response.headers["Cache-Control"] = "no-store"
	response.headers["X-Robots-Tag"] = "noindex"
	return response


@frappe.whitelist()
def check_in_campaigns() -> list[dict]:
	"""The campaigns open for check-in at which the user may check guests in (the Desk's check-in page)."""
	return [
		{"name": c.name, "campaign_name": c.campaign_name, "location": c.location, "start": c.start_datetime}
		for c in campaign_check_in.check_in_campaigns()
	]


@frappe.whitelist(methods=["POST"])
def scan_check_in(campaign: str, code: str) -> dict:
	"""Check in the guest whose QR code (check-in link or token) or mobile number staff scanned or typed."""
	if not campaign_check_in.is_check_in_staff(campaign):
		frappe.throw(
			_("Only the campaign's team and marketing staff check guests in."), frappe.PermissionError
		)
	return campaign_check_in.describe(campaign_check_in.scan(campaign, code))


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
def continue_invitations(campaign: str) -> dict:
	"""Continue invitations whose job was interrupted: the members not invited yet (nobody twice)."""
	from cims_app.campaigns.invitations import continue_invitations as continue_sending

	_check_can_manage_members(campaign)
	return continue_sending(campaign)


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
	from cims_app.campaigns.export import campaign_workbook

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
