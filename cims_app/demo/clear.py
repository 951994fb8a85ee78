"""Remove demo data with set-based DELETEs: demo customers and everything hanging off them, demo campaigns,
demo sales teams and demo users.

Demo customers carry `data_source = "cims-demo"`; demo users have addresses @demo.cims.local; demo
campaigns and sales teams are the ones those users created or manage.
"""

import time
from collections.abc import Callable

import frappe
from frappe import _

from cims_app.demo import DEMO_DATA_SOURCE, DEMO_EMAIL_DOMAIN
from cims_app.demo.bulk import run_write

DEMO_CUSTOMERS = "SELECT name FROM `tabCIMS Customer` WHERE data_source = %(source)s"
DEMO_USERS = "SELECT name FROM `tabUser` WHERE name LIKE %(users)s"
DEMO_CAMPAIGNS = "SELECT name FROM `tabCIMS Campaign` WHERE owner IN (" + DEMO_USERS + ")"
DEMO_TEAMS = "SELECT name FROM `tabCIMS Sales Team` WHERE manager IN (" + DEMO_USERS + ")"
# Contacts linked to a demo customer and to nothing else: links to other records keep a contact alive.
DEMO_CONTACTS = """
	SELECT dl.parent FROM `tabDynamic Link` dl
	JOIN `tabCIMS Customer` c ON c.name = dl.link_name
	WHERE dl.parenttype = 'Contact' AND dl.link_doctype = 'CIMS Customer' AND c.data_source = %(source)s
	AND NOT EXISTS (
		SELECT 1 FROM `tabDynamic Link` other
		LEFT JOIN `tabCIMS Customer` oc ON other.link_doctype = 'CIMS Customer' AND oc.name = other.link_name
		WHERE other.parenttype = 'Contact' AND other.parent = dl.parent
		AND (oc.name IS NULL OR IFNULL(oc.data_source, '') != %(source)s)
	)
"""

# Records of other apps and of the framework that point at a document by (doctype column, name column).
REFERENCING_TABLES = (
	("Version", "ref_doctype", "docname"),
	("Comment", "reference_doctype", "reference_name"),
	("ToDo", "reference_type", "reference_name"),
	("Tag Link", "document_type", "document_name"),
	("CIMS Reminder Log", "reference_doctype", "reference_name"),
	("CIMS Approval Request", "reference_doctype", "reference_name"),
	("CIMS Stage Change", "reference_doctype", "reference_name"),
)
# How to find the demo documents of each DocType that others may reference.
DEMO_DOCUMENTS = {
	"CIMS Customer": DEMO_CUSTOMERS,
	"CIMS Follow-Up": "SELECT name FROM `tabCIMS Follow-Up` WHERE customer IN (" + DEMO_CUSTOMERS + ")",
	"CIMS Opportunity": "SELECT name FROM `tabCIMS Opportunity` WHERE customer IN (" + DEMO_CUSTOMERS + ")",
	"CIMS Campaign": DEMO_CAMPAIGNS,
}


def clear_demo_data(log: Callable[[str], None] = print) -> dict[str, int]:
	"""Delete all demo data in one transaction; return the number of rows deleted per table."""
	values = {"source": DEMO_DATA_SOURCE, "users": f"%@{DEMO_EMAIL_DOMAIN}"}
	deleted: dict[str, int] = {}
	started = time.perf_counter()

	def delete(label: str, query: str) -> None:
		step = time.perf_counter()
		count = run_write(query, values)
		deleted[label] = deleted.get(label, 0) + count
		if count:
			log(
				_("  {0}: {1} rows deleted in {2} s").format(
					label, count, f"{time.perf_counter() - step:.1f}"
				)
			)

	for table, doctype_column, name_column in REFERENCING_TABLES:
		if not frappe.db.table_exists(table):
			continue
		for doctype, names in DEMO_DOCUMENTS.items():
			delete(
				table,
				f"""DELETE FROM `tab{table}` WHERE `{doctype_column}` = '{doctype}'
				AND `{name_column}` IN (SELECT name FROM ({names}) demo)""",
			)
	delete(
		"CIMS Stage Change",
		"DELETE FROM `tabCIMS Stage Change` WHERE customer IN (SELECT name FROM ("
		+ DEMO_CUSTOMERS
		+ ") demo)",
	)

	for child in ("Contact Phone", "Contact Email"):
		delete(
			child, f"DELETE FROM `tab{child}` WHERE parenttype = 'Contact' AND parent IN ({DEMO_CONTACTS})"
		)
	delete("Contact", f"DELETE FROM `tabContact` WHERE name IN ({DEMO_CONTACTS})")
	delete(
		"Dynamic Link",
		"""DELETE dl FROM `tabDynamic Link` dl JOIN `tabCIMS Customer` c ON c.name = dl.link_name
		WHERE dl.link_doctype = 'CIMS Customer' AND c.data_source = %(source)s""",
	)

	delete(
		"CIMS Follow-Up",
		"""DELETE fu FROM `tabCIMS Follow-Up` fu JOIN `tabCIMS Customer` c ON c.name = fu.customer
		WHERE c.data_source = %(source)s""",
	)
	delete(
		"CIMS Opportunity Competitor",
		"""DELETE oc FROM `tabCIMS Opportunity Competitor` oc
		JOIN `tabCIMS Opportunity` o ON o.name = oc.parent AND oc.parenttype = 'CIMS Opportunity'
		JOIN `tabCIMS Customer` c ON c.name = o.customer
		WHERE c.data_source = %(source)s""",
	)
	delete(
		"CIMS Opportunity",
		"""DELETE o FROM `tabCIMS Opportunity` o JOIN `tabCIMS Customer` c ON c.name = o.customer
		WHERE c.data_source = %(source)s""",
	)
	delete(
		"CIMS Campaign Member",
		"""DELETE m FROM `tabCIMS Campaign Member` m JOIN `tabCIMS Customer` c ON c.name = m.customer
		WHERE c.data_source = %(source)s""",
	)
	delete("CIMS Customer", "DELETE FROM `tabCIMS Customer` WHERE data_source = %(source)s")

	# Demo campaigns: what stays (other customers' records) loses its link to them.
	delete(
		"CIMS Campaign Member",
		f"DELETE FROM `tabCIMS Campaign Member` WHERE campaign IN (SELECT name FROM ({DEMO_CAMPAIGNS}) demo)",
	)
	for doctype in ("CIMS Opportunity", "CIMS Follow-Up"):
		run_write(
			f"UPDATE `tab{doctype}` SET campaign = NULL WHERE campaign IN (SELECT name FROM ({DEMO_CAMPAIGNS}) demo)",
			values,
		)
	for child in (
		"CIMS Campaign Budget Item",
		"CIMS Campaign Agenda Item",
		"CIMS Campaign Team Member",
		"CIMS Campaign Target Tag",
	):
		delete(
			child,
			f"""DELETE FROM `tab{child}` WHERE parenttype = 'CIMS Campaign'
			AND parent IN (SELECT name FROM ({DEMO_CAMPAIGNS}) demo)""",
		)
	delete(
		"CIMS Campaign",
		f"DELETE FROM `tabCIMS Campaign` WHERE name IN (SELECT name FROM ({DEMO_CAMPAIGNS}) demo)",
	)

	# Demo sales teams and users.
	if frappe.db.table_exists("CIMS Sales Target"):
		delete(
			"CIMS Sales Target",
			f"""DELETE FROM `tabCIMS Sales Target` WHERE user IN ({DEMO_USERS})
			OR sales_team IN (SELECT name FROM ({DEMO_TEAMS}) demo)""",
		)
	run_write(
		f"UPDATE `tabCIMS Customer` SET sales_team = NULL WHERE sales_team IN (SELECT name FROM ({DEMO_TEAMS}) demo)",
		values,
	)
	delete(
		"CIMS Sales Team Member",
		f"""DELETE FROM `tabCIMS Sales Team Member` WHERE parenttype = 'CIMS Sales Team'
		AND parent IN (SELECT name FROM ({DEMO_TEAMS}) demo)""",
	)
	delete(
		"CIMS Sales Team",
		f"DELETE FROM `tabCIMS Sales Team` WHERE name IN (SELECT name FROM ({DEMO_TEAMS}) demo)",
	)
	for doctype, column in (
		("CIMS Customer", "account_manager"),
		("CIMS Follow-Up", "assigned_to"),
		("CIMS Opportunity", "owner_user"),
		("CIMS Campaign", "owner_user"),
	):
		run_write(f"UPDATE `tab{doctype}` SET `{column}` = NULL WHERE `{column}` IN ({DEMO_USERS})", values)
	users = frappe.db.sql_list(DEMO_USERS, values)
	for user in users:
		frappe.delete_doc("User", user, ignore_permissions=True, force=True, delete_permanently=True)
	deleted["User"] = len(users)
	if users:
		log(_("  {0}: {1} rows deleted").format("User", len(users)))
	# The framework gives every user a contact and keeps it when the user goes.
	user_contacts = "SELECT name FROM `tabContact` WHERE email_id LIKE %(users)s"
	for child in ("Contact Phone", "Contact Email", "Dynamic Link"):
		delete(
			child,
			f"""DELETE FROM `tab{child}` WHERE parenttype = 'Contact'
			AND parent IN (SELECT name FROM ({user_contacts}) demo)""",
		)
	delete("Contact", f"DELETE FROM `tabContact` WHERE name IN (SELECT name FROM ({user_contacts}) demo)")
	frappe.db.commit()
	log(_("Demo data cleared in {0} s").format(f"{time.perf_counter() - started:.1f}"))
	return deleted
