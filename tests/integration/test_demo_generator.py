"""The demo data generator on a real site: valid identifiers, rule-consistent derived values, series-based
names that later form saves continue, a second run that collides with nothing, and a clear that leaves
nothing behind."""

import os
import re
from collections import defaultdict
from decimal import Decimal

import pytest

if not (os.environ.get("CIMS_BENCH_PATH") and os.environ.get("CIMS_TEST_SITE")):
	pytest.skip(
		"no Frappe site configured: set CIMS_BENCH_PATH and CIMS_TEST_SITE to run integration tests",
		allow_module_level=True,
	)
frappe = pytest.importorskip("frappe", reason="frappe is not importable: run pytest with the bench's python")

from cims_app.customers import name_sketch
from cims_app.customers.upkeep import due_on, upkeep_cadence
from cims_app.demo import DEMO_DATA_SOURCE, DEMO_EMAIL_DOMAIN
from cims_app.demo.clear import clear_demo_data
from cims_app.demo.generator import DemoGenerator, DemoOptions
from cims_app.domain.contact_rules import mask_email, mask_id_number, mask_mobile, normalise_mobile
from cims_app.domain.customer_rules import amount_growth_percent, classification_label, compute_value_tier
from cims_app.domain.identifiers import normalise_id_number, normalise_uscc
from cims_app.domain.names import exact_key, match_key
from cims_app.domain.opportunity_rules import expected_amount, weighted_amount

SMALL = {
	"customers": 30,
	"follow_ups": 60,
	"opportunities": 20,
	"campaigns": 2,
	"members": 20,
	"users": 2,
	"seed": 7,
	"batch_size": 12,
}
RUNS = 2  # the second run with the same seed must collide with nothing the first one made
SKETCH_BEFORE_THE_FILLS: dict = {}  # when the sketch stored before the demo fixture's fills was made
DEMO_PASSWORD = "Demo-Login-2026!"  # given to the second run, as `cims-demo --password` does


def _money(value) -> Decimal:
	"""frappe.db.sql gives decimal columns as float: back to cents for exact comparison."""
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _demo_count() -> int:
	return frappe.db.count("CIMS Customer", {"data_source": DEMO_DATA_SOURCE}) + frappe.db.count(
		"User", {"name": ("like", f"%@{DEMO_EMAIL_DOMAIN}")}
	)


@pytest.fixture(scope="module")
def demo(site):
	"""Two small demo runs on the test site, cleared again at the end."""
	if _demo_count():
		pytest.skip("the test site already holds demo data; this test would clear it (run cims-demo --clear)")
	name_sketch.store_name_sketch()  # which the fill must replace (test_the_fill_stores_a_new_name_sketch...)
	SKETCH_BEFORE_THE_FILLS["started"] = name_sketch._stored()[0]
	written = [
		DemoGenerator(
			DemoOptions(**SMALL, password=DEMO_PASSWORD if run == RUNS - 1 else None),
			log=lambda _message: None,
		).run()
		for run in range(RUNS)
	]
	yield written
	if _demo_count():
		clear_demo_data(log=lambda _message: None)


def _customers(fields: str) -> list:
	return frappe.db.sql(
		f"SELECT {fields} FROM `tabCIMS Customer` WHERE data_source = %s", (DEMO_DATA_SOURCE,), as_dict=True
	)


def test_the_fill_stores_a_new_name_sketch_and_logs_none_of_its_keys(demo):
	"""The fill writes its customers without logging their keys (a million log rows for nothing): it stores a
	sketch of the site's match keys made after its writes instead, which holds every key it wrote."""
	stored = name_sketch._stored()
	assert stored is not None, "the next import finds a sketch"
	started, sketch = stored
	keys = [row.name_match_key for row in _customers("name_match_key")]
	assert len(keys) == SMALL["customers"] * RUNS
	assert all(sketch.may_be_key(key) for key in keys)
	assert started > SKETCH_BEFORE_THE_FILLS["started"], "made after the fills, not the one they found"
	assert not frappe.db.sql(
		f"SELECT COUNT(*) FROM `{name_sketch.LOG_TABLE}` WHERE match_key IN %s", (tuple(keys),)
	)[0][0]
	try:  # the fill's session no longer skips the log
		frappe.db.sql(
			"UPDATE `tabCIMS Customer` SET name_match_key = %s WHERE name_match_key = %s",
			(keys[0] + "新", keys[0]),
		)
		assert frappe.db.sql(
			f"SELECT COUNT(*) FROM `{name_sketch.LOG_TABLE}` WHERE match_key = %s", (keys[0] + "新",)
		)[0][0]
	finally:
		frappe.db.rollback()


def test_each_run_writes_the_requested_numbers_of_rows(demo):
	for written in demo:
		assert written["CIMS Customer"] == SMALL["customers"]
		assert written["CIMS Follow-Up"] == SMALL["follow_ups"]
		assert written["CIMS Opportunity"] == SMALL["opportunities"]
		assert written["CIMS Campaign"] == SMALL["campaigns"]
		assert 0 < written["CIMS Campaign Member"] <= SMALL["members"]
		assert written["Contact"] >= SMALL["customers"]
	assert frappe.db.count("CIMS Customer", {"data_source": DEMO_DATA_SOURCE}) == RUNS * SMALL["customers"]
	types = {row.customer_type for row in _customers("customer_type")}
	assert "Enterprise" in types


def test_enterprise_credit_codes_are_valid_unique_and_exact_keys_unique(demo):
	codes = [
		row.unified_social_credit_code
		for row in _customers("unified_social_credit_code")
		if row.unified_social_credit_code
	]
	assert codes
	for code in codes:
		assert normalise_uscc(code) == code
	assert len(set(codes)) == len(codes)
	duplicates = frappe.db.sql(
		"""SELECT name_exact_key FROM `tabCIMS Customer` WHERE customer_type = 'Enterprise'
		GROUP BY name_exact_key HAVING COUNT(*) > 1"""
	)
	assert duplicates == ()
	for row in _customers("customer_name, name_exact_key, name_match_key"):
		assert row.name_exact_key == exact_key(row.customer_name)
		assert row.name_match_key == match_key(row.customer_name)


def test_individual_id_numbers_are_valid_and_shown_masked(demo):
	rows = [
		row for row in _customers("customer_type, id_number, id_number_masked, birthday") if row.id_number
	]
	assert rows, "the demo set has individuals"
	for row in rows:
		assert row.customer_type == "Individual"
		assert normalise_id_number(row.id_number) == row.id_number
		assert row.id_number_masked == mask_id_number(row.id_number)
		assert row.id_number[6:14] == row.birthday.strftime("%Y%m%d")


def test_mobiles_are_valid_unique_and_mirrored_from_the_primary_contact(demo):
	mobiles = frappe.db.sql_list(
		"""SELECT ct.mobile_no FROM `tabContact` ct
		JOIN `tabDynamic Link` dl ON dl.parent = ct.name AND dl.parenttype = 'Contact'
		JOIN `tabCIMS Customer` c ON c.name = dl.link_name AND dl.link_doctype = 'CIMS Customer'
		WHERE c.data_source = %s""",
		(DEMO_DATA_SOURCE,),
	)
	assert mobiles
	for mobile in mobiles:
		assert normalise_mobile(mobile) == mobile
	assert len(set(mobiles)) == len(mobiles)
	mismatched = frappe.db.sql(
		"""SELECT c.name FROM `tabCIMS Customer` c JOIN `tabContact` ct ON ct.name = c.primary_contact
		WHERE c.data_source = %s AND (NOT c.mobile_no <=> ct.mobile_no OR NOT c.email_id <=> ct.email_id)""",
		(DEMO_DATA_SOURCE,),
	)
	assert mismatched == ()
	assert (
		frappe.db.count(
			"CIMS Customer", {"data_source": DEMO_DATA_SOURCE, "primary_contact": ("is", "not set")}
		)
		== 0
	)
	# Users without the personal-data permission level read the masked mirrors.
	for row in _customers("mobile_no, mobile_no_masked, email_id, email_id_masked"):
		assert row.mobile_no_masked == mask_mobile(row.mobile_no)
		assert row.email_id_masked == (mask_email(row.email_id) if row.email_id else None)


def test_every_contact_links_to_its_customer_with_phone_and_email_rows(demo):
	contacts = frappe.db.sql(
		"""SELECT ct.name, ct.mobile_no, ct.email_id, dl.link_name FROM `tabContact` ct
		JOIN `tabDynamic Link` dl ON dl.parent = ct.name AND dl.parenttype = 'Contact' AND dl.parentfield = 'links'
		JOIN `tabCIMS Customer` c ON c.name = dl.link_name AND dl.link_doctype = 'CIMS Customer'
		WHERE c.data_source = %s""",
		(DEMO_DATA_SOURCE,),
		as_dict=True,
	)
	assert len(contacts) == sum(written["Contact"] for written in demo)
	for contact in contacts:
		# Frappe's own contact naming: "<full name>-<linked record>", repeats numbered -1, -2…
		assert re.fullmatch(rf".+-{re.escape(contact.link_name)}(-\d+)?", contact.name)
	phones = dict(
		frappe.db.sql(
			"""SELECT parent, phone FROM `tabContact Phone`
			WHERE parenttype = 'Contact' AND parentfield = 'phone_nos' AND is_primary_mobile_no = 1"""
		)
	)
	emails = dict(
		frappe.db.sql(
			"""SELECT parent, email_id FROM `tabContact Email`
			WHERE parenttype = 'Contact' AND parentfield = 'email_ids' AND is_primary = 1"""
		)
	)
	for contact in contacts:
		assert phones[contact.name] == contact.mobile_no
		assert emails.get(contact.name) == contact.email_id
	primary = frappe.db.sql(
		"""SELECT c.name FROM `tabCIMS Customer` c WHERE c.data_source = %s AND NOT EXISTS (
			SELECT 1 FROM `tabDynamic Link` dl WHERE dl.parent = c.primary_contact AND dl.link_name = c.name)""",
		(DEMO_DATA_SOURCE,),
	)
	assert primary == ()


def test_classification_label_and_value_tier_follow_the_domain_rules(demo):
	won = defaultdict(list)
	for row in frappe.db.sql(
		"""SELECT customer, won_amount, closed_on FROM `tabCIMS Opportunity` WHERE status = 'Won'""",
		as_dict=True,
	):
		won[row.customer].append(row)
	today = frappe.utils.getdate()
	for row in _customers(
		"name, industry, value_tier, lifecycle_stage, need_type, classification_label, annual_amount, cumulative_amount, amount_growth_6m"
	):
		assert row.classification_label == classification_label(
			row.industry, row.value_tier, row.lifecycle_stage, row.need_type
		)
		assert row.value_tier == compute_value_tier(row.annual_amount, row.amount_growth_6m)
		deals = won[row.name]
		assert _money(row.cumulative_amount) == sum((_money(d.won_amount) for d in deals), Decimal(0))
		# Closing days at the one-year boundary may fall either side of it.
		surely_in = sum((_money(d.won_amount) for d in deals if (today - d.closed_on).days < 364), Decimal(0))
		maybe_in = sum((_money(d.won_amount) for d in deals if (today - d.closed_on).days <= 366), Decimal(0))
		assert surely_in <= _money(row.annual_amount) <= maybe_in
		if row.lifecycle_stage == "Active Customer" and not deals:
			assert frappe.db.get_value("CIMS Customer", row.name, "contract_amount") > 0
	assert amount_growth_percent(0, 0) is None  # stored as 0: growth unknown counts as not growing


def test_every_customer_is_due_for_a_data_check_a_tier_cadence_after_its_creation(demo):
	cadence = upkeep_cadence()
	rows = _customers("name, creation, value_tier, maintenance_due_on")
	assert rows
	for row in rows:
		assert row.maintenance_due_on == due_on(None, row.creation, row.value_tier, cadence), row.name


def test_last_and_next_follow_up_dates_match_the_follow_ups(demo):
	mismatched = frappe.db.sql(
		"""SELECT c.name FROM `tabCIMS Customer` c LEFT JOIN (
			SELECT customer,
				MAX(CASE WHEN status = 'Completed' THEN completed_on END) AS last_on,
				MIN(CASE WHEN status = 'Planned' THEN scheduled_on END) AS next_on
			FROM `tabCIMS Follow-Up` GROUP BY customer
		) f ON f.customer = c.name
		WHERE c.data_source = %s
		AND (NOT c.last_follow_up_on <=> f.last_on OR NOT c.next_follow_up_on <=> f.next_on)""",
		(DEMO_DATA_SOURCE,),
	)
	assert mismatched == ()
	completed = frappe.db.sql(
		"""SELECT fu.content, fu.next_action, fu.customer_name, c.customer_name AS title, fu.assigned_to, c.account_manager
		FROM `tabCIMS Follow-Up` fu JOIN `tabCIMS Customer` c ON c.name = fu.customer
		WHERE c.data_source = %s AND fu.status = 'Completed'""",
		(DEMO_DATA_SOURCE,),
		as_dict=True,
	)
	assert completed
	for row in completed:
		assert len(row.content) >= 10 and row.next_action
		assert row.customer_name == row.title and row.assigned_to == row.account_manager


def test_opportunity_amounts_follow_the_domain_rules(demo):
	rows = frappe.db.sql(
		"""SELECT o.unit_price, o.quantity, o.expected_amount, o.probability, o.weighted_amount, o.status,
		o.won_amount, o.closed_on, o.lost_reason, o.sales_stage, s.probability AS stage_probability
		FROM `tabCIMS Opportunity` o JOIN `tabCIMS Customer` c ON c.name = o.customer
		LEFT JOIN `tabCIMS Sales Stage` s ON s.name = o.sales_stage
		WHERE c.data_source = %s""",
		(DEMO_DATA_SOURCE,),
		as_dict=True,
	)
	assert rows
	for row in rows:
		assert _money(row.expected_amount) == expected_amount(_money(row.unit_price), row.quantity)
		assert _money(row.weighted_amount) == weighted_amount(_money(row.expected_amount), row.probability)
		if row.status == "Won":
			assert row.won_amount > 0 and row.closed_on
		elif row.status == "Lost":
			assert row.lost_reason and row.closed_on
		else:
			assert row.probability == row.stage_probability


def _series_number(name: str, pattern: str) -> tuple[str, int]:
	found = re.fullmatch(pattern, name)
	assert found, f"{name} does not match {pattern}"
	return found.group(1), int(found.group(2))


def test_names_follow_the_naming_series_and_the_counters_cover_them(demo):
	series = dict(frappe.db.sql("SELECT name, current FROM `tabSeries`"))
	checks = (
		("CIMS Customer", r"(\d{6}-)(\d{4,})", lambda creation: creation.strftime("%Y%m-")),
		("CIMS Follow-Up", r"(FU-\d{4}-)(\d{7,})", lambda creation: creation.strftime("FU-%Y-")),
		("CIMS Opportunity", r"(OPP-\d{4}-)(\d{5,})", lambda creation: creation.strftime("OPP-%Y-")),
		("CIMS Campaign", r"(CAMP-\d{4}-)(\d{4,})", lambda creation: creation.strftime("CAMP-%Y-")),
	)
	for doctype, pattern, prefix_of in checks:
		rows = frappe.db.sql(f"SELECT name, creation FROM `tab{doctype}`", as_dict=True)
		highest: dict[str, int] = {}
		for row in rows:
			if not re.fullmatch(pattern, row.name):
				continue  # records named some other way (e.g. by tests of other modules)
			prefix, number = _series_number(row.name, pattern)
			highest[prefix] = max(highest.get(prefix, 0), number)
		demo_rows = frappe.db.sql(
			f"SELECT t.name, t.creation FROM `tab{doctype}` t WHERE t.owner LIKE %s",
			(f"%@{DEMO_EMAIL_DOMAIN}",),
			as_dict=True,
		)
		assert demo_rows
		for row in demo_rows:
			prefix, _number = _series_number(row.name, pattern)
			assert prefix == prefix_of(row.creation)
		for prefix, number in highest.items():
			assert series.get(prefix, 0) >= number, f"tabSeries {prefix} is behind {number}"


def test_a_customer_saved_through_the_form_path_gets_a_fresh_name(demo):
	existing = set(frappe.db.sql_list("SELECT name FROM `tabCIMS Customer`"))
	doc = frappe.get_doc(
		{
			"doctype": "CIMS Customer",
			"customer_name": "演示数据之后新建的个人客户",
			"customer_type": "Individual",
		}
	).insert()
	try:
		assert doc.name not in existing
		assert re.fullmatch(r"\d{6}-\d{4,}", doc.name)
	finally:
		# Marked as demo data so the clear below removes it with everything else.
		frappe.db.set_value("CIMS Customer", doc.name, "data_source", DEMO_DATA_SOURCE, update_modified=False)
		frappe.db.commit()


def test_campaign_members_are_unique_per_campaign_with_unguessable_tokens(demo):
	rows = frappe.db.sql(
		"""SELECT m.campaign, m.customer, m.check_in_token, m.status, m.checked_in_at, m.invited_on
		FROM `tabCIMS Campaign Member` m JOIN `tabCIMS Customer` c ON c.name = m.customer
		WHERE c.data_source = %s""",
		(DEMO_DATA_SOURCE,),
		as_dict=True,
	)
	assert rows
	assert len({(row.campaign, row.customer) for row in rows}) == len(rows)
	assert len({row.check_in_token for row in rows}) == len(rows)
	for row in rows:
		assert len(row.check_in_token) >= 32
		assert (row.status == "Attended") == bool(row.checked_in_at)
		if row.checked_in_at:
			assert row.checked_in_at >= row.invited_on
	budgets = frappe.db.sql(
		"""SELECT c.total_budget, SUM(b.amount) AS item_total FROM `tabCIMS Campaign` c
		JOIN `tabCIMS Campaign Budget Item` b ON b.parent = c.name AND b.parenttype = 'CIMS Campaign'
		WHERE c.owner LIKE %s GROUP BY c.name""",
		(f"%@{DEMO_EMAIL_DOMAIN}",),
		as_dict=True,
	)
	assert budgets and all(_money(row.total_budget) == _money(row.item_total) for row in budgets)


def test_demo_rep_and_manager_log_in_over_http_with_the_demo_password(demo, base_url):
	"""`cims-demo --password` lets a newcomer see the Desk as a demo rep or manager."""
	from tests.integration.support import ApiClient

	site = os.environ["CIMS_TEST_SITE"]
	for user in (f"rep01@{DEMO_EMAIL_DOMAIN}", f"mgr01@{DEMO_EMAIL_DOMAIN}"):
		client = ApiClient(base_url, site).login(user, DEMO_PASSWORD)
		assert client.get("/api/method/frappe.auth.get_logged_user").json()["message"] == user
		assert client.get("/app").status_code == 200
	wrong = ApiClient(base_url, site).session.post(
		f"{base_url}/api/method/login", data={"usr": f"rep01@{DEMO_EMAIL_DOMAIN}", "pwd": "not-the-password"}
	)
	assert wrong.status_code == 401


def test_clear_removes_every_demo_record(demo):
	demo_customers = frappe.get_all("CIMS Customer", {"data_source": DEMO_DATA_SOURCE}, pluck="name")
	assert demo_customers
	clear_demo_data(log=lambda _message: None)
	assert frappe.db.count("CIMS Customer", {"data_source": DEMO_DATA_SOURCE}) == 0
	assert frappe.db.count("User", {"name": ("like", f"%@{DEMO_EMAIL_DOMAIN}")}) == 0
	assert frappe.db.count("CIMS Campaign", {"owner": ("like", f"%@{DEMO_EMAIL_DOMAIN}")}) == 0
	for doctype in ("CIMS Follow-Up", "CIMS Opportunity", "CIMS Campaign Member"):
		orphans = frappe.db.sql(
			f"""SELECT COUNT(*) FROM `tab{doctype}` t
			LEFT JOIN `tabCIMS Customer` c ON c.name = t.customer WHERE c.name IS NULL"""
		)[0][0]
		assert orphans == 0, doctype
	# Links to the cleared customers (other tests' records on the site are not the demo's to clear).
	orphan_links = frappe.db.count(
		"Dynamic Link", {"link_doctype": "CIMS Customer", "link_name": ("in", demo_customers)}
	)
	assert orphan_links == 0
	orphan_phones = frappe.db.sql(
		"""SELECT COUNT(*) FROM `tabContact Phone` p LEFT JOIN `tabContact` ct ON ct.name = p.parent
		WHERE p.parenttype = 'Contact' AND ct.name IS NULL"""
	)[0][0]
	assert orphan_phones == 0
