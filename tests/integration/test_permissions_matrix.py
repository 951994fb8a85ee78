"""Row-level and field-level rules (SPEC §4) as real users of each role see them over REST and RPC.

One committed world: rep R1 and its manager M1 (team A), rep R2 and manager M2 (team B); customers cA
(R1's), cB (R2's) and cP (public pool), each with follow-ups, opportunities, campaign members, stage
changes, contacts, approval requests and attachments. Every read path must show each role exactly the
rows of EXPECTED, and nothing of anyone else's.
"""

import csv
import io
import json
from types import SimpleNamespace
from urllib.parse import quote

import frappe
import pytest
from frappe.utils.global_search import sync_global_search, update_global_search

from cims_app.customers.lifecycle import move_customer_stage
from tests.integration.support import (
	hard_delete,
	make_customer,
	make_login_user,
	make_sales_team,
	remove_customers_and_their_records,
	remove_users,
	server_messages,
	unique_suffix,
	valid_mobile,
)

pytestmark = pytest.mark.integration

REP, MANAGER, HEAD, SERVICE, MARKETING, ANALYST, ADMIN = (
	"CIMS Sales Rep",
	"CIMS Sales Manager",
	"CIMS Department Head",
	"CIMS Customer Service",
	"CIMS Marketing",
	"CIMS Data Analyst",
	"System Manager",
)
ROLES = (REP, MANAGER, HEAD, SERVICE, MARKETING, ANALYST, ADMIN)
EVERYONE = set(ROLES)

# doctype -> key of a world record -> roles that may read it.
EXPECTED = {
	"CIMS Customer": {
		"cA": EVERYONE,
		"cB": EVERYONE - {REP, MANAGER},
		"cP": EVERYONE,
	},
	"CIMS Follow-Up": {
		"fA": {REP, MANAGER, HEAD, SERVICE, ANALYST, ADMIN},
		"fB": {HEAD, SERVICE, ANALYST, ADMIN, MARKETING},  # fB is a campaign interaction
		"fX": {REP, HEAD, SERVICE, ANALYST, ADMIN},  # on cB, assigned to R1
	},
	"CIMS Opportunity": {
		"oA": {REP, MANAGER, HEAD, SERVICE, ANALYST, ADMIN},
		"oB": {HEAD, SERVICE, ANALYST, ADMIN, MARKETING},  # attributed to the campaign
	},
	"CIMS Campaign Member": {
		"mA": EVERYONE,
		"mB": EVERYONE - {REP, MANAGER},
	},
	"CIMS Stage Change": {
		"sA": {REP, MANAGER, HEAD, SERVICE, ANALYST, ADMIN},
		"sB": {HEAD, SERVICE, ANALYST, ADMIN},
	},
	"Contact": {
		"kA": {REP, MANAGER, HEAD, SERVICE, ADMIN},
		"kB": {HEAD, SERVICE, ADMIN},
		"kS": {HEAD, SERVICE, ADMIN},  # linked to cA and cB: not only to customers R1 or M1 reach
		"kF": EVERYONE,  # no CIMS customer: the framework's own rules
	},
	"CIMS Approval Request": {
		"rA": {REP, MANAGER, HEAD, ADMIN},  # requested by R1 (team A)
		"rB": {HEAD, ADMIN},
	},
	"File": {
		"xA": EVERYONE,
		"xB": EVERYONE - {REP, MANAGER},
	},
}
# Who may export each DocType at all (DocPerm), the rows still following the row rules.
EXPORTERS = {
	"CIMS Customer": {MANAGER, HEAD, ADMIN},
	"CIMS Follow-Up": {MANAGER, HEAD, ADMIN},
	"CIMS Opportunity": {MANAGER, HEAD, ADMIN},
	"Contact": {MANAGER, HEAD, ADMIN},
}
SEARCH_FIELD = {"CIMS Customer": "customer_name", "Contact": "first_name"}


@pytest.fixture(scope="module")
def world(role_users):
	"""The committed records of the matrix, removed at the end."""
	frappe.set_user("Administrator")
	token = unique_suffix()
	r1, m1 = role_users[REP][0], role_users[MANAGER][0]
	r2 = make_login_user(REP, "cims-perm-rep2")
	m2 = make_login_user(MANAGER, "cims-perm-mgr2")
	team_a = make_sales_team(m1, [r1])
	team_b = make_sales_team(m2, [r2])
	w = SimpleNamespace(token=token, users=[r2, m2], teams=[team_a, team_b], r1=r1, r2=r2, m1=m1, m2=m2)
	mobile = valid_mobile()
	w.mobile = mobile
	c_a = make_customer(
		customer_name=f"Perm {token} 甲科技有限公司",
		account_manager=r1,
		mobile_no=mobile,
		email_id=f"a{token}@example.com",
	)
	c_b = make_customer(
		customer_name=f"Perm {token} 乙科技有限公司", account_manager=r2, mobile_no=valid_mobile()
	)
	c_p = make_customer(customer_name=f"Perm {token} 丙科技有限公司")
	frappe.db.set_value("CIMS Customer", c_p.name, {"account_manager": None, "in_public_pool": 1})
	campaign = frappe.get_doc(
		{"doctype": "CIMS Campaign", "campaign_name": f"权限活动{token}", "campaign_type": "Offline Event"}
	).insert()
	w.campaign = campaign.name
	names = {"cA": c_a.name, "cB": c_b.name, "cP": c_p.name}

	def follow_up(customer, **values):
		return (
			frappe.get_doc(
				{
					"doctype": "CIMS Follow-Up",
					"customer": customer,
					"follow_up_type": "Phone Call",
					"status": "Planned",
					"scheduled_on": "2030-01-01 10:00:00",
					**values,
				}
			)
			.insert()
			.name
		)

	names["fA"] = follow_up(c_a.name)
	names["fB"] = follow_up(c_b.name, campaign=campaign.name)
	names["fX"] = follow_up(c_b.name, assigned_to=r1)
	names["oA"] = (
		frappe.get_doc(
			{
				"doctype": "CIMS Opportunity",
				"opportunity_title": f"机会{token}甲",
				"customer": c_a.name,
				"owner_user": r1,
			}
		)
		.insert()
		.name
	)
	names["oB"] = (
		frappe.get_doc(
			{
				"doctype": "CIMS Opportunity",
				"opportunity_title": f"机会{token}乙",
				"customer": c_b.name,
				"campaign": campaign.name,
				"owner_user": r2,
			}
		)
		.insert()
		.name
	)
	for key, customer in (("mA", c_a.name), ("mB", c_b.name)):
		names[key] = (
			frappe.get_doc(
				{"doctype": "CIMS Campaign Member", "campaign": campaign.name, "customer": customer}
			)
			.insert()
			.name
		)
	for key, customer in (("sA", c_a.name), ("sB", c_b.name)):
		move_customer_stage(customer, "Intent Customer", "system")
		names[key] = frappe.get_all("CIMS Stage Change", {"reference_name": customer}, pluck="name")[0]

	def contact(key, *customers):
		doc = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": f"联系人{token}{key}",
				"links": [{"link_doctype": "CIMS Customer", "link_name": c} for c in customers],
			}
		).insert()
		names[key] = doc.name

	contact("kA", c_a.name)
	contact("kB", c_b.name)
	contact("kS", c_a.name, c_b.name)
	contact("kF")

	for key, user, follow in (("rA", r1, names["fA"]), ("rB", r2, names["fB"])):
		frappe.set_user(user)
		names[key] = (
			frappe.get_doc(
				{
					"doctype": "CIMS Approval Request",
					"request_type": "Delete",
					"reference_doctype": "CIMS Follow-Up",
					"reference_name": follow,
					"reason": "重复录入",
				}
			)
			.insert()
			.name
		)
		frappe.set_user("Administrator")
	for key, customer in (("xA", c_a.name), ("xB", c_b.name)):
		names[key] = (
			frappe.get_doc(
				{
					"doctype": "File",
					"file_name": f"perm-{token}-{key}.txt",
					"attached_to_doctype": "CIMS Customer",
					"attached_to_name": customer,
					"content": b"contract scan",
					"is_private": 0,
				}
			)
			.insert()
			.name
		)
	for doctype, key in (("CIMS Customer", "cA"), ("CIMS Customer", "cB"), ("CIMS Customer", "cP")):
		update_global_search(frappe.get_doc(doctype, names[key]))
	for key in ("fA", "fB", "fX"):
		update_global_search(frappe.get_doc("CIMS Follow-Up", names[key]))
	frappe.db.commit()
	sync_global_search()
	frappe.db.commit()
	w.names = names
	yield w

	frappe.set_user("Administrator")
	frappe.db.rollback()
	remove_customers_and_their_records([c_a.name, c_b.name, c_p.name])
	hard_delete("Contact", [names[k] for k in ("kA", "kB", "kS", "kF")])
	frappe.db.delete(
		"Dynamic Link",
		{"parenttype": "Contact", "parent": ("in", [names[k] for k in ("kA", "kB", "kS", "kF")])},
	)
	hard_delete("CIMS Campaign", campaign.name)
	frappe.db.delete("__global_search", {"name": campaign.name})
	hard_delete("CIMS Sales Team", [team_a, team_b])
	frappe.db.delete("CIMS Sales Team Member", {"parent": ("in", [team_a, team_b])})
	remove_users([r2, m2])
	frappe.db.commit()


# Read paths: each returns the names of `names` the client can see.


def by_resource(client, doctype, names):
	return {
		name
		for name in names
		if client.get(f"/api/resource/{quote(doctype)}/{quote(name)}").status_code == 200
	}


def by_get_list(client, doctype, names):
	response = client.get(
		"/api/method/frappe.client.get_list",
		doctype=doctype,
		filters=json.dumps({"name": ["in", list(names)]}),
		fields=json.dumps(["name"]),
		limit_page_length=0,
	)
	return {row["name"] for row in response.json().get("message") or []} if response.ok else set()


def by_report_view(client, doctype, names):
	response = client.post(
		"/api/method/frappe.desk.reportview.get",
		{
			"doctype": doctype,
			"fields": json.dumps([f"`tab{doctype}`.`name`"]),
			"filters": json.dumps([[doctype, "name", "in", list(names)]]),
			"page_length": 500,
		},
	)
	if not response.ok:
		return set()
	message = response.json().get("message") or {}
	return {row[0] for row in message.get("values", [])}


def by_count(client, doctype, names):
	visible = set()
	for name in names:
		response = client.get(
			"/api/method/frappe.client.get_count", doctype=doctype, filters=json.dumps({"name": name})
		)
		if response.ok and response.json()["message"] == 1:
			visible.add(name)
	return visible


def by_get_value(client, doctype, names):
	visible = set()
	for name in names:
		response = client.get(
			"/api/method/frappe.client.get_value",
			doctype=doctype,
			fieldname="name",
			filters=json.dumps({"name": name}),
		)
		if response.ok and (response.json().get("message") or {}).get("name") == name:
			visible.add(name)
	return visible


def by_link_search(client, doctype, names, ignore_user_permissions=0):
	visible = set()
	for name in names:
		response = client.get(
			"/api/method/frappe.desk.search.search_link",
			doctype=doctype,
			txt=name,
			page_length=50,
			ignore_user_permissions=ignore_user_permissions,
		)
		if response.ok and name in {row["value"] for row in response.json().get("message") or []}:
			visible.add(name)
	return visible


def by_link_search_ignoring_user_permissions(client, doctype, names):
	return by_link_search(client, doctype, names, ignore_user_permissions=1)


PATHS = [by_resource, by_get_list, by_report_view, by_count, by_get_value, by_link_search]


def _cases():
	for doctype in EXPECTED:
		for role in ROLES:
			yield pytest.param(doctype, role, id=f"{doctype}-{role}")


@pytest.mark.parametrize(("doctype", "role"), list(_cases()))
@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.__name__)
def test_each_role_reads_exactly_its_rows_on_every_path(world, api, doctype, role, path):
	keys = EXPECTED[doctype]
	names = {world.names[key]: key for key in keys}
	expected = {key for key, roles in keys.items() if role in roles}
	seen = {names[name] for name in path(api(role), doctype, list(names))}
	assert seen == expected, (
		f"{role} via {path.__name__} on {doctype}: saw {sorted(seen)}, expected {sorted(expected)}"
	)


@pytest.mark.parametrize("role", ROLES)
def test_link_search_with_ignore_user_permissions_still_keeps_row_rules(world, api, role):
	for doctype in ("CIMS Customer", "Contact", "CIMS Follow-Up"):
		keys = EXPECTED[doctype]
		names = {world.names[key]: key for key in keys}
		expected = {key for key, roles in keys.items() if role in roles}
		seen = {names[n] for n in by_link_search_ignoring_user_permissions(api(role), doctype, list(names))}
		assert seen == expected, (role, doctype, sorted(seen))


@pytest.mark.parametrize("role", ROLES)
def test_global_search_shows_only_readable_customers_and_follow_ups(world, api, role):
	response = api(role).get("/api/method/frappe.utils.global_search.search", text=world.token, limit=100)
	assert response.ok, server_messages(response)
	found = {(row["doctype"], row["name"]) for row in response.json()["message"]}
	for doctype in ("CIMS Customer", "CIMS Follow-Up"):
		for key, roles in EXPECTED[doctype].items():
			assert ((doctype, world.names[key]) in found) == (role in roles), (role, key)


def test_rep_reads_another_reps_customer_by_name_nowhere(world, api):
	"""The rep's attempts on R2's customer by name, list filter, link search, report view, count, value."""
	rep = api(REP)
	other = world.names["cB"]
	assert rep.get(f"/api/resource/CIMS%20Customer/{other}").status_code == 403
	for path in PATHS:
		assert path(rep, "CIMS Customer", [other]) == set(), path.__name__
	assert by_link_search_ignoring_user_permissions(rep, "CIMS Customer", [other]) == set()


def test_analyst_sees_personal_data_only_masked_on_form_list_and_report_view(world, api):
	analyst = api(ANALYST)
	name = world.names["cA"]
	data = analyst.get(f"/api/resource/CIMS%20Customer/{name}").json()["data"]
	assert not data.get("mobile_no") and not data.get("email_id")
	assert data["mobile_no_masked"] == world.mobile[:3] + "****" + world.mobile[-4:]
	assert data["email_id_masked"] == "a***@example.com"
	rows = analyst.get(
		"/api/method/frappe.client.get_list",
		doctype="CIMS Customer",
		filters=json.dumps({"name": name}),
		fields=json.dumps(["name", "mobile_no", "email_id", "mobile_no_masked"]),
	).json()["message"]
	assert rows == [{"name": name, "mobile_no_masked": data["mobile_no_masked"]}]
	report = analyst.post(
		"/api/method/frappe.desk.reportview.get",
		{
			"doctype": "CIMS Customer",
			"fields": json.dumps(["`tabCIMS Customer`.`name`", "`tabCIMS Customer`.`mobile_no`"]),
			"filters": json.dumps([["CIMS Customer", "name", "=", name]]),
		},
	).json()["message"]
	assert world.mobile not in json.dumps(report)


def test_personal_data_in_global_search_is_masked_for_the_analyst_only(world, api):
	def snippet(role):
		rows = api(role).get("/api/method/frappe.utils.global_search.search", text=world.token, limit=100)
		return " ".join(r["content"] for r in rows.json()["message"] if r["name"] == world.names["cA"])

	assert world.mobile in snippet(REP)
	masked = snippet(ANALYST)
	assert world.mobile not in masked and world.mobile[:3] + "****" + world.mobile[-4:] in masked


def test_manager_and_rep_see_the_full_mobile_of_their_own_customer(world, api):
	for role in (REP, MANAGER):
		data = api(role).get(f"/api/resource/CIMS%20Customer/{world.names['cA']}").json()["data"]
		assert data["mobile_no"] == world.mobile, role


def _export(client, doctype, names):
	return client.get(
		"/api/method/frappe.desk.reportview.export_query",
		doctype=doctype,
		file_format_type="CSV",
		fields=json.dumps([f"`tab{doctype}`.`name`"]),
		filters=json.dumps([[doctype, "name", "in", names]]),
	)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("doctype", sorted(EXPORTERS))
def test_export_is_for_managers_and_admins_and_keeps_row_rules(world, api, role, doctype):
	keys = EXPECTED[doctype]
	names = {world.names[key]: key for key in keys}
	response = _export(api(role), doctype, list(names))
	if role not in EXPORTERS[doctype]:
		assert response.status_code == 403, f"{role} exported {doctype}"
		return
	assert response.ok, server_messages(response)
	exported = {row[1] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
	assert {names[n] for n in exported if n in names} == {key for key, roles in keys.items() if role in roles}


def test_rep_writes_its_own_customer_but_not_another_reps_or_a_pool_customer(world, api):
	rep = api(REP)
	own = rep.put(f"/api/resource/CIMS%20Customer/{world.names['cA']}", {"remarks": "重点跟进"})
	assert own.status_code == 200, server_messages(own)
	for key in ("cB", "cP"):
		response = rep.put(f"/api/resource/CIMS%20Customer/{world.names[key]}", {"remarks": "越权修改"})
		assert response.status_code == 403, key
	assert frappe.db.get_value("CIMS Customer", world.names["cB"], "remarks") != "越权修改"


def test_rep_cannot_take_a_customer_by_setting_itself_as_account_manager(world, api):
	response = api(REP).put(
		f"/api/resource/CIMS%20Customer/{world.names['cB']}", {"account_manager": world.r1, "remarks": "x"}
	)
	assert response.status_code == 403
	assert frappe.db.get_value("CIMS Customer", world.names["cB"], "account_manager") == world.r2


def test_rep_cannot_change_account_manager_or_contract_amount_of_its_own_customer(world, api):
	response = api(REP).put(
		f"/api/resource/CIMS%20Customer/{world.names['cA']}",
		{"account_manager": world.r2, "contract_amount": 88888},
	)
	assert response.status_code == 200, server_messages(response)
	assert frappe.db.get_value(
		"CIMS Customer", world.names["cA"], ["account_manager", "contract_amount"]
	) == (
		world.r1,
		0,
	)


def test_manager_writes_contract_amount_of_its_teams_customer_but_not_other_teams(world, api):
	manager = api(MANAGER)
	own = manager.put(f"/api/resource/CIMS%20Customer/{world.names['cA']}", {"contract_amount": 120000})
	assert own.status_code == 200, server_messages(own)
	assert frappe.db.get_value("CIMS Customer", world.names["cA"], "contract_amount") == 120000
	other = manager.put(f"/api/resource/CIMS%20Customer/{world.names['cB']}", {"contract_amount": 1})
	assert other.status_code == 403
	frappe.db.set_value("CIMS Customer", world.names["cA"], "contract_amount", 0)
	frappe.db.commit()


@pytest.mark.parametrize("role", [HEAD, ANALYST, MARKETING, SERVICE])
def test_read_only_roles_cannot_write_a_customer_they_do_not_manage(world, api, role):
	response = api(role).put(f"/api/resource/CIMS%20Customer/{world.names['cA']}", {"remarks": role})
	assert response.status_code == 403, role


def test_rep_cannot_hang_records_on_another_reps_customer(world, api):
	rep = api(REP)
	follow_up = rep.post(
		"/api/resource/CIMS%20Follow-Up",
		{
			"customer": world.names["cB"],
			"follow_up_type": "Phone Call",
			"status": "Planned",
			"scheduled_on": "2030-01-02 10:00:00",
		},
	)
	assert follow_up.status_code == 403
	opportunity = rep.post(
		"/api/resource/CIMS%20Opportunity", {"opportunity_title": "越权机会", "customer": world.names["cB"]}
	)
	assert opportunity.status_code == 403
	contact = rep.post(
		"/api/resource/Contact",
		{
			"first_name": "越权联系人",
			"links": [{"link_doctype": "CIMS Customer", "link_name": world.names["cB"]}],
		},
	)
	assert contact.status_code == 403


def test_rep_cannot_move_its_follow_up_onto_another_reps_customer(world, api):
	response = api(REP).put(
		f"/api/resource/CIMS%20Follow-Up/{world.names['fA']}", {"customer": world.names["cB"]}
	)
	assert response.status_code == 403
	assert frappe.db.get_value("CIMS Follow-Up", world.names["fA"], "customer") == world.names["cA"]


def test_rep_cannot_read_or_delete_attachments_of_another_reps_customer(world, api):
	rep = api(REP)
	assert rep.get(f"/api/resource/File/{world.names['xB']}").status_code == 403
	assert rep.delete(f"/api/resource/File/{world.names['xB']}").status_code == 403
	assert frappe.db.exists("File", world.names["xB"])


def test_attachments_of_cims_records_are_made_private(world):
	assert frappe.db.get_value("File", world.names["xA"], "is_private") == 1


def test_rep_cannot_attach_files_to_another_reps_customer(world, api):
	response = api(REP).post(
		"/api/resource/File",
		{
			"file_name": f"intrude-{world.token}.txt",
			"attached_to_doctype": "CIMS Customer",
			"attached_to_name": world.names["cB"],
			"content": "x",
		},
	)
	assert response.status_code == 403


def test_number_card_counts_only_the_users_rows(world, api):
	"""Dashboards count through frappe.get_list."""
	response = api(REP).post(
		"/api/method/frappe.desk.doctype.number_card.number_card.get_result",
		{
			"doc": json.dumps(
				{
					"doctype": "Number Card",
					"type": "Document Type",
					"document_type": "CIMS Customer",
					"function": "Count",
					"filters_json": json.dumps(
						[["CIMS Customer", "customer_name", "like", f"%{world.token}%"]]
					),
				}
			),
			"filters": json.dumps([["CIMS Customer", "customer_name", "like", f"%{world.token}%"]]),
		},
	)
	assert response.ok, server_messages(response)
	assert response.json()["message"] == 2  # cA and the pool customer


def test_sales_target_rows_follow_user_and_team(world, api):
	targets = []
	for values in ({"target_for": "User", "user": world.r1}, {"target_for": "User", "user": world.r2}):
		targets.append(
			frappe.get_doc(
				{
					"doctype": "CIMS Sales Target",
					"period_start": "2030-01-01",
					"period_end": "2030-12-31",
					"target_amount": 1,
					**values,
				}
			)
			.insert()
			.name
		)
	frappe.db.commit()
	try:
		assert by_get_list(api(REP), "CIMS Sales Target", targets) == {targets[0]}
		assert by_get_list(api(MANAGER), "CIMS Sales Target", targets) == {targets[0]}
		assert by_get_list(api(HEAD), "CIMS Sales Target", targets) == set(targets)
	finally:
		hard_delete("CIMS Sales Target", targets)
		frappe.db.commit()


def test_user_with_rep_and_marketing_roles_gets_the_union(world):
	"""Several roles: the union of what each role reaches (Marketing's campaign rows plus the rep's own)."""
	from cims_app.access.permissions import row_condition

	user = make_login_user([REP, MARKETING], "cims-perm-both")
	frappe.db.set_value("CIMS Customer", world.names["cA"], "account_manager", user)
	try:
		frappe.set_user(user)
		seen = set(
			frappe.get_list(
				"CIMS Follow-Up",
				filters={"name": ("in", [world.names[k] for k in ("fA", "fB", "fX")])},
				pluck="name",
			)
		)
		assert seen == {world.names["fA"], world.names["fB"]}
		assert row_condition("CIMS Customer", user) == "", "Marketing reads every customer"
	finally:
		frappe.set_user("Administrator")
		frappe.db.rollback()
		remove_users([user])
		frappe.db.commit()


def test_primary_contact_changes_keep_the_customers_masked_mirrors_current():
	customer = make_customer()
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": "镜像",
			"phone_nos": [{"phone": "13912345678", "is_primary_mobile_no": 1}],
			"links": [{"link_doctype": "CIMS Customer", "link_name": customer.name}],
		}
	).insert()
	customer.reload()
	customer.primary_contact = contact.name
	customer.save()
	contact.reload()
	contact.phone_nos[0].phone = "13698765432"
	contact.save()
	assert frappe.db.get_value("CIMS Customer", customer.name, ["mobile_no", "mobile_no_masked"]) == (
		"13698765432",
		"136****5432",
	)
