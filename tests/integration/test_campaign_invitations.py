"""Campaign status flow and invitations: Email Queue rows per member with their own QR code and check-in link."""

import io

import frappe
import pyqrcode
import pytest
from PIL import Image

import cims_app.campaigns.invitations as invitations
from cims_app.api import campaign as campaign_api
from tests.integration.campaign_support import (
	add_member,
	email_attachments,
	email_html,
	make_campaign,
	make_outgoing_email_account,
	members_of,
	set_status,
)
from tests.integration.support import ROLE_USERS, make_customer, server_messages, unique_suffix

pytestmark = pytest.mark.integration


@pytest.fixture
def emails_queue():
	"""A default outgoing Email Account inside the test's transaction, so frappe.sendmail queues."""
	make_outgoing_email_account()
	yield
	frappe.local.outgoing_email_account = {}


def _queued(member_names):
	return frappe.get_all(
		"Email Queue",
		{"reference_doctype": "CIMS Campaign Member", "reference_name": ("in", list(member_names) or [""])},
		["name", "reference_name"],
	)


def _email_customer(**values):
	return make_customer(email_id=f"guest{unique_suffix()}@example.com", **values)


@pytest.mark.parametrize(
	"path",
	[
		("Announced", "Ongoing", "Completed"),
		("Called Off",),
		("Announced", "Called Off"),
		("Announced", "Ongoing", "Called Off"),
	],
)
def test_campaign_moves_along_the_status_flow(path):
	campaign = set_status(make_campaign(), *path)
	assert frappe.db.get_value("CIMS Campaign", campaign.name, "status") == path[-1]


@pytest.mark.parametrize(
	"path, refused",
	[
		((), "Completed"),
		((), "Ongoing"),
		(("Announced",), "Planned"),
		(("Announced", "Ongoing", "Completed"), "Ongoing"),
		(("Called Off",), "Planned"),
		(("Announced", "Ongoing", "Completed"), "Called Off"),
	],
)
def test_other_status_moves_are_refused(path, refused):
	campaign = set_status(make_campaign(), *path)
	with pytest.raises(frappe.ValidationError, match="cannot move"):
		set_status(campaign, refused)


def test_new_campaign_cannot_start_past_planned():
	with pytest.raises(frappe.ValidationError):
		make_campaign(status="Ongoing")


def test_status_jump_is_refused_over_rest_for_marketing(api):
	campaign = make_campaign()
	frappe.db.commit()
	try:
		response = api("CIMS Marketing").put(
			f"/api/resource/CIMS%20Campaign/{campaign.name}", {"status": "Completed"}
		)
		assert response.status_code == 417, response.text[:300]
		assert "Planned" in server_messages(response) and "Completed" in server_messages(response)
		assert frappe.db.get_value("CIMS Campaign", campaign.name, "status") == "Planned"
	finally:
		frappe.db.delete("CIMS Campaign", campaign.name)
		frappe.db.commit()


def test_publishing_queues_one_invitation_per_member_with_its_check_in_link(emails_queue):
	with_email = [_email_customer() for _ in range(3)]
	without_email = make_customer()
	campaign = make_campaign()
	for customer in [*with_email, without_email]:
		add_member(campaign, customer)

	set_status(campaign, "Announced")

	members = members_of(campaign)
	queued = _queued(m.name for m in members.values())
	assert sorted(q.reference_name for q in queued) == sorted(members[c.name].name for c in with_email)
	for customer in with_email:
		member = members[customer.name]
		assert member.invited_on
		html = email_html(next(q.name for q in queued if q.reference_name == member.name))
		link = f"{frappe.utils.get_url()}/api/method/cims_app.api.campaign.check_in?token={member.check_in_token}"
		assert link in html
		assert f'src="cid:cims-qr-{member.name}"' in html, "the QR code is the attached image"
		recipient = frappe.db.get_value(
			"Email Queue Recipient",
			{"parent": next(q.name for q in queued if q.reference_name == member.name)},
			"recipient",
		)
		assert recipient == customer.email_id
	assert not members[without_email.name].invited_on, "nobody to send to: not invited"


def test_invitation_qr_code_encodes_the_members_check_in_link(emails_queue):
	customer = _email_customer()
	campaign = make_campaign()
	member = add_member(campaign, customer)
	set_status(campaign, "Announced")

	queue = _queued([member.name])[0]
	png = email_attachments(queue.name)[invitations.QR_FILENAME]
	image = Image.open(io.BytesIO(png)).convert("1")
	expected = pyqrcode.create(invitations.check_in_url(member.check_in_token), error="M").code
	scale, border = 6, 4
	assert image.size == ((len(expected) + 2 * border) * scale,) * 2
	read = [
		[
			int(image.getpixel(((x + border) * scale + 2, (y + border) * scale + 2)) == 0)
			for x in range(len(expected))
		]
		for y in range(len(expected))
	]
	assert read == expected


def test_republishing_or_sending_again_does_not_send_twice(emails_queue):
	customers = [_email_customer() for _ in range(2)]
	campaign = make_campaign()
	for customer in customers:
		add_member(campaign, customer)
	set_status(campaign, "Announced")
	members = [m.name for m in members_of(campaign).values()]
	first = {m: frappe.db.get_value("CIMS Campaign Member", m, "invited_on") for m in members}

	again = invitations.send_invitations(campaign.name)
	set_status(campaign, "Ongoing")

	assert again == {"pending": 0, "invited": 0}
	assert len(_queued(members)) == 2
	assert {m: frappe.db.get_value("CIMS Campaign Member", m, "invited_on") for m in members} == first


def test_email_template_is_rendered_with_member_customer_and_campaign(emails_queue):
	template = frappe.get_doc(
		{
			"doctype": "Email Template",
			"name": f"测试邀请{unique_suffix()}",
			"subject": "{{ campaign.campaign_name }} 邀请 {{ customer_name }}",
			"response": "<p>尊敬的{{ customer.customer_name }}：{{ campaign.location }}见。</p>"
			"<p>{{ qr_code }}</p><p><a href='{{ check_in_url }}'>签到</a></p>",
		}
	).insert()
	customer = _email_customer()
	campaign = make_campaign(invitation_template=template.name)
	member = add_member(campaign, customer)
	set_status(campaign, "Announced")

	queue = _queued([member.name])[0]
	html = email_html(queue.name)
	token = frappe.db.get_value("CIMS Campaign Member", member.name, "check_in_token")
	assert f"尊敬的{customer.customer_name}：上海国际会议中心见。" in html
	assert html.count(f"check_in?token={token}") == 1, "the template placed the link: no second copy"
	message = frappe.db.get_value("Email Queue", queue.name, "message")
	import email.header

	subject = str(
		email.header.make_header(email.header.decode_header(email.message_from_string(message)["Subject"]))
	)
	assert subject == f"{campaign.campaign_name} 邀请 {customer.customer_name}"


def test_customers_added_to_a_published_campaign_are_invited_at_once(emails_queue):
	campaign = set_status(make_campaign(), "Announced")
	customer = _email_customer()

	result = campaign_api.add_customers(campaign.name, [customer.name])

	assert result["added"] == 1 and result["invitations"]["invited"] == 1
	member = members_of(campaign)[customer.name]
	assert member.invited_on and len(_queued([member.name])) == 1


def test_large_campaign_invitations_run_as_a_background_job(emails_queue, monkeypatch):
	customers = [_email_customer() for _ in range(3)]
	campaign = make_campaign()
	for customer in customers:
		add_member(campaign, customer)
	jobs = []
	monkeypatch.setattr(invitations, "INLINE_LIMIT", 2)
	monkeypatch.setattr(invitations, "BATCH_SIZE", 2)
	monkeypatch.setattr(frappe, "enqueue", lambda method, **kwargs: jobs.append((method, kwargs)))

	set_status(campaign, "Announced")

	assert [job[0] for job in jobs] == ["cims_app.campaigns.invitations.send_invitations_job"]
	assert jobs[0][1]["deduplicate"] and jobs[0][1]["campaign"] == campaign.name
	assert not _queued(m.name for m in members_of(campaign).values()), "nothing sent inside the request"

	monkeypatch.setattr(frappe.db, "commit", lambda: None)  # the job commits per batch; the test rolls back
	invitations.send_invitations_job(campaign.name)
	members = members_of(campaign).values()
	assert all(m.invited_on for m in members)
	assert len(_queued(m.name for m in members)) == 3


def test_sms_invitation_goes_through_sms_settings_when_configured(emails_queue, monkeypatch):
	sent = []
	import frappe.core.doctype.sms_settings.sms_settings as sms_settings

	monkeypatch.setattr(
		sms_settings, "send_sms", lambda numbers, message, **kwargs: sent.append((numbers, message))
	)
	frappe.db.set_single_value("SMS Settings", "sms_gateway_url", "https://sms.example.com/send")
	customer = make_customer(mobile_no="13912345678")
	campaign = make_campaign()
	member = add_member(campaign, customer)

	set_status(campaign, "Announced")

	token = frappe.db.get_value("CIMS Campaign Member", member.name, "check_in_token")
	assert len(sent) == 1
	assert sent[0][0] == ["13912345678"]
	assert f"check_in?token={token}" in sent[0][1]
	assert frappe.db.get_value("CIMS Campaign Member", member.name, "invited_on")


def test_without_email_account_or_sms_nobody_is_marked_invited():
	frappe.local.outgoing_email_account = {}
	customer = _email_customer()
	campaign = make_campaign()
	member = add_member(campaign, customer)

	set_status(campaign, "Announced")

	assert not frappe.db.get_value("CIMS Campaign Member", member.name, "invited_on")
	assert not _queued([member.name])


def test_completing_a_campaign_marks_members_who_did_not_come_as_no_show():
	came, stayed_away = make_customer(), make_customer()
	campaign = make_campaign()
	add_member(campaign, came, status="Attended")
	add_member(campaign, stayed_away)

	set_status(campaign, "Announced", "Ongoing", "Completed")

	members = members_of(campaign)
	assert members[came.name].status == "Attended"
	assert members[stayed_away.name].status == "No-Show"
