"""The customer form's own endpoints: the glance panel a rep reads first, and "Confirm information up to
date"."""

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime, nowdate, strip_html

from cims_app.access.permissions import can_read_personal_data
from cims_app.domain.customer_glance import contacts_to_call

CUSTOMER = "CIMS Customer"
FOLLOW_UP = "CIMS Follow-Up"
OPPORTUNITY = "CIMS Opportunity"
CLOSED_OPPORTUNITY_STATUSES = ("Won", "Lost")
GLANCE_CONTACTS = 3
GLANCE_OPPORTUNITIES = 5
EXCERPT_CHARS = 80
CUSTOMER_GLANCE_FIELDS = (
	"name",
	"customer_name",
	"customer_type",
	"lifecycle_stage",
	"value_tier",
	"churn_risk",
	"churn_risk_score",
	"last_follow_up_on",
	"next_follow_up_on",
	"account_manager",
	"in_public_pool",
	"primary_contact",
)
CONTACT_GLANCE_FIELDS = (
	"name",
	"full_name",
	"first_name",
	"designation",
	"mobile_no",
	"phone",
	"cims_wechat",
	"cims_contact_role",
	"cims_is_key_contact",
)


@frappe.whitelist()
def get_glance(customer: str) -> dict:
	"""What a rep reads first on a customer: who to call (contacts in calling order, with mobile and WeChat),
	stage, tier and churn risk with its reasons, the last and next follow-up, and the open opportunities with
	their amounts. Needs read access to the customer; contacts, follow-ups and opportunities come through
	their own row rules, and personal data only to users who may read it."""
	doc = frappe.get_doc(CUSTOMER, customer)
	doc.check_permission("read")
	summary = {field: doc.get(field) for field in CUSTOMER_GLANCE_FIELDS}
	summary["churn_reasons"] = doc.churn_reason_text  # in the reader's language
	summary["account_manager_name"] = (
		frappe.utils.get_fullname(doc.account_manager) if doc.account_manager else None
	)
	summary["contacts"] = _contacts(doc)
	summary["last_follow_up"] = _follow_up(
		customer, {"status": "Completed"}, "completed_on desc", "completed_on"
	)
	summary["next_follow_up"] = _follow_up(
		customer, {"status": "Planned"}, "scheduled_on asc", "scheduled_on"
	)
	summary.update(_open_opportunities(customer))
	return summary


def _contacts(doc) -> list[dict]:
	if not frappe.has_permission("Contact", "read"):
		return []
	contacts = frappe.get_list(
		"Contact",
		filters=[
			["Dynamic Link", "link_doctype", "=", CUSTOMER],
			["Dynamic Link", "link_name", "=", doc.name],
		],
		fields=list(CONTACT_GLANCE_FIELDS),
		order_by="`tabContact`.`modified` desc",
		limit_page_length=50,
	)
	chosen = contacts_to_call(contacts, doc.primary_contact, GLANCE_CONTACTS)
	if not can_read_personal_data():
		for contact in chosen:
			contact.mobile_no = contact.phone = None
	return chosen


def _follow_up(customer: str, filters: dict, order_by: str, when: str) -> dict | None:
	rows = frappe.get_list(
		FOLLOW_UP,
		filters={"customer": customer, **filters},
		fields=["name", "follow_up_type", "status", "result", "scheduled_on", "completed_on", "content"],
		order_by=order_by,
		limit_page_length=1,
	)
	if not rows:
		return None
	row = rows[0]
	row.when = row[when]
	row.overdue = (
		row.status == "Planned" and bool(row.scheduled_on) and get_datetime(row.scheduled_on) < now_datetime()
	)
	text = " ".join(strip_html(row.pop("content") or "").split())
	row.excerpt = text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"
	return row


def _open_opportunities(customer: str) -> dict:
	filters = {"customer": customer, "status": ("not in", CLOSED_OPPORTUNITY_STATUSES)}
	rows = frappe.get_list(
		OPPORTUNITY,
		filters=filters,
		fields=[
			"name",
			"opportunity_title",
			"sales_stage",
			"expected_amount",
			"weighted_amount",
			"probability",
			"expected_close_date",
		],
		order_by="expected_close_date is null, expected_close_date asc, modified desc",
		limit_page_length=GLANCE_OPPORTUNITIES,
	)
	totals = frappe.get_list(
		OPPORTUNITY,
		filters=filters,
		fields=["count(*) as count", "sum(expected_amount) as expected_amount"],
		order_by="",
	)[0]
	return {
		"open_opportunities": rows,
		"open_opportunity_count": totals.count or 0,
		"open_opportunity_amount": float(totals.expected_amount or 0),
	}


@frappe.whitelist(methods=["POST"])
def confirm_up_to_date(customer: str) -> dict:
	"""Record that the user checked the customer's data today (and its primary contact's details).

	Sets `last_maintained_on` to today on the customer and `cims_verified_on` / `cims_verified_by` on
	its primary contact, through the documents' own save so rules, hooks and Version history apply.
	Needs write permission on the customer and on the primary contact.
	"""
	frappe.has_permission(CUSTOMER, "write", customer, throw=True)
	contact_name = frappe.db.get_value(CUSTOMER, customer, "primary_contact")
	if contact_name:
		frappe.has_permission("Contact", "write", contact_name, throw=True)
		contact = frappe.get_doc("Contact", contact_name)
		contact.cims_verified_on = now_datetime()
		contact.cims_verified_by = frappe.session.user
		contact.save()

	doc = frappe.get_doc(CUSTOMER, customer)
	doc.last_maintained_on = nowdate()
	doc.save()
	message = (
		_("Information of {0} confirmed up to date, with its primary contact {1}").format(
			doc.customer_name, contact_name
		)
		if contact_name
		else _("Information of {0} confirmed up to date").format(doc.customer_name)
	)
	return {
		"customer": doc.name,
		"last_maintained_on": str(doc.last_maintained_on),
		"maintenance_due_on": str(doc.maintenance_due_on or ""),
		"primary_contact": contact_name,
		"message": message,
	}
