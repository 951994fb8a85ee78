"""Generate a realistic demo data set in bulk: customers, contacts, follow-ups, opportunities, campaigns, members.

Rows are built as tuples and written with multi-row INSERTs in batches of customers (memory stays flat);
names continue the site's naming series; every derived value comes from the same domain rules the forms
use (classification label, value tier, name keys, expected and weighted amounts, masking).
"""

import datetime
import functools
import random
import time
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils.password import update_password

from cims_app.access.permissions import MASKED_MIRRORS
from cims_app.campaigns.members import new_check_in_token, refresh_metrics
from cims_app.customers import name_sketch
from cims_app.customers.upkeep import due_on, upkeep_cadence
from cims_app.demo import DEMO_DATA_SOURCE, DEMO_EMAIL_DOMAIN, indexes
from cims_app.demo import chinese_data as data
from cims_app.demo.bulk import Clock, HashNames, RowWriter, SeriesCounters
from cims_app.demo.identities import IdentityFactory, Person, TakenKeys
from cims_app.demo.tables import (
	AGENDA_FIELDS,
	BUDGET_FIELDS,
	CAMPAIGN_FIELDS,
	CONTACT_FIELDS,
	CUSTOMER_FIELDS,
	EMAIL_FIELDS,
	FOLLOW_UP_FIELDS,
	LINK_FIELDS,
	MEMBER_FIELDS,
	OPPORTUNITY_FIELDS,
	PHONE_FIELDS,
	TEAM_FIELDS,
)
from cims_app.domain.contact_rules import mask_id_number
from cims_app.domain.customer_rules import amount_growth_percent, classification_label, compute_value_tier
from cims_app.domain.duplicates import unique_name_key
from cims_app.domain.names import exact_key, match_key
from cims_app.domain.opportunity_rules import expected_amount, weighted_amount

DAY = 86400
HOUR = 3600

POTENTIAL, INTENT, ACTIVE, PAUSED, CHURNED = (
	"Potential Customer",
	"Intent Customer",
	"Active Customer",
	"Paused Customer",
	"Churned Customer",
)
STAGES = (POTENTIAL, INTENT, ACTIVE, PAUSED, CHURNED)
# Lifecycle mix by how long ago the customer was created (younger customers are mostly prospects).
STAGE_MIX_BY_AGE = (
	(30, (0.65, 0.30, 0.05, 0.0, 0.0)),
	(180, (0.35, 0.35, 0.25, 0.03, 0.02)),
	(10**9, (0.20, 0.20, 0.38, 0.10, 0.12)),
)
FOLLOW_UP_WEIGHT = {POTENTIAL: 0.6, INTENT: 1.2, ACTIVE: 1.5, PAUSED: 0.9, CHURNED: 0.7}
OPPORTUNITY_WEIGHT = {POTENTIAL: 0.4, INTENT: 1.3, ACTIVE: 2.4, PAUSED: 1.6, CHURNED: 1.2}
PLANNED_CHANCE = {POTENTIAL: 0.4, INTENT: 0.7, ACTIVE: 0.6, PAUSED: 0.3, CHURNED: 0.05}
# Opportunity outcome mix by lifecycle stage: (Open, Won, Lost).
OUTCOME_MIX = {
	POTENTIAL: (0.75, 0.0, 0.25),
	INTENT: (0.70, 0.0, 0.30),
	ACTIVE: (0.30, 0.55, 0.15),
	PAUSED: (0.10, 0.60, 0.30),
	CHURNED: (0.0, 0.45, 0.55),
}
INTENT_MIX = {
	POTENTIAL: (0.10, 0.30, 0.60),
	INTENT: (0.35, 0.50, 0.15),
	ACTIVE: (0.70, 0.30, 0.0),
	PAUSED: (0.0, 0.60, 0.40),
	CHURNED: (0.0, 0.20, 0.80),
}
INTENT_LEVELS = ("A - High", "B - Medium", "C - Low")
CUSTOMER_TYPES = (("Enterprise", 0.80), ("Individual", 0.15), ("Institution", 0.05))
SIZES = (("<50", 0.45), ("50-200", 0.30), ("200-500", 0.15), (">500", 0.10))
REVENUE_BANDS = {
	"<50": ("<10M", "<10M", "10M-50M"),
	"50-200": ("<10M", "10M-50M", "50M-100M"),
	"200-500": ("10M-50M", "50M-100M", "100M-500M"),
	">500": ("100M-500M", ">500M", ">500M"),
}
CATEGORIES = (("End Customer", 0.60), ("Distributor", 0.25), ("Partner", 0.15))
NEED_TYPES = (
	("Product Purchase", 0.40),
	("Technical Service", 0.25),
	("Custom Solution", 0.25),
	("Strategic Partnership", 0.10),
)
URGENCIES = (("High", 0.25), ("Medium", 0.50), ("Low", 0.25))
SOURCE_WEIGHTS = {
	"展会推广": 12,
	"线上广告": 15,
	"客户转介绍": 18,
	"官网注册": 14,
	"电话营销": 12,
	"社交媒体": 10,
	"合作伙伴推荐": 9,
	"营销活动": 6,
	"其他来源": 4,
}
FOLLOW_UP_TYPES = (
	("Phone Call", 30),
	("WeChat", 20),
	("Customer Visit", 12),
	("E-mail", 10),
	("Meeting", 8),
	("SMS", 5),
	("Service", 10),
	("Complaint", 3),
)
SERVICE_STAGES = frozenset({ACTIVE, PAUSED, CHURNED})
FEEDBACK_BY_RESULT = {
	"Success": (("Positive", 0.8), ("Hesitant", 0.2)),
	"Needs Follow-Up": (("Positive", 0.3), ("Hesitant", 0.6), ("Negative", 0.1)),
	"Failed": (("Hesitant", 0.3), ("Negative", 0.7)),
}
RESULTS = (("Success", 0.5), ("Needs Follow-Up", 0.4), ("Failed", 0.1))
CAMPAIGN_DURATION = {
	"Expo": (2 * DAY, 3 * DAY),
	"Salon": (3 * HOUR, 4 * HOUR),
	"Live Stream": (2 * HOUR, 3 * HOUR),
	"Webinar": (HOUR + HOUR // 2, 2 * HOUR),
	"Promotion": (7 * DAY, 14 * DAY),
	"Other": (3 * HOUR, 6 * HOUR),
}

# What a private person buys: the smaller items, in small quantities.
INDIVIDUAL_PRODUCTS = tuple(
	(product, low, high, low_quantity, min(high_quantity, max(low_quantity, 10)))
	for product, low, high, low_quantity, high_quantity in data.PRODUCTS
	if high <= 60000 and low_quantity <= 10
)


@dataclass
class DemoOptions:
	customers: int = 1000
	contacts_per_customer: float = 1.5
	follow_ups: int | None = None  # default 10 per customer
	opportunities: int | None = None  # default 2 per customer
	campaigns: int = 20
	members: int | None = None  # default 2 per customer
	users: int = 10
	seed: int = 42
	months: int = 36
	batch_size: int = 5000
	password: str | None = None  # the demo users' log-in password; None: a random one for new users

	def __post_init__(self):
		if self.follow_ups is None:
			self.follow_ups = 10 * self.customers
		if self.opportunities is None:
			self.opportunities = 2 * self.customers
		if self.members is None:
			self.members = 2 * self.customers
		for name in ("customers", "follow_ups", "opportunities", "campaigns", "members", "users"):
			if getattr(self, name) < 0:
				raise ValueError(f"{name} must not be negative")
		if self.batch_size < 1 or self.months < 1 or self.contacts_per_customer < 0:
			raise ValueError("batch_size and months must be at least 1, contacts_per_customer at least 0")


@dataclass
class Campaign:
	name: str
	start: int
	end: int
	status: str
	online: bool
	owner: str


class _Customer:
	"""What later rows of the same customer need to know, while its batch is being generated."""

	__slots__ = (
		"campaigns",
		"churned",
		"contacts",
		"created",
		"kind",
		"last_done",
		"manager",
		"name",
		"next_planned",
		"opportunities",
		"organisation",
		"person",
		"place",
		"row",
		"short_name",
		"stage",
		"title",
		"won",
	)

	def __init__(self):
		self.contacts: list[tuple[str, str]] = []  # (contact name, full name)
		# [campaign, status, invited_on, checked_in_at, converted amount, high intent]
		self.campaigns: list[list] = []
		self.opportunities: list[tuple[str, int, int, str]] = []  # (name, created, closed or now, product)
		self.won: list[tuple[int, Decimal]] = []  # (closed, won amount)
		self.last_done: int | None = None
		self.next_planned: int | None = None
		self.churned: int | None = None


def _cumulative(pairs) -> tuple[list, list[float]]:
	values, weights, total = [], [], 0.0
	for value, weight in pairs:
		total += weight
		values.append(value)
		weights.append(total)
	return values, weights


class DemoGenerator:
	def __init__(
		self, options: DemoOptions, log: Callable[[str], None] = print, now: datetime.datetime | None = None
	):
		self.options = options
		self.log = log
		self.rng = random.Random(options.seed)
		now = now or frappe.utils.now_datetime()
		start = now - datetime.timedelta(days=round(options.months * 30.44))
		self.clock = Clock(start, now)
		self.now = self.clock.now
		self.writer: RowWriter | None = None
		self.series: SeriesCounters | None = None
		self.campaign_list: list[Campaign] = []
		self.new_users: list[str] = []
		self.member_deficit = 0
		self._choice_tables: dict[str, tuple[list, list[float]]] = {}

	# Entry point -----------------------------------------------------------

	def run(self) -> dict[str, int]:
		"""Generate everything; return the number of rows written per DocType."""
		started = time.perf_counter()
		# Follow-ups, the biggest table by far, are written over a connection of their own.
		self.writer = RowWriter(own_connection=("CIMS Follow-Up",))
		self.series = SeriesCounters(lock=self.writer.lock)
		deferred = False
		try:
			with self.writer.database():
				indexes.restore(self.log)  # of a fill that died while they were dropped
			self._load_masters()
			self._ensure_users()
			self._load_taken_keys()
			self._set_session_checks(False)
			self._make_campaigns()
			self._commit()
			with self.writer.database():
				if deferred := indexes.worth_deferring(self.options.customers):
					indexes.drop(self.log)
			self._make_customers()
			if deferred:
				with self.writer.database():
					indexes.restore(self.log)
				deferred = False
			self._update_campaign_metrics()
			self._commit()
		finally:
			# The keys of the customers it wrote were not logged (_set_session_checks): a stored sketch misses them.
			name_sketch.forget_name_sketch()
			self.writer.close()
			self._set_session_checks(True)
			if deferred:  # the fill failed: its uncommitted rows go, the indexes come back all the same
				frappe.db.rollback()  # (the ALTER would commit them)
				indexes.restore(self.log)
		# Made afresh from the customers it wrote (their keys were not logged): imports find it at once instead
		# of asking for each row until a worker has made it (4.4 s at 1,000,000 customers).
		if name_sketch.available():
			name_sketch.store_name_sketch()
		self._report(time.perf_counter() - started)
		return dict(self.writer.rows)

	def _commit(self) -> None:
		"""Wait for the queued rows and commit them with the series counters moved past them."""
		self.writer.commit(before_commit=self.series.save)

	def _set_session_checks(self, enabled: bool) -> None:
		# Uniqueness is guaranteed by the generator itself; skipping the checks speeds up bulk inserts. The
		# customers' match keys are not logged either: the fill stores a new sketch at its end (name_sketch).
		value = 1 if enabled else 0
		statement = (
			f"SET SESSION unique_checks = {value}, foreign_key_checks = {value}, "
			f"{name_sketch.SKIP_LOG_VARIABLE} = {'NULL' if enabled else 1}"
		)
		if enabled:
			frappe.db.sql(statement)  # the writer's own connections are closed by now
		else:
			self.writer.set_session(statement)

	def _report(self, total_seconds: float) -> None:
		writer = self.writer
		self.log(_("Per DocType: rows, seconds generating them, seconds the database spent writing them"))
		for doctype in sorted(writer.rows, key=lambda d: -(writer.seconds[d] + writer.db_seconds[d])):
			self.log(
				_("  {0}: {1} rows, {2} s generating, {3} s writing").format(
					doctype,
					writer.rows[doctype],
					f"{writer.seconds[doctype]:.1f}",
					f"{writer.db_seconds[doctype]:.1f}",
				)
			)
		self.log(
			_("Demo data generated in {0} s (generating and writing overlap)").format(f"{total_seconds:.1f}")
		)

	# Masters -------------------------------------------------------------------

	def _load_masters(self) -> None:
		self.industries = self._tree_leaves("CIMS Industry", "parent_cims_industry")
		self.regions = self._tree_leaves("CIMS Region", "parent_cims_region")
		self.region_groups = frappe.db.sql_list(
			"SELECT name FROM `tabCIMS Region` WHERE is_group = 1 AND IFNULL(parent_cims_region, '') != ''"
		)
		self.sources = frappe.db.sql_list("SELECT name FROM `tabCIMS Customer Source` ORDER BY name")
		stages = frappe.db.sql(
			"SELECT name, sequence, probability, is_won, is_lost FROM `tabCIMS Sales Stage` ORDER BY sequence",
			as_dict=True,
		)
		if not (self.industries and self.regions and self.sources and any(s.is_won for s in stages)):
			frappe.throw(
				_(
					"The site lacks the seeded industries, regions, sources or sales stages: run bench migrate first"
				)
			)
		won = next(s for s in stages if s.is_won)
		self.won_stage = won
		self.after_sale_stages = [s for s in stages if s.sequence > won.sequence and not s.is_lost]
		self.open_stages = [s for s in stages if s.sequence < won.sequence and not s.is_won and not s.is_lost]
		self.lost_stage = next((s for s in stages if s.is_lost), None)
		# Gender records come with the setup wizard; a site set up without it has none.
		self.genders = set(frappe.db.sql_list("SELECT name FROM `tabGender`"))
		templates = frappe.db.sql("SELECT name, follow_up_type FROM `tabCIMS Follow-Up Template`")
		self.templates: dict[str, list[str]] = {}
		for name, follow_up_type in templates:
			self.templates.setdefault(follow_up_type or "", []).append(name)

		def setting(fieldname: str, default: float) -> Decimal:
			value = frappe.db.get_single_value("CIMS Settings", fieldname)
			return Decimal(str(value)) if value not in (None, "", 0) else Decimal(str(default))

		self.tier_thresholds = (
			setting("high_value_min_amount", 500000),
			setting("high_potential_min_amount", 100000),
			setting("high_potential_min_growth", 20),
		)

		cadence = upkeep_cadence()
		# created_on as text ("YYYY-MM-DD"), the due date as text as well (the writer's literals)
		self.upkeep_due_on = functools.cache(
			lambda created_on, tier: due_on(None, created_on, tier, cadence).isoformat()
		)

		region_pairs = [(region, data.REGION_WEIGHTS.get(region, 1.0)) for region in self.regions]
		self._choice_tables["region"] = _cumulative(region_pairs)
		institution_industries = [i for i, top in self.industries.items() if top in data.INSTITUTION_PATTERNS]
		self.institution_industries = institution_industries or list(self.industries)
		enterprise_pairs = [(i, 0.3 if i in institution_industries else 1.0) for i in self.industries]
		self._choice_tables["industry"] = _cumulative(enterprise_pairs)
		self._choice_tables["source"] = _cumulative((s, SOURCE_WEIGHTS.get(s, 5)) for s in self.sources)
		self._choice_tables["follow_up_type"] = _cumulative(FOLLOW_UP_TYPES)
		self._choice_tables["prospect_follow_up_type"] = _cumulative(
			(t, w) for t, w in FOLLOW_UP_TYPES if t not in ("Service", "Complaint")
		)
		for key, pairs in (
			("customer_type", CUSTOMER_TYPES),
			("size", SIZES),
			("category", CATEGORIES),
			("need_type", NEED_TYPES),
			("urgency", URGENCIES),
			("result", RESULTS),
		):
			self._choice_tables[key] = _cumulative(pairs)
		for result, pairs in FEEDBACK_BY_RESULT.items():
			self._choice_tables["feedback:" + result] = _cumulative(pairs)

	@staticmethod
	def _tree_leaves(doctype: str, parent_field: str) -> dict[str, str]:
		"""Nodes without children (seeded leaves and childless groups) → their top-level group below the root."""
		rows = frappe.db.sql(f"SELECT name, `{parent_field}`, lft, rgt FROM `tab{doctype}`")
		parent = {name: up for name, up, _lft, _rgt in rows}
		leaves = {}
		for name, up, lft, rgt in rows:
			if not up or (rgt or 0) - (lft or 0) != 1:
				continue
			top = name
			while parent.get(top) and parent.get(parent[top]):
				top = parent[top]
			leaves[name] = top
		return leaves

	def _pick(self, table: str):
		values, weights = self._choice_tables[table]
		return self.rng.choices(values, cum_weights=weights)[0]

	# Users and teams ---------------------------------------------------------------

	def _ensure_users(self) -> None:
		"""Demo sales reps and managers (created only when missing) and their sales teams."""
		started = time.perf_counter()
		names = random.Random(self.options.seed + 1)
		factory = IdentityFactory(names, TakenKeys())
		self.managers = [
			self._ensure_user(f"mgr{i:02d}@{DEMO_EMAIL_DOMAIN}", factory.person(), "CIMS Sales Manager")
			for i in range(1, 3)
		]
		self.reps = [
			self._ensure_user(f"rep{i:02d}@{DEMO_EMAIL_DOMAIN}", factory.person(), "CIMS Sales Rep")
			for i in range(1, self.options.users + 1)
		]
		if not self.reps:
			self.reps = list(self.managers)
		self._set_passwords(self.managers + self.reps)
		self.team_of: dict[str, str | None] = {}
		for index, (team_name, region) in enumerate(data.SALES_TEAMS):
			members = self.reps[index :: len(data.SALES_TEAMS)]
			self._ensure_team(team_name, region, self.managers[index % len(self.managers)], members)
			for user in members:
				self.team_of[user] = team_name
		frappe.db.commit()
		self.writer.add_time("User", time.perf_counter() - started)

	def _set_passwords(self, users: list[str]) -> None:
		"""Demo users can log in: with --password every demo user gets it; without, users created in this
		run get one random password, printed once (existing users keep theirs)."""
		password = self.options.password
		targets = users if password else self.new_users
		if not targets:
			return
		if not password:
			password = frappe.generate_hash(length=12)
		for user in targets:
			update_password(user, password)
		self.log(
			_("Demo users ({0}, …) log in with the password {1}").format(", ".join(targets[:2]), password)
		)

	def _ensure_user(self, email: str, person: Person, role: str) -> str:
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
				ignore_permissions=True
			)
		if frappe.db.exists("User", email):
			return email
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": person.name,
				"gender": person.gender if person.gender in self.genders else None,
				"send_welcome_email": 0,
				"user_type": "System User",
				"language": "zh" if frappe.db.exists("Language", "zh") else None,
				"roles": [{"role": role}],
			}
		).insert(ignore_permissions=True)
		self.writer.rows["User"] += 1
		self.new_users.append(email)
		return email

	def _ensure_team(self, team_name: str, region: str, manager: str, members: list[str]) -> None:
		if frappe.db.exists("CIMS Sales Team", team_name):
			team = frappe.get_doc("CIMS Sales Team", team_name)
			present = {row.user for row in team.members}
			missing = [user for user in members if user not in present]
			if missing:
				for user in missing:
					team.append("members", {"user": user, "is_active": 1})
				team.save(ignore_permissions=True)
			return
		frappe.get_doc(
			{
				"doctype": "CIMS Sales Team",
				"team_name": team_name,
				"manager": manager,
				"region": region if frappe.db.exists("CIMS Region", region) else None,
				"members": [{"user": user, "is_active": 1} for user in members],
			}
		).insert(ignore_permissions=True)
		self.writer.rows["CIMS Sales Team"] += 1

	# Unique values already on the site ---------------------------------------------------

	def _load_taken_keys(self) -> None:
		started = time.perf_counter()
		taken = TakenKeys()
		for name, customer_type in frappe.db.sql(
			"SELECT customer_name, customer_type FROM `tabCIMS Customer`"
		):
			if customer_type != "Individual":
				taken.exact_keys.add(exact_key(name))
		taken.usccs.update(
			code.upper()
			for code in frappe.db.sql_list(
				"SELECT unified_social_credit_code FROM `tabCIMS Customer` WHERE unified_social_credit_code IS NOT NULL"
			)
		)
		taken.id_numbers.update(
			frappe.db.sql_list("SELECT id_number FROM `tabCIMS Customer` WHERE id_number IS NOT NULL")
		)
		for query in (
			"SELECT mobile_no FROM `tabCIMS Customer` WHERE mobile_no IS NOT NULL",
			"SELECT mobile_no FROM `tabContact` WHERE mobile_no IS NOT NULL",
			"SELECT phone FROM `tabContact Phone` WHERE phone LIKE '1%%'",
		):
			taken.mobiles.update(frappe.db.sql_list(query))
		taken.emails.update(
			email.lower() for email in frappe.db.sql_list("SELECT email_id FROM `tabContact Email`") if email
		)
		self.taken = taken
		self.identities = IdentityFactory(self.rng, taken)
		self.writer.add_time("CIMS Customer", time.perf_counter() - started)

	# Campaigns --------------------------------------------------------------------------

	def _make_campaigns(self) -> None:
		started = time.perf_counter()
		rng, clock, count = self.rng, self.clock, self.options.campaigns
		budget_names = HashNames("CIMS Campaign Budget Item", self.writer.lock)
		agenda_names = HashNames("CIMS Campaign Agenda Item", self.writer.lock)
		team_names = HashNames("CIMS Campaign Team Member", self.writer.lock)
		campaigns, budget_rows, agenda_rows, team_rows = [], [], [], []
		first, last = 30 * DAY, self.now + 60 * DAY
		for index in range(count):
			slot = first + (last - first) * (index + rng.random()) / max(count, 1)
			pattern, campaign_type, campaign_format = rng.choice(data.CAMPAIGN_PATTERNS)
			online = campaign_type == "Online Event"
			start_hour = rng.choice((19.5, 20) if campaign_format == "Live Stream" else (9.5, 14, 14.5))
			start = int(slot) // DAY * DAY + int(start_hour * HOUR)
			low, high = CAMPAIGN_DURATION.get(campaign_format, CAMPAIGN_DURATION["Other"])
			end = start + rng.randint(low, high) // 1800 * 1800
			place = self.identities.place(self._pick("region"))
			created = max(0, min(start - rng.randint(20, 60) * DAY, self.now - HOUR))
			name = self.series.next_name("CIMS Campaign", f"CAMP-{clock.year(created)}-", 4)
			month = int(clock.date(start)[5:7])
			title = pattern.format(
				year=clock.year(start),
				region=rng.choice(self.region_groups or ["华东"]),
				city=place.city,
				n=index + 1,
				topic=rng.choice(data.CAMPAIGN_TOPICS),
				season=data.SEASONS[(month % 12) // 3 - 1 if month > 2 else 3],
				festival=rng.choice(data.FESTIVALS),
			)
			if end < self.now:
				status = "Called Off" if rng.random() < 0.05 else "Completed"
			elif start <= self.now:
				status = "Ongoing"
			else:
				status = "Announced" if start - self.now < 30 * DAY else "Planned"
			owner = rng.choice(self.managers)
			modified = min(max(created, end if status == "Completed" else created), self.now)
			stamp = (clock.at(created), clock.at(modified), owner, owner, 0)
			items = rng.sample(data.BUDGET_ITEMS, rng.randint(2, 5))
			total = 0
			for idx, (item, low_amount, high_amount) in enumerate(items, 1):
				amount = rng.randint(low_amount, high_amount) // 100 * 100
				total += amount
				budget_rows.append(
					(budget_names.next(), *stamp, idx, name, "budget_items", "CIMS Campaign", item, amount)
				)
			hour = int(start_hour * 60)
			for idx, topic in enumerate(rng.sample(data.AGENDA_TOPICS, rng.randint(3, 5)), 1):
				agenda_rows.append(
					(
						agenda_names.next(),
						*stamp,
						idx,
						name,
						"agenda",
						"CIMS Campaign",
						f"{hour // 60:02d}:{hour % 60:02d}",
						topic,
					)
				)
				hour += rng.choice((15, 30, 45))
			for idx, user in enumerate(rng.sample(self.reps, min(len(self.reps), rng.randint(1, 3))), 1):
				team_rows.append((team_names.next(), *stamp, idx, name, "team", "CIMS Campaign", user))
			targeted = rng.random() < 0.5
			campaigns.append(
				(
					name,
					*stamp,
					0,
					title,
					campaign_type,
					campaign_format,
					status,
					clock.at(start),
					clock.at(end),
					None if online else rng.choice(data.VENUES).format(city=place.city),
					rng.choice(data.PLATFORMS) if online else None,
					owner,
					rng.choice(self.region_groups) if targeted and self.region_groups else None,
					self._pick("industry") if targeted else None,
					rng.choice(INTENT_LEVELS[:2]) if targeted else None,
					rng.choice((POTENTIAL, INTENT, ACTIVE)) if targeted else None,
					total,
					self._campaign_source(campaign_type, campaign_format),
				)
			)
			self.campaign_list.append(Campaign(name, start, end, status, online, owner))
		elapsed = time.perf_counter() - started
		self.writer.insert("CIMS Campaign", CAMPAIGN_FIELDS, campaigns)
		self.writer.insert("CIMS Campaign Budget Item", BUDGET_FIELDS, budget_rows)
		self.writer.insert("CIMS Campaign Agenda Item", AGENDA_FIELDS, agenda_rows)
		self.writer.insert("CIMS Campaign Team Member", TEAM_FIELDS, team_rows)
		self.writer.add_time("CIMS Campaign", elapsed)

	def _campaign_source(self, campaign_type: str, campaign_format: str) -> str | None:
		"""The customer source a campaign's spend counts toward, when the site has it."""
		if campaign_format == "Expo":
			source = "展会推广"
		else:
			source = "线上广告" if campaign_type == "Online Event" else "营销活动"
		return source if source in self.sources else None

	def _update_campaign_metrics(self) -> None:
		"""Participants, conversions, revenue and ROI of this run's campaigns, by the app's own set-based rule."""
		if not self.campaign_list:
			return
		self.writer.flush()
		started = time.perf_counter()
		with self.writer.database():
			refresh_metrics([campaign.name for campaign in self.campaign_list])
		self.writer.add_time("CIMS Campaign", time.perf_counter() - started)

	# Customers, batch by batch -------------------------------------------------------------

	def _make_customers(self) -> None:
		options = self.options
		total = options.customers
		if not total:
			return
		rng = self.rng
		span = self.now - DAY
		# Business grows: half of the customers arrive evenly, half more and more towards today.
		moments = sorted(
			int(span * (rng.random() if rng.random() < 0.5 else rng.random() ** 0.5)) for _ in range(total)
		)
		self.names = {
			doctype: HashNames(doctype, self.writer.lock)
			for doctype in ("Contact Phone", "Contact Email", "Dynamic Link", "CIMS Campaign Member")
		}
		# Members go where there are campaigns to join: a customer can join those not over before it existed.
		ends = sorted(campaign.end for campaign in self.campaign_list)
		self.joinable = [len(ends) - bisect_left(ends, moment) for moment in moments]
		self.joinable_total = sum(self.joinable)
		self.joinable_done = 0
		done = 0
		batches = (total + options.batch_size - 1) // options.batch_size
		for number in range(1, batches + 1):
			batch_started = time.perf_counter()
			moments_batch = moments[done : done + options.batch_size]
			self._make_batch(moments_batch, done, total)
			done += len(moments_batch)
			self._commit()
			self.log(
				_("Batch {0}/{1}: {2} of {3} customers, {4} s").format(
					number, batches, done, total, f"{time.perf_counter() - batch_started:.1f}"
				)
			)

	@staticmethod
	def _quota(total: float, whole: float, done: float, in_batch: float) -> int:
		"""This batch's share of `total`, so that the shares of all batches add up to exactly `total`."""
		if not whole:
			return 0
		return round(total * (done + in_batch) / whole) - round(total * done / whole)

	def _spread(self, quota: int, weights: list[float]) -> list[int]:
		"""Split `quota` over customers in proportion to `weights` (a multinomial draw)."""
		counts = [0] * len(weights)
		if quota <= 0 or not weights:
			return counts
		cumulative, total = [], 0.0
		for weight in weights:
			total += weight
			cumulative.append(total)
		for index in self.rng.choices(range(len(weights)), cum_weights=cumulative, k=quota):
			counts[index] += 1
		return counts

	def _make_batch(self, moments: list[int], done: int, total: int) -> None:
		options = self.options
		started = time.perf_counter()
		customers = [self._new_customer(created) for created in moments]
		self.writer.add_time("CIMS Customer", time.perf_counter() - started)

		started = time.perf_counter()
		contact_rows, phone_rows, email_rows, link_rows = [], [], [], []
		self._make_contacts(customers, done, total, contact_rows, phone_rows, email_rows, link_rows)
		self.writer.insert("Contact", CONTACT_FIELDS, contact_rows, started)
		self.writer.insert("Contact Phone", PHONE_FIELDS, phone_rows)
		self.writer.insert("Contact Email", EMAIL_FIELDS, email_rows)
		self.writer.insert("Dynamic Link", LINK_FIELDS, link_rows)
		del contact_rows, phone_rows, email_rows, link_rows

		started = time.perf_counter()
		joinable = self.joinable[done : done + len(customers)]
		quota = self._quota(options.members, self.joinable_total, self.joinable_done, sum(joinable))
		self.joinable_done += sum(joinable)
		self._choose_campaigns(customers, quota, joinable)
		self.writer.add_time("CIMS Campaign Member", time.perf_counter() - started)

		started = time.perf_counter()
		ages = [max(self.now - c.created, DAY) for c in customers]
		weights = [
			OPPORTUNITY_WEIGHT[c.stage] * (0.4 + min(age, 730 * DAY) / (730 * DAY))
			for c, age in zip(customers, ages, strict=True)
		]
		counts = self._spread(self._quota(options.opportunities, total, done, len(customers)), weights)
		rows = []
		for customer, count in zip(customers, counts, strict=True):
			self._make_opportunities(customer, count, rows)
		self.writer.insert("CIMS Opportunity", OPPORTUNITY_FIELDS, rows, started)

		started = time.perf_counter()
		rows = self._member_rows(customers)
		self.writer.insert("CIMS Campaign Member", MEMBER_FIELDS, rows, started)

		started = time.perf_counter()
		weights = [
			FOLLOW_UP_WEIGHT[c.stage] * (0.3 + min(age, 730 * DAY) / (730 * DAY))
			for c, age in zip(customers, ages, strict=True)
		]
		counts = self._spread(self._quota(options.follow_ups, total, done, len(customers)), weights)
		rows = []
		for customer, count in zip(customers, counts, strict=True):
			self._make_follow_ups(customer, count, rows)
		self.writer.insert("CIMS Follow-Up", FOLLOW_UP_FIELDS, rows, started)
		del rows

		started = time.perf_counter()
		rows = [self._finish_customer(customer) for customer in customers]
		self.writer.insert("CIMS Customer", CUSTOMER_FIELDS, rows, started)

	# One customer --------------------------------------------------------------------

	def _new_customer(self, created_day_offset: int) -> _Customer:
		rng, clock, ids = self.rng, self.clock, self.identities
		customer = _Customer()
		created = created_day_offset // DAY * DAY + rng.randint(8 * HOUR + 1800, 18 * HOUR)
		created = min(created, self.now - DAY)
		customer.created = created
		age_days = (self.now - created) // DAY
		mix = next(shares for limit, shares in STAGE_MIX_BY_AGE if age_days < limit)
		stage = rng.choices(STAGES, weights=mix)[0]
		customer.stage = stage
		if stage == CHURNED:
			customer.churned = created + int((self.now - 7 * DAY - created) * rng.uniform(0.6, 1.0))
		kind = self._pick("customer_type")
		customer.kind = kind
		customer.manager = rng.choice(self.reps)
		customer.name = self.series.next_name("CIMS Customer", clock.month_prefix(created), 4)

		region = self._pick("region")
		place = ids.place(region)
		row = {
			"customer_type": kind,
			"region": region,
			"lifecycle_stage": stage,
			"customer_source": self._pick("source"),
			"intent_level": rng.choices(INTENT_LEVELS, weights=INTENT_MIX[stage])[0],
			"need_urgency": self._pick("urgency"),
			"budget_range": rng.choice(data.BUDGET_RANGES),
		}
		if kind == "Individual":
			person = ids.person()
			birth = ids.birth_date(today=clock.date_obj(created))
			id_number = ids.id_number(place, birth, person.gender)
			need_type = "Product Purchase" if rng.random() < 0.7 else "Technical Service"
			row.update(
				customer_name=person.name,
				short_name=None,
				id_number=id_number,
				id_number_masked=mask_id_number(id_number),
				occupation=rng.choice(data.OCCUPATIONS),
				birthday=birth.isoformat(),
				industry=self._pick("industry") if rng.random() < 0.3 else None,
				customer_category="End Customer",
			)
			organisation, person_self = None, person
		else:
			if kind == "Enterprise":
				industry = self._pick("industry")
				words, business = data.INDUSTRY_WORDS.get(industry, data.GENERIC_INDUSTRY_WORDS)
				organisation = ids.company(place, words)
				code = ids.uscc("91", place)
				size = self._pick("size")
				row.update(
					main_business=business,
					customer_size=size,
					annual_revenue_band=rng.choice(REVENUE_BANDS[size]),
					customer_category=self._pick("category"),
				)
			else:
				industry = rng.choice(self.institution_industries)
				top = self.industries.get(industry, industry)
				patterns = data.INSTITUTION_PATTERNS.get(top, data.GENERIC_INSTITUTION_PATTERNS)
				organisation = ids.institution(place, patterns)
				code = ids.uscc("11" if organisation.name.endswith("局") else "12", place)
				row.update(
					customer_size=rng.choice(("50-200", "200-500", ">500")), customer_category="End Customer"
				)
			need_type = self._pick("need_type")
			row.update(
				customer_name=organisation.name,
				short_name=organisation.short_name,
				unified_social_credit_code=code,
				legal_representative=ids.person().name,
				registered_address=ids.address(place),
				industry=industry,
				phone=ids.landline(place) if rng.random() < 0.6 else None,
			)
			person_self = None
		row["need_type"] = need_type
		row["core_need"] = rng.choice(data.CORE_NEEDS[need_type])
		customer.title = row["customer_name"]
		customer.short_name = row.get("short_name") or row["customer_name"]
		customer.row = row
		customer.place = place
		customer.organisation = organisation
		customer.person = person_self
		return customer

	# Contacts ---------------------------------------------------------------------------

	def _make_contacts(self, customers, done, total, contact_rows, phone_rows, email_rows, link_rows) -> None:
		rng, clock, ids = self.rng, self.clock, self.identities
		average = self.options.contacts_per_customer
		if average >= 1:
			quota = self._quota(average * total, total, done, len(customers))
			weights = [0.0 if c.kind == "Individual" else 1.0 for c in customers]
			extra = self._spread(quota - len(customers), weights) if any(weights) else [0] * len(customers)
			counts = [1 + more for more in extra]
		else:
			counts = [1 if rng.random() < average else 0 for _ in customers]
		phone_names, email_names, link_names = (
			self.names["Contact Phone"],
			self.names["Contact Email"],
			self.names["Dynamic Link"],
		)
		for customer, count in zip(customers, counts, strict=True):
			owner, organisation = customer.manager, customer.organisation
			used: dict[str, int] = {}
			for position in range(count):
				first = position == 0
				person = customer.person if first and customer.person else ids.person()
				base = f"{person.name}-{customer.name}"
				# Frappe names a contact "<full name>-<linked record>" and numbers repeats -1, -2…
				repeat = used.get(base, 0)
				used[base] = repeat + 1
				name = f"{base}-{repeat}" if repeat else base
				created = customer.created + (
					rng.randint(0, 120)
					if first
					else rng.randint(HOUR, max(HOUR, min(self.now - customer.created, 180 * DAY)))
				)
				stamp = clock.at(min(created, self.now))
				mobile = ids.mobile()
				if organisation:
					email = ids.work_email(person, organisation.domain) if rng.random() < 0.85 else None
					if first and customer.kind == "Enterprise" and rng.random() < 0.6:
						designation, department, role = rng.choice(data.DECISION_MAKER_POSITIONS)
					else:
						designation, department, role = rng.choice(data.CONTACT_POSITIONS)
					landline = customer.row.get("phone") if first else None
					birthday = (
						ids.birth_date(25, 60, today=clock.date_obj(created)).isoformat()
						if rng.random() < 0.4
						else None
					)
				else:
					email = ids.personal_email(person) if rng.random() < 0.7 else None
					designation, department, role = None, None, "Decision Maker"
					landline = None
					birthday = customer.row.get("birthday") if first else None
				key_contact = 1 if first or rng.random() < 0.2 else 0
				contact_rows.append(
					(
						name,
						stamp,
						stamp,
						owner,
						owner,
						0,
						0,
						person.name,
						person.name,
						email,
						"Passive",
						designation,
						department,
						person.gender if person.gender in self.genders else None,
						landline,
						mobile,
						1 if first else 0,
						role,
						key_contact,
						birthday,
						mobile if rng.random() < 0.4 else None,
					)
				)
				child = (stamp, stamp, owner, owner, 0)
				phone_rows.append((phone_names.next(), *child, 1, name, "phone_nos", "Contact", mobile, 0, 1))
				if landline:
					phone_rows.append(
						(phone_names.next(), *child, 2, name, "phone_nos", "Contact", landline, 1, 0)
					)
				if email:
					email_rows.append((email_names.next(), *child, 1, name, "email_ids", "Contact", email, 1))
				link_rows.append(
					(
						link_names.next(),
						*child,
						1,
						name,
						"links",
						"Contact",
						"CIMS Customer",
						customer.name,
						customer.title,
					)
				)
				customer.contacts.append((name, person.name))
				if first:
					customer.row.update(primary_contact=name, mobile_no=mobile, email_id=email)

	# Campaign membership ----------------------------------------------------------------

	def _choose_campaigns(self, customers: list[_Customer], quota: int, joinable: list[int]) -> None:
		"""Pick each customer's campaigns (only those not over before the customer existed)."""
		if not self.campaign_list:
			return
		rng = self.rng
		by_end = sorted(self.campaign_list, key=lambda c: c.end)
		ends = [c.end for c in by_end]
		counts = self._spread(quota, [float(count) for count in joinable])
		for customer, count in zip(customers, counts, strict=True):
			wanted = count + self.member_deficit
			first = bisect_left(ends, customer.created)
			eligible = by_end[first:]
			chosen = rng.sample(eligible, min(wanted, len(eligible)))
			self.member_deficit = wanted - len(chosen)
			for campaign in chosen:
				self._add_membership(customer, campaign)

	def _add_membership(self, customer: _Customer, campaign: Campaign) -> None:
		rng = self.rng
		invited = campaign.start - rng.randint(3, 21) * DAY + rng.randint(-3 * HOUR, 3 * HOUR)
		invited = min(max(invited, customer.created + HOUR), self.now - 60)
		roll = rng.random()
		if campaign.status == "Completed":
			status = "Attended" if roll < 0.45 else "No-Show" if roll < 0.7 else "Invited"
		elif campaign.status == "Ongoing":
			status = "Attended" if roll < 0.3 else "Registered" if roll < 0.6 else "Invited"
		else:
			status = "Registered" if roll < 0.35 else "Invited"
		checked_in = None
		if status == "Attended":
			latest = min(campaign.end, self.now - 60)
			checked_in = max(campaign.start + rng.randint(-900, 3600), invited + 600)
			if checked_in > latest:
				status, checked_in = "Registered" if campaign.status == "Ongoing" else "No-Show", None
		high_intent = status == "Attended" and rng.random() < 0.15
		customer.campaigns.append([campaign, status, invited, checked_in, Decimal(0), high_intent])

	def _member_rows(self, customers: list[_Customer]) -> list[tuple]:
		rng, clock, names = self.rng, self.clock, self.names["CIMS Campaign Member"]
		rows = []
		for customer in customers:
			contact = customer.row.get("primary_contact")
			for campaign, status, invited, checked_in, converted, high_intent in customer.campaigns:
				attended = status == "Attended"
				owner = campaign.owner
				minutes = (campaign.end - campaign.start) / 60
				rows.append(
					(
						names.next(),
						clock.at(invited),
						clock.at(checked_in or invited),
						owner,
						owner,
						0,
						0,
						campaign.name,
						customer.name,
						customer.title,
						contact,
						status,
						clock.at(invited),
						clock.at(checked_in) if checked_in else None,
						new_check_in_token(),
						rng.randint(0, 12) if attended else 0,
						round(rng.uniform(5, minutes), 1) if attended and campaign.online else 0,
						rng.choice(data.MEMBER_FEEDBACK) if attended and rng.random() < 0.4 else None,
						1 if high_intent else 0,
						1 if converted else 0,
						converted,
					)
				)
		return rows

	# Opportunities -------------------------------------------------------------------------

	def _make_opportunities(self, customer: _Customer, count: int, rows: list) -> None:
		rng, clock = self.rng, self.clock
		stage = customer.stage
		end_limit = customer.churned or self.now
		earliest = customer.created + HOUR
		latest = max(earliest, end_limit - HOUR)
		attended = [m for m in customer.campaigns if m[1] == "Attended"]
		contacts = customer.contacts
		manager = customer.manager
		open_stages = self.open_stages or [self.won_stage]
		products = INDIVIDUAL_PRODUCTS if customer.kind == "Individual" else data.PRODUCTS
		funnel = [len(open_stages) - i for i in range(len(open_stages))]
		for position in range(count):
			if position == 0 and stage in (ACTIVE, PAUSED, CHURNED):
				status = "Won"  # such a customer has signed at least once
			else:
				status = rng.choices(("In Progress", "Won", "Lost"), weights=OUTCOME_MIX[stage])[0]
			membership = rng.choice(attended) if attended and rng.random() < 0.5 else None
			if membership:
				created = membership[3] + rng.randint(HOUR, 30 * DAY)
			else:
				created = rng.randint(earliest, latest)
			created = min(max(created, earliest), latest)
			product, low_price, high_price, low_quantity, high_quantity = rng.choice(products)
			# Most deals are small: price and quantity lean towards the low end of their ranges.
			unit_price = low_price + int((high_price - low_price) * rng.random() ** 2)
			if unit_price >= 1000:
				unit_price = unit_price // 100 * 100
			quantity = low_quantity + int((high_quantity - low_quantity) * rng.random() ** 3)
			expected = expected_amount(unit_price, quantity)
			closed = None
			if status != "In Progress":
				closed = min(created + rng.randint(HOUR, 120 * DAY), max(end_limit - 60, created + 60))
			if status == "Won":
				if self.after_sale_stages and self.now - closed > 60 * DAY and rng.random() < 0.5:
					sales_stage = rng.choice(self.after_sale_stages)
				else:
					sales_stage = self.won_stage
				won = (expected * Decimal(str(round(rng.uniform(0.85, 1.0), 3)))).quantize(Decimal(1))
				probability = sales_stage.probability
			elif status == "Lost":
				sales_stage = self.lost_stage or rng.choices(open_stages, weights=funnel)[0]
				won, probability = Decimal(0), 0  # a lost deal weighs nothing in the pipeline
			else:
				sales_stage = rng.choices(open_stages, weights=funnel)[0]
				won, probability = Decimal(0), sales_stage.probability
			if closed is None:
				changed = created + int((self.now - created) * rng.random() ** 0.5)
				close_by = max(created + 7 * DAY, self.now + rng.randint(-20, 120) * DAY)
			else:
				changed = closed
				close_by = max(created, closed + rng.randint(-10, 10) * DAY)
			name = self.series.next_name("CIMS Opportunity", f"OPP-{clock.year(created)}-", 5)
			if membership and status == "Won":
				membership[4] += won
			rows.append(
				(
					name,
					clock.at(created),
					clock.at(changed),
					manager,
					manager,
					0,
					0,
					rng.choice(data.OPPORTUNITY_TITLE_PATTERNS).format(
						customer=customer.short_name, product=product, year=clock.year(created)
					),
					customer.name,
					customer.title,
					rng.choice(contacts)[0] if contacts else None,
					sales_stage.name,
					status,
					clock.date(close_by),
					clock.at(changed),
					manager,
					unit_price,
					quantity,
					expected,
					probability,
					weighted_amount(expected, probability),
					won,
					clock.date(closed) if closed is not None else None,
					rng.choice(data.LOST_REASONS) if status == "Lost" else None,
					membership[0].name if membership else None,
					customer.row["core_need"],
				)
			)
			customer.opportunities.append(
				(name, created, closed if closed is not None else end_limit, product)
			)
			if status == "Won":
				customer.won.append((closed, won))

	# Follow-ups ------------------------------------------------------------------------------

	def _work_hours(self, moment: int) -> int:
		return moment // DAY * DAY + self.rng.randint(9 * HOUR, 19 * HOUR)

	def _make_follow_ups(self, customer: _Customer, count: int, rows: list) -> None:
		if not count:
			return
		rng, clock, series = self.rng, self.clock, self.series
		stage = customer.stage
		start = customer.created + 600
		end = min(self.now - 600, customer.churned + DAY) if customer.churned else self.now - 600
		planned = 1 if rng.random() < PLANNED_CHANCE[stage] else 0
		types = "follow_up_type" if stage in SERVICE_STAGES else "prospect_follow_up_type"
		manager, title, contacts = customer.manager, customer.title, customer.contacts
		opportunities = customer.opportunities
		attended = [(m[0].name, m[3]) for m in customer.campaigns if m[1] == "Attended"]
		moments = sorted(
			min(max(self._work_hours(rng.randint(start, end)), start), end) for _ in range(count - planned)
		)
		last_completed = None
		for moment in moments:
			follow_up_type = self._pick(types)
			contact = rng.choice(contacts) if contacts else None
			opportunity, product = None, None
			if opportunities and rng.random() < 0.4:
				candidate = rng.choice(opportunities)
				if candidate[1] <= moment <= candidate[2]:
					opportunity, product = candidate[0], candidate[3]
			product = product or rng.choice(data.PRODUCTS)[0]
			created = min(moment + rng.randint(60, 2 * HOUR), self.now)
			name = series.next_name("CIMS Follow-Up", f"FU-{clock.year(created)}-", 7)
			stamp = clock.at(created)
			if rng.random() < 0.04:
				rows.append(
					[
						name,
						stamp,
						stamp,
						manager,
						manager,
						0,
						0,
						customer.name,
						title,
						contact[0] if contact else None,
						follow_up_type,
						"Called Off",
						clock.at(moment),
						None,
						manager,
						None,
						rng.choice(data.CANCELLED_CONTENT),
						None,
						None,
						None,
						None,
						None,
						opportunity,
						None,
						None,
					]
				)
				continue
			if follow_up_type == "Complaint":
				result = "Needs Follow-Up" if rng.random() < 0.5 else "Success"
				feedback = "Negative" if rng.random() < 0.7 else "Hesitant"
				score = rng.choice((0.2, 0.4, 0.6))
			else:
				result = self._pick("result")
				feedback = self._pick("feedback:" + result)
				score = rng.choice((0.6, 0.8, 0.8, 1.0, 1.0)) if follow_up_type == "Service" else None
			campaign = next(
				(c for c, checked_in in attended if checked_in <= moment <= checked_in + 14 * DAY), None
			)
			templates = self.templates.get(follow_up_type)
			content = rng.choice(data.FOLLOW_UP_CONTENT[follow_up_type]).format(
				contact=contact[1] if contact else customer.short_name,
				product=product,
				feedback=rng.choice(data.FEEDBACK_PHRASES[feedback]),
			)
			last_completed = [
				name,
				stamp,
				stamp,
				manager,
				manager,
				0,
				0,
				customer.name,
				title,
				contact[0] if contact else None,
				follow_up_type,
				"Completed",
				clock.at(max(moment - rng.randint(0, 2 * DAY), customer.created)),
				clock.at(moment),
				manager,
				rng.choice(templates) if templates and rng.random() < 0.25 else None,
				content,
				result,
				feedback,
				score,
				rng.choice(data.NEXT_ACTIONS),
				None,
				opportunity,
				campaign,
				None,
			]
			rows.append(last_completed)
			customer.last_done = moment  # moments are sorted: the last one is the latest
		if planned:
			if rng.random() < 0.12:
				scheduled = max(self.now - rng.randint(HOUR, 5 * DAY), customer.created + HOUR)
			else:
				scheduled = self._work_hours(self.now + rng.randint(DAY, 21 * DAY))
			created = max(
				customer.last_done or 0, min(self.now - rng.randint(0, 5 * DAY), scheduled), customer.created
			)
			created = min(created + 60, self.now)
			follow_up_type = self._pick(types)
			contact = rng.choice(contacts) if contacts else None
			templates = self.templates.get(follow_up_type)
			name = series.next_name("CIMS Follow-Up", f"FU-{clock.year(created)}-", 7)
			stamp = clock.at(created)
			rows.append(
				[
					name,
					stamp,
					stamp,
					manager,
					manager,
					0,
					0,
					customer.name,
					title,
					contact[0] if contact else None,
					follow_up_type,
					"Planned",
					clock.at(scheduled),
					None,
					manager,
					rng.choice(templates) if templates else None,
					rng.choice(data.PLANNED_CONTENT).format(
						contact=contact[1] if contact else customer.short_name,
						product=rng.choice(data.PRODUCTS)[0],
					),
					None,
					None,
					None,
					None,
					None,
					None,
					None,
					last_completed[0] if last_completed else None,
				]
			)
			customer.next_planned = scheduled
			if last_completed:
				last_completed[FOLLOW_UP_NEXT_ON] = clock.at(scheduled)

	# The customer row, once everything hanging off it is known ---------------------------------

	def _finish_customer(self, customer: _Customer) -> tuple:
		clock, now, row = self.clock, self.now, customer.row
		year_ago, half_year_ago = now - 365 * DAY, now - 182 * DAY
		annual = last_6m = prior_6m = cumulative = Decimal(0)
		for closed, amount in customer.won:
			cumulative += amount
			if closed >= year_ago:
				annual += amount
				if closed >= half_year_ago:
					last_6m += amount
				else:
					prior_6m += amount
		growth = amount_growth_percent(last_6m, prior_6m)
		tier = compute_value_tier(annual, growth, *self.tier_thresholds)
		stage = customer.stage
		contract_amount, contract_end = Decimal(0), None
		if customer.won:
			last_closed, last_amount = max(customer.won)
			if stage == ACTIVE:
				contract_end = last_closed + self.rng.randint(365, 1095) * DAY
				if contract_end < now:
					contract_end = now + self.rng.randint(10, 365) * DAY  # renewed
			elif stage == PAUSED:
				contract_end = last_closed + 365 * DAY
			else:
				contract_end = min(
					last_closed + 365 * DAY, (customer.churned or now) - self.rng.randint(0, 60) * DAY
				)
				contract_end = max(contract_end, last_closed)
			contract_amount = last_amount
		elif stage == ACTIVE:
			# Signed on a contract rather than through a recorded opportunity.
			contract_amount = Decimal(self.rng.randint(50, 800) * 1000)
			contract_end = now + self.rng.randint(30, 700) * DAY
		latest = max(
			customer.created,
			customer.last_done or 0,
			max((closed for closed, _amount in customer.won), default=0),
		)
		high_intent = [m[3] for m in customer.campaigns if m[5]]
		row.update(
			name=customer.name,
			creation=clock.at(customer.created),
			modified=clock.at(min(latest, now)),
			modified_by=customer.manager,
			owner=customer.manager,
			docstatus=0,
			idx=0,
			naming_series=".YYYY..MM.-.####",
			lifecycle_stage_changed_on=clock.at(self._entered_stage(customer)),
			value_tier=tier,
			high_intent_on=clock.at(max(high_intent)) if high_intent else None,
			classification_label=classification_label(row.get("industry"), tier, stage, row["need_type"]),
			name_exact_key=exact_key(customer.title),
			name_match_key=match_key(customer.title),
			name_unique_key=unique_name_key(row.get("customer_type"), exact_key(customer.title)),
			first_contact_date=clock.date(customer.created),
			account_manager=customer.manager,
			sales_team=self.team_of.get(customer.manager),
			account_manager_since=clock.at(customer.created),
			first_deal_date=clock.date(min(customer.won)[0]) if customer.won else None,
			churned_on=clock.date(customer.churned) if customer.churned else None,
			contract_amount=contract_amount,
			contract_end_date=clock.date(contract_end) if contract_end is not None else None,
			# never checked: due a tier cadence after the creation, as a save sets it
			maintenance_due_on=self.upkeep_due_on(clock.date(customer.created), tier),
			annual_amount=annual,
			cumulative_amount=cumulative,
			amount_growth_6m=growth or 0,
			last_follow_up_on=clock.at(customer.last_done) if customer.last_done is not None else None,
			next_follow_up_on=clock.at(customer.next_planned) if customer.next_planned is not None else None,
			data_source=DEMO_DATA_SOURCE,
		)
		for fieldname, (mirror, mask) in MASKED_MIRRORS.items():
			value = row.get(fieldname)
			row[mirror] = mask(value) if value else None
		return tuple(row.get(field) for field in CUSTOMER_FIELDS)

	def _entered_stage(self, customer: _Customer) -> int:
		"""When the customer moved into its current lifecycle stage."""
		created, stage, share = customer.created, customer.stage, self.rng.uniform(0.1, 0.6)
		if stage == POTENTIAL:
			return created
		if stage == CHURNED:
			return customer.churned
		if stage == ACTIVE and customer.won:
			return min(customer.won)[0]
		if stage == PAUSED and customer.won:
			last_closed = max(customer.won)[0]
			return last_closed + int((self.now - last_closed) * share)
		return created + int((self.now - created) * share)


FOLLOW_UP_NEXT_ON = FOLLOW_UP_FIELDS.index("next_follow_up_on")
