"""Handlers of contacts, follow-ups and opportunities: rows become documents through their controllers
(so every form rule, workflow, Version and stage history applies), each in its own savepoint.
Customers, the bulk of any import, have their own bulk handler in customers.py."""

import frappe
from frappe import _
from frappe.utils import strip_html

from cims_app.domain.merge_policy import SKIP, resolve
from cims_app.domain.names import exact_key
from cims_app.domain.text import clean_text
from cims_app.imports.context import FAILED, INSERTED, MERGED, SKIPPED, UPDATED, ImportContext, SourceRow
from cims_app.imports.rows import lookup_key

CUSTOMER = "CIMS Customer"
_SAVEPOINT = "cims_import_row"


def updater_reference(context: ImportContext) -> dict:
	return {
		"doctype": context.batch.doctype,
		"docname": context.batch.name,
		"label": _("via CIMS Import Batch"),
	}


def error_message(error: Exception) -> str:
	"""The message a failed save showed the user, without markup."""
	message = getattr(error, "message", None) or str(error) or error.__class__.__name__
	return clean_text(strip_html(str(message)))


def in_savepoint(row: SourceRow, work) -> bool:
	"""Run `work()` for one row; on any error undo just that row's writes and fail it with the message."""
	frappe.db.savepoint(_SAVEPOINT)
	try:
		work()
		return True
	except Exception as error:
		frappe.db.rollback(save_point=_SAVEPOINT)
		frappe.clear_last_message()
		frappe.local.message_log = []
		row.fail(error_message(error))
		return False
	finally:
		frappe.db.release_savepoint(_SAVEPOINT)


class CustomerReferences:
	"""Customers named in rows (by ID, exact name or credit code), looked up once per chunk."""

	def __init__(self):
		self.cache: dict[str, list[str]] = {}

	def load(self, texts) -> None:
		wanted = {clean_text(text) for text in texts if clean_text(text)} - set(self.cache)
		if not wanted:
			return
		keys = {text: exact_key(text) for text in wanted}
		found: dict[str, set[str]] = {text: set() for text in wanted}
		rows = frappe.db.sql(
			"""SELECT name, name_exact_key, unified_social_credit_code FROM `tabCIMS Customer`
			WHERE name IN %(names)s OR name_exact_key IN %(keys)s OR unified_social_credit_code IN %(codes)s""",
			{
				"names": tuple(wanted),
				"keys": tuple(set(keys.values())),
				"codes": tuple(text.upper() for text in wanted),
			},
		)
		by_name = {row[0]: row[0] for row in rows}
		by_key: dict[str, set[str]] = {}
		by_code = {}
		for name, key, code in rows:
			by_key.setdefault(key, set()).add(name)
			if code:
				by_code[code] = name
		for text in wanted:
			if text in by_name:
				found[text] = {text}
			elif text.upper() in by_code:
				found[text] = {by_code[text.upper()]}
			else:
				found[text] = by_key.get(keys[text], set())
			self.cache[text] = sorted(found[text])

	def resolve(self, row: SourceRow, fieldname: str, label: str) -> str | None:
		text = clean_text(row.values.get(fieldname))
		if not text:
			return None
		matches = self.cache.get(text, [])
		if not matches:
			row.fail(
				_("{0}: no customer {1} (use the customer ID, full name or credit code)").format(label, text),
				fieldname,
			)
			return None
		if len(matches) > 1:
			row.fail(
				_("{0}: several customers are named {1} ({2}): use the customer ID").format(
					label, text, ", ".join(matches)
				),
				fieldname,
			)
			return None
		return matches[0]


def contacts_of(customers) -> dict[str, list[dict]]:
	"""Contacts linked to each customer: name, full name and mobile."""
	customers = sorted(set(filter(None, customers)))
	if not customers:
		return {}
	rows = frappe.db.sql(
		"""SELECT dl.link_name AS customer, c.name, c.full_name, c.mobile_no, c.email_id
		FROM `tabContact` c JOIN `tabDynamic Link` dl
			ON dl.parent = c.name AND dl.parenttype = 'Contact' AND dl.link_doctype = 'CIMS Customer'
		WHERE dl.link_name IN %(customers)s""",
		{"customers": tuple(customers)},
		as_dict=True,
	)
	found: dict[str, list[dict]] = {}
	for row in rows:
		found.setdefault(row.customer, []).append(row)
	return found


def find_contact(contacts: list[dict], text: str) -> str | None:
	key = lookup_key(text)
	for contact in contacts:
		if key in (lookup_key(contact.name), lookup_key(contact.full_name), lookup_key(contact.mobile_no)):
			return contact.name
	return None


def plan_text(context: ImportContext, existing: str | None) -> str:
	"""What a run would do with a row, for the preview."""
	if existing:
		if context.import_type == "Insert" or context.policy == SKIP:
			return _("Skip: already exists ({0})").format(existing)
		return (
			_("Update {0}").format(existing)
			if context.import_type == "Update"
			else _("Merge into {0}").format(existing)
		)
	if context.import_type == "Update":
		return _("Skip: no existing record matches")
	return _("Insert")


class DocHandler:
	"""Rows of one DocType inserted, updated or merged through Document.insert / save."""

	doctype = ""
	customer_field = "customer"

	def __init__(self, context: ImportContext, write: bool = True):
		self.context = context
		self.write = write
		self.references = CustomerReferences()

	def prepare(self) -> None:
		pass

	def finish(self) -> None:
		pass

	def process(self, rows: list[SourceRow]) -> None:
		live = [row for row in rows if row.status != FAILED]
		self.references.load(row.values.get(self.customer_field) for row in live)
		customers = {}
		for row in live:
			customers[row] = self.references.resolve(
				row, self.customer_field, self.context.labels[self.customer_field]
			)
		live = [row for row in live if row.status != FAILED]
		contacts = contacts_of(customers[row] for row in live)
		for row in live:
			values = dict(row.values)
			values[self.customer_field] = customers[row]
			if not self.resolve_links(row, values, contacts.get(customers[row], [])):
				continue
			existing = self.find_existing(values)
			self.apply(row, values, existing)

	def resolve_links(self, row: SourceRow, values: dict, contacts: list[dict]) -> bool:
		text = values.get("contact")
		if text:
			contact = find_contact(contacts, text)
			if not contact:
				row.fail(
					_("Contact {0} is not a contact of customer {1}").format(text, values.get("customer")),
					"contact",
				)
				return False
			values["contact"] = contact
		return True

	def find_existing(self, values: dict) -> str | None:
		return None

	def apply(self, row: SourceRow, values: dict, existing: str | None) -> None:
		context = self.context
		if not self.write:
			row.plan = plan_text(context, existing)
			return
		if existing:
			if context.import_type == "Insert":
				row.outcome(SKIPPED, _("Already exists: {0}").format(existing), existing)
				return
			if context.policy == SKIP:
				row.outcome(
					SKIPPED,
					_("Exists ({0}); the conflict policy Skip leaves it unchanged").format(existing),
					existing,
				)
				return
			self.update(row, values, existing)
			return
		if context.import_type == "Update":
			row.outcome(
				SKIPPED, _("No existing record matches this row: an Update changes existing records only")
			)
			return

		def insert():
			doc = frappe.get_doc({"doctype": self.doctype, **self.new_values(values)})
			doc.flags.updater_reference = updater_reference(context)
			doc.flags.stage_change_source = "import"
			doc.insert()
			row.outcome(INSERTED, "", doc.name)

		in_savepoint(row, insert)

	def new_values(self, values: dict) -> dict:
		return values

	def update(self, row: SourceRow, values: dict, existing: str) -> None:
		context = self.context
		status = UPDATED if context.import_type == "Update" else MERGED

		def save():
			doc = frappe.get_doc(self.doctype, existing)
			changes = resolve(doc.as_dict(), values, context.policy)
			if not changes:
				row.outcome(SKIPPED, _("Nothing to change in {0}").format(existing), existing)
				return
			doc.update(changes)
			doc.flags.updater_reference = updater_reference(context)
			doc.flags.stage_change_source = "import"
			doc.flags.cims_system_stage_move = True
			doc.save(ignore_version=False)
			row.outcome(status, "", existing)

		in_savepoint(row, save)


class ContactHandler(DocHandler):
	doctype = "Contact"

	def find_existing(self, values: dict) -> str | None:
		mobile = values.get("mobile_no")
		email = values.get("email_id")
		customer = values.get("customer")
		for contact in self._contacts(customer):
			if (mobile and contact.mobile_no == mobile) or (email and contact.email_id == email):
				return contact.name
			if lookup_key(contact.full_name) == lookup_key(values.get("first_name")) and not (
				mobile or email
			):
				return contact.name
		return None

	def _contacts(self, customer):
		return contacts_of([customer]).get(customer, [])

	def resolve_links(self, row: SourceRow, values: dict, contacts: list[dict]) -> bool:
		return True

	def new_values(self, values: dict) -> dict:
		contact = {
			key: value
			for key, value in values.items()
			if key not in ("customer", "mobile_no", "phone", "email_id")
		}
		contact["links"] = [{"link_doctype": CUSTOMER, "link_name": values["customer"]}]
		contact["phone_nos"] = []
		if values.get("mobile_no"):
			contact["phone_nos"].append({"phone": values["mobile_no"], "is_primary_mobile_no": 1})
		if values.get("phone"):
			contact["phone_nos"].append({"phone": values["phone"], "is_primary_phone": 1})
		if values.get("email_id"):
			contact["email_ids"] = [{"email_id": values["email_id"], "is_primary": 1}]
		return contact

	def update(self, row: SourceRow, values: dict, existing: str) -> None:
		context = self.context
		status = UPDATED if context.import_type == "Update" else MERGED

		def save():
			doc = frappe.get_doc("Contact", existing)
			plain = {
				key: value
				for key, value in values.items()
				if key not in ("customer", "mobile_no", "phone", "email_id")
			}
			changes = resolve(doc.as_dict(), plain, context.policy)
			added = False
			if values.get("mobile_no") and not doc.mobile_no:
				doc.add_phone(values["mobile_no"], is_primary_mobile_no=1)
				added = True
			if values.get("phone") and not doc.phone:
				doc.add_phone(values["phone"], is_primary_phone=1)
				added = True
			if values.get("email_id") and not doc.email_id:
				doc.add_email(values["email_id"], is_primary=1)
				added = True
			if not changes and not added:
				row.outcome(SKIPPED, _("Nothing to change in {0}").format(existing), existing)
				return
			doc.update(changes)
			doc.flags.updater_reference = updater_reference(context)
			doc.save(ignore_version=False)
			row.outcome(status, "", existing)

		in_savepoint(row, save)


class FollowUpHandler(DocHandler):
	doctype = "CIMS Follow-Up"

	def resolve_links(self, row: SourceRow, values: dict, contacts: list[dict]) -> bool:
		if not super().resolve_links(row, values, contacts):
			return False
		opportunity = values.get("opportunity")
		if opportunity:
			name = frappe.db.get_value(
				"CIMS Opportunity",
				{"customer": values["customer"], "name": opportunity},
				"name",
			) or frappe.db.get_value(
				"CIMS Opportunity", {"customer": values["customer"], "opportunity_title": opportunity}, "name"
			)
			if not name:
				row.fail(
					_("Opportunity {0} is not an opportunity of customer {1}").format(
						opportunity, values["customer"]
					),
					"opportunity",
				)
				return False
			values["opportunity"] = name
		return True

	def find_existing(self, values: dict) -> str | None:
		"""The same follow-up: same customer, type and moment (completed or scheduled)."""
		moment = values.get("completed_on") or values.get("scheduled_on")
		if not moment:
			return None
		filters = {
			"customer": values["customer"],
			"follow_up_type": values.get("follow_up_type") or "Phone Call",
		}
		filters["completed_on" if values.get("completed_on") else "scheduled_on"] = moment
		return frappe.db.get_value("CIMS Follow-Up", filters, "name")


class OpportunityHandler(DocHandler):
	doctype = "CIMS Opportunity"

	def find_existing(self, values: dict) -> str | None:
		"""The same opportunity: same customer and title."""
		return frappe.db.get_value(
			"CIMS Opportunity",
			{"customer": values["customer"], "opportunity_title": values.get("opportunity_title")},
			"name",
		)


HANDLERS = {
	"Contact": ContactHandler,
	"CIMS Follow-Up": FollowUpHandler,
	"CIMS Opportunity": OpportunityHandler,
}


def handler_class(doctype: str):
	return HANDLERS[doctype]
