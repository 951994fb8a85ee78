"""Campaign invitations: an Email Template rendered per member through the Email Queue, SMS through the
framework's SMS Settings when configured, each with the member's own QR code and check-in link.

Idempotent: only members without `invited_on` are invited, and `invited_on` is set in the same
transaction as their queued emails, so re-publishing or re-running the job sends nothing twice.
"""

import io
from urllib.parse import quote

import frappe
import pyqrcode
from frappe import _
from frappe.utils import format_datetime, get_url, now_datetime
from PIL import Image

from cims_app.background import liveness
from cims_app.campaigns.members import lock_campaigns, new_check_in_token
from cims_app.domain.job_liveness import INVITATIONS_INTERRUPTED

# Up to this many pending members are invited inside the request; more go to a background job
# (each email costs ~0.1-0.2 s: the framework's CSS inlining and the pure-Python QR encoder).
INLINE_LIMIT = 20
# Each batch is committed with the campaign's heartbeat (every ~10-20 s: cims_app.background.liveness).
BATCH_SIZE = 100
CHECK_IN_METHOD = "/api/method/cims_app.api.campaign.check_in"
EMAIL_TEMPLATE = "cims_app/templates/campaign/invitation_email.html"
QR_FILENAME = "check-in-qr.png"
CAMPAIGN = "CIMS Campaign"
SENDING, SENT, INTERRUPTED = "Sending", "Sent", "Interrupted"


def check_in_url(token: str) -> str:
	return f"{get_url()}{CHECK_IN_METHOD}?token={quote(token, safe='')}"


def qr_code_png(data: str, scale: int = 6, border: int = 4) -> bytes:
	"""A PNG QR code of `data`: pyqrcode computes the modules, Pillow draws them (no pypng needed)."""
	modules = pyqrcode.create(data, error="M").code
	size = len(modules) + 2 * border
	image = Image.new("1", (size, size), 1)
	pixels = image.load()
	for y, line in enumerate(modules):
		for x, dark in enumerate(line):
			if dark:
				pixels[x + border, y + border] = 0
	image = image.resize((size * scale, size * scale), Image.NEAREST)
	buffer = io.BytesIO()
	image.save(buffer, format="PNG")
	return buffer.getvalue()


def send_invitations(campaign: str) -> dict:
	"""Invite every member not yet invited: inline for a small campaign, as a background job for a large one."""
	pending = frappe.db.count("CIMS Campaign Member", {"campaign": campaign, "invited_on": ("is", "not set")})
	if not pending:
		return {"pending": 0, "invited": 0}
	if pending > INLINE_LIMIT:
		if not claim_invitations(campaign):
			return {"pending": pending, "queued": True}  # the running job invites them
		frappe.db.set_value(
			CAMPAIGN,
			campaign,
			{"invitation_status": SENDING, "invitation_heartbeat": now_datetime(), "invitation_run_by": None},
			update_modified=False,
		)
		frappe.enqueue(
			"cims_app.campaigns.invitations.send_invitations_job",
			queue=liveness.job_queue(),
			timeout=3600,
			job_id=job_id(campaign),
			deduplicate=True,
			enqueue_after_commit=True,
			campaign=campaign,
		)
		return {"pending": pending, "queued": True}
	result = invite_pending_members(campaign)
	if frappe.db.get_value(CAMPAIGN, campaign, "invitation_status") == INTERRUPTED:
		frappe.db.set_value(CAMPAIGN, campaign, "invitation_status", SENT, update_modified=False)
	return result


def job_id(campaign: str) -> str:
	return f"cims-campaign-invitations::{frappe.local.site}::{campaign}"


def send_invitations_job(campaign: str) -> None:
	"""Background job: invite in batches, committing each batch with its members' invited_on and the
	campaign's heartbeat (cims_app.background.liveness finds the job that died with its worker)."""
	_beat(campaign, invitation_run_by=liveness.runner())
	frappe.db.commit()
	after = ""
	while True:
		result = invite_pending_members(campaign, limit=BATCH_SIZE, after=after)
		_beat(campaign)
		frappe.db.commit()
		if not result["last"]:
			break
		after = result["last"]
	frappe.db.set_value(CAMPAIGN, campaign, "invitation_status", SENT, update_modified=False)
	frappe.db.commit()


def _beat(campaign: str, **values) -> None:
	frappe.db.set_value(
		CAMPAIGN,
		campaign,
		{"invitation_status": SENDING, "invitation_heartbeat": now_datetime(), **values},
		update_modified=False,
	)


def uninvited_members(campaign: str) -> int:
	return frappe.db.count("CIMS Campaign Member", {"campaign": campaign, "invited_on": ("is", "not set")})


def check_invitations(campaign: str, commit: bool = True) -> bool:
	"""Mark the campaign's invitations Interrupted if their job died; whether they were marked."""
	fields = ["name", "invitation_status", "invitation_heartbeat", "invitation_run_by", "owner_user", "owner"]
	row, reason = liveness.dead_run(CAMPAIGN, campaign, fields, job_id(campaign), (SENDING,), "invitation_")
	if row is None:
		return False
	now = now_datetime()
	frappe.db.set_value(
		CAMPAIGN,
		campaign,
		{"invitation_status": INTERRUPTED, "invitations_interrupted_on": now},
		update_modified=False,
	)
	liveness.notify_owner(
		CAMPAIGN,
		campaign,
		row.owner_user or row.owner,
		INVITATIONS_INTERRUPTED,
		(campaign, uninvited_members(campaign), reason),
		now,
	)
	if commit:
		frappe.db.commit()
	return True


def find_interrupted_invitations() -> list[str]:
	"""The campaigns whose invitations are marked Interrupted now (each committed on its own)."""
	names = frappe.get_all(CAMPAIGN, filters={"invitation_status": SENDING}, pluck="name")
	return liveness.mark_each(names, check_invitations)


def _channels() -> tuple[bool, bool]:
	"""(email, sms): whether the site can queue email and has an SMS gateway."""
	from frappe.email.doctype.email_account.email_account import EmailAccount

	email = bool(EmailAccount.find_outgoing())
	sms = bool(frappe.db.get_single_value("SMS Settings", "sms_gateway_url"))
	return email, sms


def _pending_members(campaign: str, limit: int | None, after: str) -> list:
	return frappe.db.sql(
		f"""
		SELECT m.name, m.customer, m.customer_name, m.contact, m.check_in_token,
			COALESCE(NULLIF(ct.email_id, ''), NULLIF(cu.email_id, '')) AS email_id,
			COALESCE(NULLIF(ct.mobile_no, ''), NULLIF(cu.mobile_no, '')) AS mobile_no,
			ct.first_name AS contact_first_name, ct.last_name AS contact_last_name
		FROM `tabCIMS Campaign Member` m
		JOIN `tabCIMS Customer` cu ON cu.name = m.customer
		LEFT JOIN `tabContact` ct ON ct.name = IFNULL(m.contact, cu.primary_contact)
		WHERE m.campaign = %(campaign)s AND m.invited_on IS NULL AND m.name > %(after)s
		ORDER BY m.name {"LIMIT %(limit)s" if limit else ""}
		""",
		{"campaign": campaign, "after": after, "limit": limit},
		as_dict=True,
	)


def invite_pending_members(campaign: str, limit: int | None = None, after: str = "") -> dict:
	"""Queue the invitation of each pending member (name > `after`, at most `limit`) and set invited_on."""
	lock_campaigns([campaign])
	members = _pending_members(campaign, limit, after)
	result = {"pending": len(members), "invited": 0, "emailed": 0, "texted": 0, "no_address": 0, "last": None}
	if not members:
		return result
	result["last"] = members[-1].name
	can_email, can_text = _channels()
	if not can_email and not can_text:
		frappe.msgprint(
			_("No outgoing email account or SMS gateway is set up: no invitations were sent."),
			title=_("Invitations Not Sent"),
			indicator="orange",
		)
		return result

	campaign_doc = frappe.get_doc("CIMS Campaign", campaign)
	template = _compiled_template(campaign_doc.invitation_template)
	invited, new_tokens = {}, {}
	for member in members:
		if not member.check_in_token:
			member.check_in_token = new_tokens[member.name] = new_check_in_token()
		context = _context(campaign_doc, member)
		sent = False
		if can_email and member.email_id:
			sent = _queue_email(template, context, member) or sent
			result["emailed"] += 1 if sent else 0
		if can_text and member.mobile_no and _send_sms(member.mobile_no, context):
			sent = True
			result["texted"] += 1
		if sent:
			invited[member.name] = {"invited_on": now_datetime()}
		else:
			result["no_address"] += 1
	for name, token in new_tokens.items():
		invited.setdefault(name, {})["check_in_token"] = token
	frappe.db.bulk_update("CIMS Campaign Member", invited)
	result["invited"] = sum(1 for values in invited.values() if values.get("invited_on"))
	return result


def _context(campaign_doc, member) -> dict:
	url = check_in_url(member.check_in_token)
	contact_name = " ".join(filter(None, [member.contact_first_name, member.contact_last_name]))
	campaign = campaign_doc.as_dict()
	return {
		"doc": member,
		"member": member,
		"campaign": campaign,
		"customer": frappe._dict(name=member.customer, customer_name=member.customer_name),
		"customer_name": member.customer_name,
		"contact_name": contact_name or member.customer_name,
		"campaign_name": campaign_doc.campaign_name,
		"start": format_datetime(campaign_doc.start_datetime) if campaign_doc.start_datetime else "",
		"end": format_datetime(campaign_doc.end_datetime) if campaign_doc.end_datetime else "",
		"location": campaign_doc.location or campaign_doc.platform or "",
		"check_in_url": url,
		"qr_code_cid": f"cims-qr-{member.name}",
	}


def _compiled_template(name: str | None):
	"""The Email Template's subject and body compiled once for the whole batch, or None for the default."""
	if not name:
		return None
	from frappe.utils.jinja import get_jenv

	template = frappe.get_cached_doc("Email Template", name)
	body = template.response_html if template.use_html else template.response
	for source in (template.subject, body):
		if ".__" in (source or ""):
			frappe.throw(_("The invitation template {0} may not use names containing '.__'").format(name))
	jenv = get_jenv()
	return frappe._dict(subject=jenv.from_string(template.subject or ""), body=jenv.from_string(body or ""))


def _queue_email(template, context: dict, member) -> bool:
	# Upper-case SRC: the framework rewrites every lower-case src that is not http(s) into a site URL,
	# which would break the cid: reference to the attached QR code (HTML attributes ignore case).
	context["qr_code"] = (
		f'<img SRC="cid:{context["qr_code_cid"]}" alt="{_("Check-in QR code")}" width="220" height="220">'
	)
	if template:
		subject = template.subject.render(context)
		body = template.body.render(context)
	else:
		subject = _("Invitation: {0}").format(context["campaign_name"])
		body = ""
	message = frappe.render_template(
		EMAIL_TEMPLATE,
		{**context, "body": body, "body_has_check_in": context["check_in_url"] in body},
	)
	queued = frappe.sendmail(
		recipients=[member.email_id],
		subject=subject,
		message=message,
		reference_doctype="CIMS Campaign Member",
		reference_name=member.name,
		attachments=[
			{
				"fname": QR_FILENAME,
				"fcontent": qr_code_png(context["check_in_url"]),
				"content_id": context["qr_code_cid"],
				"inline": True,
			}
		],
	)
	return bool(queued)


def _send_sms(mobile_no: str, context: dict) -> bool:
	from frappe.core.doctype.sms_settings.sms_settings import send_sms

	message = _("{0}: you are invited to {1} ({2}). Check in: {3}").format(
		context["contact_name"], context["campaign_name"], context["start"], context["check_in_url"]
	)
	try:
		send_sms([mobile_no], message, success_msg=False)
	except Exception:
		frappe.log_error(title=_("Campaign invitation SMS failed"), reference_doctype="CIMS Campaign Member")
		return False
	return True


def claim_invitations(campaign: str) -> bool:
	"""Before queueing the job: False while a job of the campaign's invitations is alive; a dead one is
	marked Interrupted and forgotten, so that the new job is queued (nobody is invited twice: only members
	without invited_on are)."""
	from cims_app.domain import job_liveness as rule

	status = frappe.db.get_value(CAMPAIGN, campaign, "invitation_status")  # no lock: a live job holds it
	if status == SENDING and not check_invitations(campaign, commit=False):
		return False
	if liveness.job_state(job_id(campaign)) in (rule.QUEUED, rule.RUNNING):
		return False
	liveness.clear_dead_job(job_id(campaign))
	return True


def continue_invitations(campaign: str) -> dict:
	"""Invite the members an interrupted job left (refused while a job of the campaign's invitations runs)."""
	if not claim_invitations(campaign):
		frappe.throw(
			_(
				"The invitations of campaign {0} are being sent ({1} members not invited yet): wait for them to finish"
			).format(campaign, uninvited_members(campaign)),
			title=_("Invitations Already Being Sent"),
		)
	return send_invitations(campaign)
