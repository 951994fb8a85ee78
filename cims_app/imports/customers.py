"""The customer handler: one row is a customer with its primary contact (SPEC §6).

New customers are written in bulk: names from a reserved block of the naming series the form would take
(bulk_insert.default_series), derived fields from the same function the controller uses, the contact with
its phone, email and link rows, the Version rows Frappe writes for imported records and the global-search
entries, a few statements per chunk. Updates and merges into existing customers go through the controller (Document.save), so the
workflow, Version diff and stage history are exactly the form's.
"""

import time
from collections import Counter
from operator import itemgetter

import frappe
from frappe import _
from frappe.utils import now_datetime, nowdate

from cims_app.access import permissions
from cims_app.customers import assignment, upkeep
from cims_app.customers.duplicates import (
	UNIQUE_COLUMNS,
	same_reason,
	similar_site_names,
	site_customers_by_keys,
)
from cims_app.customers.name_sketch import name_sketch_for
from cims_app.db.automations import SiteAutomations
from cims_app.db.bulk_insert import (
	CHILD_COLUMNS,
	SeriesNames,
	column_defaults,
	default_series,
	hash_name,
	insert_dicts,
	sync_global_search,
	version_rows,
)
from cims_app.domain.customer_rules import derived_customer_fields
from cims_app.domain.duplicates import (
	SAME,
	SIMILAR_FOUND,
	SIMILAR_NAME,
	CustomerIndex,
	CustomerKeys,
	SimilarNameIndex,
	customer_keys,
	verdict,
)
from cims_app.domain.errors import RuleViolation
from cims_app.domain.lifecycle_rules import (
	INITIAL_STAGE,
	check_active_requirement,
	check_stage,
	stage_move_effects,
)
from cims_app.domain.merge_policy import SKIP, append_source, resolve
from cims_app.imports.context import FAILED, INSERTED, MERGED, SKIPPED, UPDATED, ImportContext, SourceRow
from cims_app.imports.records import contacts_of, in_savepoint, updater_reference
from cims_app.imports.rows import RowError, customer_row_rules, lookup_key, split_customer_contact

CUSTOMER = "CIMS Customer"
# A contact's child tables written in bulk: parentfield -> (DocType, its columns besides CHILD_COLUMNS).
CONTACT_CHILDREN = {
	"links": ("Dynamic Link", ("link_doctype", "link_name", "link_title")),
	"phone_nos": ("Contact Phone", ("phone", "is_primary_mobile_no", "is_primary_phone")),
	"email_ids": ("Contact Email", ("email_id", "is_primary")),
}
_SAVEPOINT = "cims_import_customers"
_REPLAY_SAVEPOINT = "cims_import_automations"


class CustomerHandler:
	def __init__(self, context: ImportContext, write: bool = True):
		self.context = context
		self.write = write
		# Match keys of the run's new customers, for the whole run (the site's customers with a possibly same
		# name are looked up a chunk at a time: similar_site_names).
		self.similar_names = SimilarNameIndex()
		self.site_similar: dict[str, list[str]] = {}
		# Exact keys of the chunk's customers, in the site or not: rebuilt for each chunk.
		self.index = CustomerIndex(self.similar_names)
		# Keys new to the site of rows merged into a site customer, which the merge may not have written
		# (a conflict policy kept the customer's own value): later rows with them go to the same customer.
		self.merged_keys: dict[tuple[str, str], tuple[str, CustomerKeys]] = {}
		self.timings: Counter = Counter()

	def prepare(self) -> None:
		# The site's own automations for customers and contacts: with any, new customers are saved one by
		# one through Document.insert (insert_by_hand) so that they run; without, in bulk.
		self.customer_automations = SiteAutomations(CUSTOMER)
		self.contact_automations = SiteAutomations("Contact")
		both = (self.customer_automations, self.contact_automations)
		self.automations = [description for site in both for description in site.descriptions]
		self.one_by_one = [description for site in both for description in site.before_write]
		# The series the form would name new customers by (an admin may have set another in Document Naming
		# Settings); one that takes values from each record, or a Document Naming Rule, is an automation of
		# the site (SiteAutomations) and the rows are then saved one by one.
		self.series = default_series(CUSTOMER)
		self.names = None if self.one_by_one else SeriesNames(self.series)
		info = self.context.info
		self.site_names = name_sketch_for(max(0, info.row_bound - info.header_row)) if self.write else None
		self.customer_columns, self.customer_base = column_defaults(CUSTOMER)
		self.contact_columns, self.contact_base = column_defaults("Contact")
		self.user = frappe.session.user
		self.reference = updater_reference(self.context)
		self._teams: dict = {}
		self._members: dict = {}

	def finish(self) -> None:
		pass

	# Deciding -------------------------------------------------------------------------------------

	def process(self, rows: list[SourceRow]) -> None:
		clock = time.perf_counter()
		for row in rows:
			if row.status != FAILED:
				self.read(row)
		keys = [row.data["keys"] for row in rows if row.status != FAILED]
		self.index = self.known_customers(keys)
		clock = self._tick("find existing", clock)
		self.site_similar = similar_site_names(
			(customer.match_key for customer in keys), sketch=self.site_names
		)
		clock = self._tick("find similar names", clock)
		for row in rows:
			if row.status != FAILED:
				self.decide(row)
		clock = self._tick("decide", clock)
		if not self.write:
			self.plan(rows)
			return
		self.write_inserts([row for row in rows if row.action == "insert" and row.status != FAILED])
		for row in rows:
			if row.status in (MERGED, SKIPPED) and isinstance(row.target, SourceRow):
				row.record = row.target.record
		self.write_updates(
			[row for row in rows if row.action in ("update", "merge") and row.status != FAILED]
		)
		self.describe_possible_duplicates(rows)
		# Later chunks find these customers' keys in the site; the possible-duplicate index files them
		# under their record's name from now on and stops holding the rows, which the run then lets go.
		for row in rows:
			if row.action == "insert" and row.record and row.data:
				self.similar_names.rebind(row.data["keys"].match_key, row, row.record)
		self._tick("writes (all)", clock)

	def known_customers(self, keys: list[CustomerKeys]) -> CustomerIndex:
		"""The chunk's index of exact keys: the site's customers sharing a key with one of its rows, then
		what earlier merges filed; the chunk's own new customers join it as they are decided."""
		index = site_customers_by_keys(keys, self.similar_names)
		for customer in keys:
			for pair in customer.identifying():
				merged = self.merged_keys.get(pair)
				if merged:
					index.add_key(*pair, *merged)
		return index

	def _tick(self, phase: str, since: float) -> float:
		now = time.perf_counter()
		self.timings[phase] += now - since
		return now

	def read(self, row: SourceRow) -> None:
		customer, contact = split_customer_contact(row.values)
		for error in customer_row_rules(customer):
			row.errors.append(error)
		if row.errors:
			row.status = FAILED
			return
		row.data = {"customer": customer, "contact": contact, "keys": customer_keys(customer)}

	def decide(self, row: SourceRow) -> None:
		"""Insert the row, or take it as an existing customer (file or site), by the rule of
		domain.duplicates: a credit code, ID number or exact name decides, a mobile or e-mail only when
		nothing tells the two apart; a company told apart by its identifiers is at most a possible duplicate."""
		context = self.context
		customer = row.data["customer"]
		keys = row.data["keys"]
		resolution = self.index.resolve(keys)
		same = self._targets(resolution.same)
		taken = self._targets(resolution.taken)
		if len(same) > 1 or (same and taken):
			row.fail(
				_("This row matches more than one customer: {0}").format(
					"; ".join(
						f"{self.describe(target)} ({same_reason(reason)})"
						for target, reason in {**same, **taken}.items()
					)
				)
			)
			return
		if taken:
			target = next(iter(taken))
			row.fail(
				_(
					"The name is already used by {0}, whose credit code or ID number differs: two customers cannot share an exact name"
				).format(self.describe(target)),
				"customer_name",
			)
			return
		if same:
			target, reason = next(iter(same.items()))
			self.decide_existing(row, target, reason)
			return
		if context.import_type == "Update":
			row.outcome(
				SKIPPED, _("No existing customer matches this row: an Update changes existing customers only")
			)
			return
		if not self.new_customer_stage(row, customer):
			return
		row.action = "insert"
		row.data["possible"] = list(self._targets(resolution.possible).items())
		row.data["similar"] = self.similar(keys)
		self.index.add(keys, row)

	def similar(self, keys: CustomerKeys) -> list:
		"""Possible duplicates by name: the file's earlier rows (or their records), then the site's customers,
		SIMILAR_FOUND at most."""
		found = self.index.similar(keys)
		named = {ref.record if isinstance(ref, SourceRow) else ref for ref in found}
		for name in self.site_similar.get(keys.match_key, ()):
			if name not in named:
				named.add(name)
				found.append(name)
		return found[:SIMILAR_FOUND]

	@staticmethod
	def _targets(found: list[tuple]) -> dict:
		"""{customer or earlier row: reason}, an earlier row that has its record by the record's name."""
		targets: dict = {}
		for ref, reason in found:
			target = ref.record if isinstance(ref, SourceRow) and ref.record else ref
			targets.setdefault(target, reason)
		return targets

	def new_customer_stage(self, row: SourceRow, customer: dict) -> bool:
		"""The lifecycle rules a new customer created in a stage past the first one must meet (as in the
		form): Active needs a contract amount (a new customer has no won opportunity), and the stage sets
		its dates."""
		stage = customer.get("lifecycle_stage") or INITIAL_STAGE
		if stage == INITIAL_STAGE:
			return True
		try:
			check_stage(stage)
			check_active_requirement(stage, False, customer.get("contract_amount"))
		except RuleViolation as error:
			row.errors.append(RowError("lifecycle_stage", error.message, error.params))
			row.status = FAILED
			return False
		customer.update(
			stage_move_effects(
				None, stage, self.context.today, customer.get("churned_on"), customer.get("first_deal_date")
			)
		)
		return True

	def decide_existing(self, row: SourceRow, target, reason: str) -> None:
		context = self.context
		described = self.describe(target)
		record = target if isinstance(target, str) else None
		if context.import_type == "Insert":
			if isinstance(target, SourceRow):
				row.target = target
				row.outcome(
					SKIPPED, _("Same customer as row {0} ({1})").format(target.number, same_reason(reason))
				)
			else:
				row.outcome(
					SKIPPED, _("Already exists: {0} ({1})").format(described, same_reason(reason)), record
				)
			return
		if context.policy == SKIP:
			row.outcome(
				SKIPPED,
				_("Exists: {0} ({1}); the conflict policy Skip leaves it unchanged").format(
					described, same_reason(reason)
				),
				record,
			)
			return
		if isinstance(target, SourceRow):
			# An earlier row of this chunk inserts that customer: fold this row into it before writing.
			changes = resolve(target.data["customer"], row.data["customer"], context.policy)
			target.data["customer"].update(changes)
			if row.data["contact"] and not target.data["contact"]:
				target.data["contact"] = row.data["contact"]
			row.target = target
			row.outcome(MERGED, _("Merged into row {0} ({1})").format(target.number, same_reason(reason)))
			return
		row.action = "update" if context.import_type == "Update" else "merge"
		row.target = target
		row.data["reason"] = reason
		self.index.add(row.data["keys"], target, similar=False)
		merged = self.index.keys_of(target)
		for pair in row.data["keys"].identifying():
			if self.index.owner(*pair) == target:  # a key only this customer holds now
				self.merged_keys[pair] = (target, merged)

	def describe(self, target) -> str:
		if isinstance(target, SourceRow):
			return _("row {0}").format(target.number)
		return _("customer {0}").format(target)

	# Writing new customers ------------------------------------------------------------------------

	def write_inserts(self, rows: list[SourceRow]) -> None:
		"""Write the chunk's new customers: in bulk, then the site's after-write automations on each of them;
		one by one through Document.insert when an automation acts before the write, or when one raised for
		a record of the chunk (the bulk writes are undone and each row then fails or passes on its own)."""
		if not rows:
			return
		if self.one_by_one:
			self.insert_by_hand(rows)
			return
		if not self.automations:
			self.insert_in_bulk(rows)
			return
		frappe.db.savepoint(_REPLAY_SAVEPOINT)
		self.insert_in_bulk(rows)
		clock = time.perf_counter()
		try:
			inserted = [row.record for row in rows if row.status == INSERTED]
			self.customer_automations.run_after_write(inserted)
			if self.contact_automations.found:
				contacts = frappe.get_all(
					CUSTOMER, filters={"name": ("in", inserted or [""])}, pluck="primary_contact"
				)
				self.contact_automations.run_after_write([name for name in contacts if name])
		except Exception:
			frappe.db.rollback(save_point=_REPLAY_SAVEPOINT)
			for row in rows:
				row.status, row.record, row.message = None, None, ""
			self.insert_by_hand(rows)
			return
		frappe.db.release_savepoint(_REPLAY_SAVEPOINT)
		self._tick("automations", clock)

	def insert_in_bulk(self, rows: list[SourceRow]) -> None:
		clock = time.perf_counter()
		frappe.has_permission(CUSTOMER, "create", throw=True)
		context = self.context
		now = now_datetime()
		today = nowdate()
		user = self.user
		names = self.names.take(len(rows))
		cadence = upkeep.upkeep_cadence()
		customers, contacts, phones, emails, links = [], [], [], [], []
		contact_names = self._free_contact_names(rows, names)
		for row, name in zip(rows, names, strict=True):
			values = row.data["customer"]
			customer = dict(self.customer_base)
			customer.update(values)
			customer.update(
				name=name,
				naming_series=self.series,
				creation=now,
				modified=now,
				owner=user,
				modified_by=user,
				lifecycle_stage=customer.get("lifecycle_stage") or "Potential Customer",
				lifecycle_stage_changed_on=now,
				first_contact_date=customer.get("first_contact_date") or today,
				data_source=context.data_source,
			)
			if customer.get("account_manager"):
				self.track_account_manager(customer, now)
			customer.update(derived_customer_fields(customer))
			customer["maintenance_due_on"] = upkeep.due_on(
				customer.get("last_maintained_on"), now, customer.get("value_tier"), cadence
			)
			permissions.set_masked_personal_data(_Record(customer))
			contact = row.data["contact"]
			if contact:
				contact_name = contact_names[row]
				record = dict(self.contact_base)
				record.update({key: value for key, value in contact.items() if value not in (None, "")})
				record.update(
					name=contact_name,
					full_name=contact["first_name"],
					is_primary_contact=1,
					creation=now,
					modified=now,
					owner=user,
					modified_by=user,
				)
				contacts.append(record)
				child = {
					"creation": now,
					"modified": now,
					"owner": user,
					"modified_by": user,
					"docstatus": 0,
					"parent": contact_name,
					"parenttype": "Contact",
					"idx": 1,
				}
				links.append(
					{
						**child,
						"name": hash_name(),
						"parentfield": "links",
						"link_doctype": CUSTOMER,
						"link_name": name,
						"link_title": customer["customer_name"],
					}
				)
				if contact.get("mobile_no"):
					phones.append(
						{
							**child,
							"name": hash_name(),
							"parentfield": "phone_nos",
							"phone": contact["mobile_no"],
							"is_primary_mobile_no": 1,
							"is_primary_phone": 0,
						}
					)
				if contact.get("email_id"):
					emails.append(
						{
							**child,
							"name": hash_name(),
							"parentfield": "email_ids",
							"email_id": contact["email_id"],
							"is_primary": 1,
						}
					)
				customer["primary_contact"] = contact_name
				customer["mobile_no"] = contact.get("mobile_no") or customer.get("mobile_no")
				customer["email_id"] = contact.get("email_id") or customer.get("email_id")
				permissions.set_masked_personal_data(_Record(customer))
			customers.append(customer)
		clock = self._tick("build rows", clock)
		written = self.insert_customers(list(zip(rows, customers, strict=True)))
		kept = {customer["name"] for customer in written}
		for row, customer in zip(rows, customers, strict=True):
			if customer["name"] in kept:
				row.outcome(INSERTED, "", customer["name"])
		if len(written) < len(customers):
			# Rows a concurrent save took meanwhile: their contacts are not written either.
			kept_contacts = {
				customer["primary_contact"] for customer in written if customer.get("primary_contact")
			}
			customers, names = written, [name for name in names if name in kept]
			contacts = [record for record in contacts if record["name"] in kept_contacts]
			links, phones, emails = (
				[child for child in children if child["parent"] in kept_contacts]
				for children in (links, phones, emails)
			)
		clock = self._tick("insert customers", clock)
		# In the order of the contact's name, which places each row in the contacts' key and the child tables'
		# parent index: neighbouring rows land on neighbouring pages of a large site's indexes.
		insert_dicts("Contact", sorted(contacts, key=itemgetter("name")), self.contact_columns)
		for (doctype, columns), table_rows in zip(
			CONTACT_CHILDREN.values(), (links, phones, emails), strict=True
		):
			insert_dicts(doctype, sorted(table_rows, key=itemgetter("parent")), [*CHILD_COLUMNS, *columns])
		clock = self._tick("insert contacts", clock)
		insert_dicts("Version", version_rows(CUSTOMER, names, now, user, self.reference))
		clock = self._tick("insert versions", clock)
		sync_global_search(CUSTOMER, customers)
		children: dict[str, list[dict]] = {}
		for child in (*links, *phones, *emails):
			doctype = CONTACT_CHILDREN[child["parentfield"]][0]
			children.setdefault(child["parent"], []).append({**child, "doctype": doctype})
		sync_global_search("Contact", contacts, children)
		clock = self._tick("global search", clock)
		self.assign_account_managers(
			[customer["name"] for customer in customers if not customer.get("account_manager")], now
		)
		from cims_app.follow_ups.plans import sync_plans

		sync_plans(names, new=True)
		self._tick("assign and plans", clock)

	def insert_customers(self, pending: list[tuple[SourceRow, dict]]) -> list[dict]:
		"""INSERT the chunk's new customers in bulk and return those written.

		The unique indexes on the exact keys hold here too: when a concurrent save (the form, another import)
		wrote a customer with the same credit code, ID number or exact name after the chunk was decided,
		the database refuses the statement; its rows are then accounted for (taken_meanwhile) and the
		others inserted, and the chunk goes on."""
		while pending:
			frappe.db.savepoint(_SAVEPOINT)
			try:
				insert_dicts(CUSTOMER, [customer for _row, customer in pending], self.customer_columns)
			except Exception as error:
				if not frappe.db.is_unique_key_violation(error):
					raise
				frappe.db.rollback(save_point=_SAVEPOINT)
				clashing = self.taken_meanwhile(pending)
				if not clashing:
					raise
				pending = [(row, customer) for row, customer in pending if row not in clashing]
				continue
			frappe.db.release_savepoint(_SAVEPOINT)
			return [customer for _row, customer in pending]
		return []

	def taken_meanwhile(self, pending: list[tuple[SourceRow, dict]]) -> set[SourceRow]:
		"""Rows whose credit code, ID number or exact name a customer of the site holds now (read past the
		chunk's snapshot, locking): skipped as that customer in an Insert when the rule says it is the same,
		else failed, to be run again."""
		wanted = {
			reason: sorted({customer[column] for _row, customer in pending if customer.get(column)})
			for reason, column in UNIQUE_COLUMNS.items()
		}
		conditions = [
			f"`{UNIQUE_COLUMNS[reason]}` IN %({reason})s" for reason, values in wanted.items() if values
		]
		if not conditions:
			return set()
		owners, keys = {}, {}
		for name, code, id_number, unique_name in frappe.db.sql(
			f"""SELECT name, unified_social_credit_code, id_number, name_unique_key FROM `tabCIMS Customer`
			WHERE {" OR ".join(conditions)} ORDER BY name FOR UPDATE""",
			{reason: tuple(values) for reason, values in wanted.items() if values},
		):
			keys[name] = CustomerKeys(uscc=code or "", id_number=id_number or "")
			for reason, value in zip(UNIQUE_COLUMNS, (code, id_number, unique_name), strict=True):
				if value:
					owners.setdefault((reason, value), name)
		clashing = set()
		for row, customer in pending:
			for reason, column in UNIQUE_COLUMNS.items():
				existing = owners.get((reason, customer.get(column)))
				if existing:
					clashing.add(row)
					self.clashed(row, existing, reason, keys[existing])
					break
		return clashing

	def clashed(self, row: SourceRow, existing: str, reason: str, existing_keys: CustomerKeys) -> None:
		if self.context.import_type == "Insert" and verdict(reason, row.data["keys"], existing_keys) == SAME:
			row.outcome(
				SKIPPED,
				_("Already exists: {0} ({1})").format(self.describe(existing), same_reason(reason)),
				existing,
			)
			return
		row.fail(
			_(
				"{0} was saved by someone else during this import ({1}): run the batch again for this row"
			).format(self.describe(existing), same_reason(reason))
		)

	def insert_by_hand(self, rows: list[SourceRow]) -> None:
		"""The site has automations for customers or contacts that act before the write (`self.one_by_one`),
		or one raised for a record written in bulk: each new customer and its contact are saved through
		Document.insert, as in the form, each row in its own savepoint, so that
		every Server Script, Notification, Webhook, Assignment Rule and other app's document hook runs for
		it exactly as for a record typed in (and may refuse it, failing that row only)."""
		clock = time.perf_counter()
		for row in rows:
			if not in_savepoint(row, lambda row=row: self.insert_one(row)) and row.data.pop("clash", False):
				# Refused as a duplicate: a concurrent save took its key since the chunk was decided.
				refused, row.errors, row.status = row.errors, [], None
				customer = {**row.data["customer"], **derived_customer_fields(row.data["customer"])}
				if not self.taken_meanwhile([(row, customer)]):
					row.errors, row.status = refused, FAILED
		self._tick("insert one by one", clock)

	def insert_one(self, row: SourceRow) -> None:
		values = {key: value for key, value in row.data["customer"].items() if value not in (None, "")}
		doc = frappe.get_doc({"doctype": CUSTOMER, **values, "data_source": self.context.data_source})
		doc.flags.updater_reference = self.reference
		doc.flags.stage_change_source = "import"
		doc.flags.cims_system_stage_move = True
		doc.flags.cims_no_duplicate_warning = True  # the batch lists the possible duplicates itself
		try:
			doc.insert()
		except frappe.DuplicateEntryError:
			row.data["clash"] = True
			raise
		contact = row.data["contact"]
		if contact:
			record = self.insert_contact(contact, doc, primary=True)
			# The customer already holds the contact's mobile and e-mail: the link alone, as the bulk path.
			frappe.db.set_value(CUSTOMER, doc.name, "primary_contact", record.name, update_modified=False)
		row.outcome(INSERTED, "", doc.name)

	def insert_contact(self, contact: dict, customer, primary: bool = False):
		"""A row's contact saved through its controller (Document.insert), linked to `customer`."""
		record = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": contact["first_name"],
				"designation": contact.get("designation"),
				"cims_contact_role": contact.get("cims_contact_role"),
				"cims_wechat": contact.get("cims_wechat"),
				"is_primary_contact": 1 if primary else 0,
				"links": [
					{
						"link_doctype": CUSTOMER,
						"link_name": customer.name,
						"link_title": customer.customer_name,
					}
				],
				"phone_nos": [{"phone": contact["mobile_no"], "is_primary_mobile_no": 1}]
				if contact.get("mobile_no")
				else [],
				"email_ids": [{"email_id": contact["email_id"], "is_primary": 1}]
				if contact.get("email_id")
				else [],
			}
		)
		record.flags.updater_reference = self.reference
		record.insert()
		return record

	def track_account_manager(self, customer: dict, now) -> None:
		"""As the form's assignment.track_account_manager: stamp the date, and take the manager's team when
		the row names none (or one the manager is not in)."""
		user = customer["account_manager"]
		customer["account_manager_since"] = now
		team = customer.get("sales_team")
		if not team or not self._is_member(user, team):
			customer["sales_team"] = self._team_of(user) or team

	def assign_account_managers(self, names: list[str], now) -> None:
		"""New customers without an account manager: the assignment rules first (as the form does), then
		the importing user, unless that is Administrator (set-based, after the insert)."""
		if not names:
			return
		if assignment.REP not in frappe.get_roles():
			assignment.assign_customers(names)
		user = self.user
		if user in ("Guest", "Administrator"):
			return
		customer = frappe.qb.DocType(CUSTOMER)
		from frappe.query_builder.functions import Coalesce

		(
			frappe.qb.update(customer)
			.set(customer.account_manager, user)
			.set(customer.account_manager_since, now)
			.set(customer.sales_team, Coalesce(customer.sales_team, self._team_of(user)))
			.where(
				customer.name.isin(names)
				& (Coalesce(customer.account_manager, "") == "")
				& (customer.in_public_pool == 0)
			)
		).run()

	def _team_of(self, user: str) -> str | None:
		if user not in self._teams:
			self._teams[user] = assignment.team_of(user)
		return self._teams[user]

	def _is_member(self, user: str, team: str) -> bool:
		key = (user, team)
		if key not in self._members:
			self._members[key] = bool(
				frappe.db.exists(
					"CIMS Sales Team Member", {"parenttype": "CIMS Sales Team", "parent": team, "user": user}
				)
			)
		return self._members[key]

	def _free_contact_names(self, rows: list[SourceRow], names: list[str]) -> dict:
		"""Contact names as Frappe's Contact.autoname makes them (full name-customer), made unique."""
		wanted = {}
		for row, name in zip(rows, names, strict=True):
			if row.data["contact"]:
				wanted[row] = f"{row.data['contact']['first_name']}-{name}".strip()
		taken = set()
		if wanted:
			taken = set(
				frappe.db.sql_list(
					"SELECT name FROM `tabContact` WHERE name IN %(names)s",
					{"names": tuple(set(wanted.values()))},
				)
			)
		result = {}
		for row, candidate in wanted.items():
			name, number = candidate, 0
			while name in taken:
				number += 1
				name = f"{candidate}-{number}"
			taken.add(name)
			result[row] = name
		return result

	# Updating existing customers ------------------------------------------------------------------

	def write_updates(self, rows: list[SourceRow]) -> None:
		if not rows:
			return
		contacts = contacts_of(row.target for row in rows)
		for row in rows:
			in_savepoint(row, lambda row=row: self.update_one(row, contacts.get(row.target, [])))

	def update_one(self, row: SourceRow, contacts: list[dict]) -> None:
		context = self.context
		status = UPDATED if row.action == "update" else MERGED
		doc = frappe.get_doc(CUSTOMER, row.target)
		values = row.data["customer"]
		changes = resolve(doc.as_dict(), values, context.policy)
		changes.pop("mobile_no", None) if doc.primary_contact else None
		changes.pop("email_id", None) if doc.primary_contact else None
		contact = row.data["contact"]
		new_contact = None
		if contact and not _has_contact(contacts, contact):
			new_contact = self.insert_contact(contact, doc)
			if not doc.primary_contact:
				changes["primary_contact"] = new_contact.name
		if not changes and not new_contact:
			row.outcome(SKIPPED, _("Nothing to change in customer {0}").format(doc.name), doc.name)
			return
		doc.update(changes)
		doc.data_source = append_source(doc.data_source, context.data_source)
		doc.flags.updater_reference = self.reference
		doc.flags.stage_change_source = "import"
		doc.flags.cims_system_stage_move = True
		doc.save(ignore_version=False)  # imports always leave Version history, tests included
		row.outcome(status, "", doc.name)

	def plan(self, rows: list[SourceRow]) -> None:
		"""The preview's description of each row (nothing is written)."""
		for row in rows:
			if row.status == FAILED:
				continue
			if row.action == "insert":
				row.plan = _("Insert")
				similar = [
					self.describe(ref)
					if reason == SIMILAR_NAME
					else f"{self.describe(ref)} ({same_reason(reason)})"
					for ref, reason in self.possible_duplicates(row)
				]
				if similar:
					row.plan += "; " + _("possibly the same customer as {0}").format(", ".join(similar))
			elif row.action == "update":
				row.plan = _("Update {0} ({1})").format(
					self.describe(row.target), same_reason(row.data["reason"])
				)
			elif row.action == "merge":
				row.plan = _("Merge into {0} ({1})").format(
					self.describe(row.target), same_reason(row.data["reason"])
				)
			else:
				row.plan = row.message

	# Possible duplicates --------------------------------------------------------------------------

	def possible_duplicates(self, row: SourceRow) -> list[tuple[str, str]]:
		"""(customer or earlier row, reason) of a new row's possible duplicates: companies told apart by their
		credit code or ID number that share its mobile or e-mail, then similar names."""
		found: dict = {}
		for ref, reason in row.data.get("possible") or []:
			found.setdefault(ref, reason)
		for ref in row.data.get("similar") or []:
			found.setdefault(ref, SIMILAR_NAME)
		listed = []
		for ref, reason in found.items():
			name = ref.record if isinstance(ref, SourceRow) else ref
			if ref is row or (row.record and name == row.record):
				continue
			listed.append((ref, reason))
		return listed

	def describe_possible_duplicates(self, rows: list[SourceRow]) -> None:
		for row in rows:
			if not row.data or row.status != INSERTED:
				continue
			names, texts = [], []
			for ref, reason in self.possible_duplicates(row):
				name = ref.record if isinstance(ref, SourceRow) else ref
				if name and name not in names:
					names.append(name)
					texts.append(name if reason == SIMILAR_NAME else f"{name} ({same_reason(reason)})")
			if names:
				row.possible_duplicates = names
				row.message = _("Possibly the same customer as {0}: check and merge if so").format(
					", ".join(texts)
				)


class _Record:
	"""A dict seen as a document (get and set), for the app's per-document helpers."""

	def __init__(self, values: dict):
		self.values = values

	def get(self, key, default=None):
		return self.values.get(key, default)

	def set(self, key, value) -> None:
		self.values[key] = value


def _has_contact(contacts: list[dict], contact: dict) -> bool:
	mobile = contact.get("mobile_no")
	email = contact.get("email_id")
	name = lookup_key(contact.get("first_name"))
	for existing in contacts:
		if mobile and existing.mobile_no == mobile:
			return True
		if email and existing.email_id == email:
			return True
		if name and lookup_key(existing.full_name) == name and not (mobile or email):
			return True
	return False
