"""Low-value leads: Potential customers without a completed follow-up for `low_value_lead_days` days are
flagged `low_value_lead` and tagged 低价值线索; the flag and tag go again once the rule no longer holds.
Each flag set or cleared is a Version row of the customer."""

import datetime

import frappe
from frappe.utils import getdate, nowdate

from cims_app.db.bulk_update import job_reference, record_versions
from cims_app.records.validation import get_setting

TAG = "低价值线索"
CUSTOMER = "CIMS Customer"

# Qualifies: a lead whose latest completed follow-up (or creation, when it has none) is old enough.
QUALIFIES = """c.lifecycle_stage = 'Potential Customer'
	AND DATE(COALESCE(c.last_follow_up_on, c.creation)) <= %(cutoff)s"""


def flag_low_value_leads() -> dict:
	"""Flag and tag new low-value leads, unflag and untag former ones; returns {"flagged": n, "cleared": n}."""
	days = int(get_setting("low_value_lead_days", 30))
	values = {"cutoff": getdate(nowdate()) - datetime.timedelta(days=days)}
	flagged = frappe.db.sql(
		f"SELECT c.name FROM `tabCIMS Customer` c WHERE IFNULL(c.low_value_lead, 0) = 0 AND {QUALIFIES}",
		values,
		pluck=True,
	)
	cleared = frappe.db.sql(
		f"SELECT c.name FROM `tabCIMS Customer` c WHERE c.low_value_lead = 1 AND NOT ({QUALIFIES})",
		values,
		pluck=True,
	)
	if flagged:
		frappe.db.sql(
			"UPDATE `tabCIMS Customer` SET low_value_lead = 1 WHERE name IN %(names)s",
			{"names": tuple(flagged)},
		)
		add_tag_to_all(CUSTOMER, flagged, TAG)
	if cleared:
		frappe.db.sql(
			"UPDATE `tabCIMS Customer` SET low_value_lead = 0 WHERE name IN %(names)s",
			{"names": tuple(cleared)},
		)
		remove_tag_from_all(CUSTOMER, cleared, TAG)
	record_versions(
		CUSTOMER,
		{
			**{name: {"low_value_lead": (0, 1)} for name in flagged},
			**{name: {"low_value_lead": (1, 0)} for name in cleared},
		},
		job_reference("cims_app.jobs.leads.flag_low_value_leads"),
	)
	return {"flagged": len(flagged), "cleared": len(cleared)}


def add_tag_to_all(doctype: str, names: list[str], tag: str) -> None:
	"""What frappe.desk.doctype.tag.tag.add_tag does for one document, for many: the `_user_tags` column and
	one Tag Link row each (named from a hash of the pair, so adding twice adds nothing)."""
	if not frappe.db.exists("Tag", tag):
		frappe.get_doc({"doctype": "Tag", "name": tag}).insert(ignore_permissions=True)
	values = {"names": tuple(names), "tag": tag, "doctype": doctype, "marker": f"%,{tag},%"}
	title_field = frappe.get_meta(doctype).title_field or "name"
	frappe.db.sql(
		f"""UPDATE `tab{doctype}`
		SET _user_tags = CONCAT(IFNULL(_user_tags, ''), ',', %(tag)s)
		WHERE name IN %(names)s AND CONCAT(IFNULL(_user_tags, ''), ',') NOT LIKE %(marker)s""",
		values,
	)
	frappe.db.sql(
		f"""INSERT IGNORE INTO `tabTag Link`
			(name, creation, modified, owner, modified_by, docstatus, idx, document_type, document_name, tag, title)
		SELECT LEFT(SHA1(CONCAT(%(doctype)s, '|', t.name, '|', %(tag)s)), 20), NOW(6), NOW(6),
			'Administrator', 'Administrator', 0, 0, %(doctype)s, t.name, %(tag)s, t.`{title_field}`
		FROM `tab{doctype}` t
		WHERE t.name IN %(names)s
			AND NOT EXISTS (
				SELECT 1 FROM `tabTag Link` l
				WHERE l.document_type = %(doctype)s AND l.document_name = t.name AND l.tag = %(tag)s
			)""",
		values,
	)


def remove_tag_from_all(doctype: str, names: list[str], tag: str) -> None:
	"""Take `tag` off many documents: their `_user_tags` and their Tag Link rows."""
	values = {"names": tuple(names), "tag": tag, "doctype": doctype, "wrapped": f",{tag},"}
	frappe.db.sql(
		f"""UPDATE `tab{doctype}`
		SET _user_tags = TRIM(TRAILING ',' FROM REPLACE(CONCAT(IFNULL(_user_tags, ''), ','), %(wrapped)s, ','))
		WHERE name IN %(names)s""",
		values,
	)
	frappe.db.sql(
		"""DELETE FROM `tabTag Link`
		WHERE document_type = %(doctype)s AND tag = %(tag)s AND document_name IN %(names)s""",
		values,
	)
