"""Shared helpers of the integration tests: users per role, an HTTP client, record factories."""

import json
import random

import frappe
import requests
from frappe.utils.password import update_password

from cims_app.domain.identifiers import id_check_char, uscc_check_char

PASSWORD = "Cims-Test-Pass-2026!"
ROLES = [
	"CIMS Sales Rep",
	"CIMS Sales Manager",
	"CIMS Department Head",
	"CIMS Customer Service",
	"CIMS Marketing",
	"CIMS Data Analyst",
	"System Manager",
]
ROLE_USERS = {role: (f"cims-test-{role.lower().replace(' ', '-')}@example.com", PASSWORD) for role in ROLES}


def ensure_role_users() -> None:
	for role, (email, password) in ROLE_USERS.items():
		if not frappe.db.exists("User", email):
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": role,
					"send_welcome_email": 0,
					"user_type": "System User",
					"roles": [{"role": role}],
				}
			)
			user.flags.no_welcome_mail = True
			user.insert(ignore_permissions=True)
		update_password(email, password)
	frappe.db.commit()


def remove_role_users() -> None:
	frappe.set_user("Administrator")
	for email, _password in ROLE_USERS.values():
		if frappe.db.exists("User", email):
			frappe.delete_doc("User", email, ignore_permissions=True, force=True)
	frappe.db.commit()


class ApiClient:
	"""A logged-in session against the site's REST and RPC endpoints."""

	def __init__(self, base_url: str, site: str):
		self.base_url = base_url
		self.session = requests.Session()
		self.session.headers.update({"Host": site, "Accept": "application/json", "Accept-Language": "en"})

	def login(self, user: str, password: str) -> "ApiClient":
		response = self.session.post(f"{self.base_url}/api/method/login", data={"usr": user, "pwd": password})
		response.raise_for_status()
		return self

	def get(self, path: str, **params) -> requests.Response:
		return self.session.get(f"{self.base_url}{path}", params=params)

	def post(self, path: str, data: dict) -> requests.Response:
		return self.session.post(f"{self.base_url}{path}", json=data)

	def put(self, path: str, data: dict) -> requests.Response:
		return self.session.put(f"{self.base_url}{path}", json=data)

	def delete(self, path: str) -> requests.Response:
		return self.session.delete(f"{self.base_url}{path}")


def server_messages(response: requests.Response) -> str:
	"""The messages the Desk would show the user, joined."""
	body = response.json()
	messages = json.loads(body.get("_server_messages") or "[]")
	return " ".join(json.loads(m).get("message", "") for m in messages) or body.get("exception", "")


def unique_suffix() -> str:
	return frappe.generate_hash(length=8)


def valid_uscc(rng: random.Random | None = None) -> str:
	rng = rng or random.Random()
	alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	body = (
		"91"
		+ "".join(rng.choice("0123456789") for _ in range(6))
		+ "".join(rng.choice(alphabet) for _ in range(9))
	)
	return body + uscc_check_char(body)


def valid_id_number(birth: str = "19900307", rng: random.Random | None = None) -> str:
	rng = rng or random.Random()
	body = "110101" + birth + "".join(rng.choice("0123456789") for _ in range(3))
	return body + id_check_char(body)


def valid_mobile(rng: random.Random | None = None) -> str:
	rng = rng or random.Random()
	return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def make_customer(**values):
	"""Insert an enterprise customer with a unique name (not committed)."""
	doc = frappe.get_doc(
		{
			"doctype": "CIMS Customer",
			"customer_name": f"测试科技{unique_suffix()}有限公司",
			"customer_type": "Enterprise",
			**values,
		}
	)
	return doc.insert()


def hard_delete(doctype: str, names) -> None:
	"""Remove test records directly: the app refuses ordinary deletes of CIMS records."""
	names = [names] if isinstance(names, str) else list(names)
	if names:
		frappe.db.delete(doctype, {"name": ("in", names)})


# Users, teams and clean-up for the row-rule tests (permissions, lifecycle, approvals, assignment).


def make_login_user(roles, prefix: str = "cims-perm") -> str:
	"""An enabled system user with `roles` and the test password (committed by the caller)."""
	roles = [roles] if isinstance(roles, str) else list(roles)
	email = f"{prefix}-{unique_suffix()}@example.com"
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": roles[0] if roles else "User",
			"send_welcome_email": 0,
			"user_type": "System User",
			"roles": [{"role": role} for role in roles],
		}
	)
	user.flags.no_welcome_mail = True
	user.insert(ignore_permissions=True)
	frappe.utils.password.update_password(email, PASSWORD)
	return email


def make_sales_team(manager: str, members=(), **values) -> str:
	"""A CIMS Sales Team managed by `manager` with active `members` (not committed)."""
	return (
		frappe.get_doc(
			{
				"doctype": "CIMS Sales Team",
				"team_name": f"测试团队{unique_suffix()}",
				"manager": manager,
				"members": [{"user": member, "is_active": 1} for member in members],
				**values,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def remove_customers_and_their_records(customers) -> None:
	"""Hard-delete customers with everything hanging off them (test clean-up; deletes are approval-gated)."""
	customers = [customers] if isinstance(customers, str) else list(customers)
	if not customers:
		return
	follow_ups = frappe.get_all("CIMS Follow-Up", {"customer": ("in", customers)}, pluck="name")
	opportunities = frappe.get_all("CIMS Opportunity", {"customer": ("in", customers)}, pluck="name")
	records = customers + follow_ups + opportunities
	for doctype, field in (("Comment", "reference_name"), ("ToDo", "reference_name"), ("Version", "docname")):
		frappe.db.delete(doctype, {field: ("in", records)})
	events = frappe.get_all(
		"Event Participants", {"reference_docname": ("in", records), "parenttype": "Event"}, pluck="parent"
	)
	hard_delete("Event", events)
	frappe.db.delete("Event Participants", {"parent": ("in", events or [""])})
	frappe.db.delete("CIMS Opportunity Competitor", {"parent": ("in", opportunities or [""])})
	hard_delete("CIMS Follow-Up", follow_ups)
	hard_delete("CIMS Opportunity", opportunities)
	frappe.db.delete("CIMS Campaign Member", {"customer": ("in", customers)})
	frappe.db.delete("CIMS Stage Change", {"customer": ("in", customers)})
	frappe.db.delete("CIMS Approval Request", {"reference_name": ("in", records)})
	frappe.db.delete("__global_search", {"name": ("in", records)})
	for name in frappe.get_all("File", {"attached_to_name": ("in", records)}, pluck="name"):
		frappe.delete_doc("File", name, ignore_permissions=True, force=True)
	remove_contacts_of(customers)
	hard_delete("CIMS Customer", customers)


def remove_contacts_of(customers: list[str]) -> None:
	"""The customers' contacts (with their phones, e-mails and links), or only their links to these customers
	when a contact also belongs to someone else."""
	links = frappe.get_all(
		"Dynamic Link",
		{"parenttype": "Contact", "link_doctype": "CIMS Customer", "link_name": ("in", customers)},
		pluck="parent",
	)
	if not links:
		return
	shared = set(
		frappe.get_all(
			"Dynamic Link",
			{"parenttype": "Contact", "parent": ("in", links), "link_name": ("not in", customers)},
			pluck="parent",
		)
	)
	frappe.db.delete(
		"Dynamic Link",
		{"parenttype": "Contact", "link_doctype": "CIMS Customer", "link_name": ("in", customers)},
	)
	own = sorted(set(links) - shared)
	for child in ("Contact Phone", "Contact Email", "Dynamic Link"):
		frappe.db.delete(child, {"parenttype": "Contact", "parent": ("in", own or [""])})
	frappe.db.delete("__global_search", {"doctype": "Contact", "name": ("in", own or [""])})
	hard_delete("Contact", own)


def remove_users(users) -> None:
	for user in users:
		if frappe.db.exists("User", user):
			frappe.delete_doc("User", user, ignore_permissions=True, force=True)
