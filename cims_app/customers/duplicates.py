"""The site's customers by their keys, for the importer and the customer form (SPEC §6).

The rule that says what two customers sharing a key are (the same, a taken name, a possible duplicate)
is `cims_app.domain.duplicates`; this module finds the site's candidates through the indexed key columns,
refuses on the form a customer that already exists, lists its possible duplicates, and turns the database's
unique-index refusal of a concurrent save into the same message.
"""

from collections.abc import Iterable

import frappe
from frappe import _

from cims_app.domain.duplicates import (
	EXACT_KEYS,
	INDIVIDUAL,
	SAME,
	SAME_EMAIL,
	SAME_ID_NUMBER,
	SAME_MOBILE,
	SAME_NAME,
	SAME_USCC,
	SIMILAR_FOUND,
	SIMILAR_NAME,
	CustomerIndex,
	CustomerKeys,
	MatchKeySketch,
	Resolution,
	SimilarNameIndex,
	customer_keys,
	resolve,
	verdict,
)
from cims_app.domain.names import match_keys_possibly_same

CUSTOMER = "CIMS Customer"
# The column of the site's customers holding each identifying key.
KEY_COLUMNS = {
	SAME_USCC: "unified_social_credit_code",
	SAME_ID_NUMBER: "id_number",
	SAME_NAME: "name_exact_key",
	SAME_MOBILE: "mobile_no",
	SAME_EMAIL: "email_id",
}
# The column of the unique index that enforces each exact key (cims_app.db.indexes.UNIQUE).
UNIQUE_COLUMNS = {
	SAME_USCC: "unified_social_credit_code",
	SAME_ID_NUMBER: "id_number",
	SAME_NAME: "name_unique_key",
}
# Fields whose change may make a customer a duplicate of another.
KEY_FIELDS = (
	"customer_name",
	"customer_type",
	"unified_social_credit_code",
	"id_number",
	"mobile_no",
	"email_id",
)
SIMILAR_LIMIT = 5


def same_reason(reason: str) -> str:
	return {
		SAME_USCC: _("same Unified Social Credit Code"),
		SAME_ID_NUMBER: _("same ID number"),
		SAME_NAME: _("same name"),
		SAME_MOBILE: _("same mobile number"),
		SAME_EMAIL: _("same email address"),
		SIMILAR_NAME: _("similar name"),
	}[reason]


def _keys_of_row(customer_type, code, id_number, exact, mobile, email) -> CustomerKeys:
	return CustomerKeys(
		uscc=code or "",
		id_number=id_number or "",
		name_key="" if customer_type == INDIVIDUAL else (exact or ""),
		mobile=mobile or "",
		email=email or "",
	)


def site_customers_by_keys(keys: list[CustomerKeys], names: SimilarNameIndex | None = None) -> CustomerIndex:
	"""The site's customers sharing an identifying key with any of `keys`, filed under their own keys (in
	name order) and then under their contacts' mobiles and e-mails, each with its credit code and ID
	number (what tells customers apart).

	One query for the customers and one for the contacts, through the indexes on the key columns; an import
	asks once a chunk (earlier chunks are committed by then, so their customers are found here too)."""
	index = CustomerIndex(names)
	wanted: dict[str, set[str]] = {reason: set() for reason in KEY_COLUMNS}
	for customer in keys:
		for reason, key in customer.identifying():
			wanted[reason].add(key)
	parts, values = [], {}
	for reason, column in KEY_COLUMNS.items():
		if wanted[reason]:
			parts.append(
				f"""SELECT name, customer_type, unified_social_credit_code, id_number, name_exact_key,
				mobile_no, email_id FROM `tabCIMS Customer` WHERE `{column}` IN %({reason})s"""
			)
			values[reason] = tuple(wanted[reason])
	if not parts:
		return index
	for name, *row in frappe.db.sql(" UNION ".join(parts) + " ORDER BY name", values):
		index.add(_keys_of_row(*row), name, similar=False)
	contact_parts = []
	for reason, column in ((SAME_MOBILE, "mobile_no"), (SAME_EMAIL, "email_id")):
		if wanted[reason]:
			contact_parts.append(
				f"""SELECT dl.link_name, c.mobile_no, c.email_id, cu.customer_type,
					cu.unified_social_credit_code, cu.id_number, cu.name_exact_key, cu.mobile_no, cu.email_id
				FROM `tabContact` c JOIN `tabDynamic Link` dl
					ON dl.parent = c.name AND dl.parenttype = 'Contact' AND dl.link_doctype = 'CIMS Customer'
				JOIN `tabCIMS Customer` cu ON cu.name = dl.link_name
				WHERE c.`{column}` IN %({reason})s"""
			)
	if contact_parts:
		for customer, mobile, email, *row in frappe.db.sql(
			" UNION ".join(contact_parts) + " ORDER BY 1", values
		):
			own = _keys_of_row(*row)
			if mobile in wanted[SAME_MOBILE]:
				index.add_key(SAME_MOBILE, mobile, customer, own)
			if email in wanted[SAME_EMAIL]:
				index.add_key(SAME_EMAIL, email, customer, own)
	return index


def similar_site_customers(keys: CustomerKeys, exclude: str | None = None) -> list[str]:
	"""Customers whose match key is the same as, starts with, or begins `keys.match_key` (华为 / 华为技术),
	found through the index on the match key; the importer's index also finds abbreviations."""
	key = keys.match_key
	if len(key) < 2:
		return []
	prefixes = [key[:end] for end in range(2, len(key) + 1)]
	rows = frappe.db.sql(
		"""SELECT name, name_match_key FROM `tabCIMS Customer`
		WHERE (name_match_key IN %(prefixes)s OR name_match_key LIKE %(starts)s) AND name != %(exclude)s
		ORDER BY name LIMIT 50""",
		{"prefixes": tuple(prefixes), "starts": _like_escaped(key) + "%", "exclude": exclude or ""},
	)
	return [name for name, other in rows if match_keys_possibly_same(key, other)][:SIMILAR_LIMIT]


# Values of one IN list: MariaDB turns a longer list (in_predicate_conversion_threshold, 1,000) into a
# derived table joined to the customers, a plan it may choose to run by reading the whole table.
IN_VALUES = 900
# Keys whose "starts with" ranges go into one statement.
RANGES_PER_STATEMENT = 100


def _contained_candidates(key: str) -> set[str]:
	"""Keys a site customer may have for its key to be in `key`: `key`'s prefixes of 2 characters or more
	(华为 / 华为技术) and `key` without a leading region of 2 or 3 characters (深圳华为技术 / 华为技术); the
	match key keeps a name's leading region."""
	found = {key[:end] for end in range(2, len(key) + 1)}
	found.update(key[start:] for start in (2, 3) if len(key) - start >= 2)
	return found


def similar_site_names(
	match_keys: Iterable[str], limit: int = SIMILAR_FOUND, sketch: MatchKeySketch | None = None
) -> dict[str, list[str]]:
	"""{match key: up to `limit` site customers whose match key is possibly the same} for a chunk of an
	import, through the index on the match key, a few statements a chunk whatever the site holds:
	customers whose key equals the key, one of its prefixes or the key without a leading region
	(_contained_candidates), and customers whose key starts with it (华为 → 华为技术), at most `limit` of
	those per key. Equal keys come first. Abbreviations (中石油 / 中国石油天然气) and a name inside another
	one's middle are found among the file's own rows only (domain.duplicates.SimilarNameIndex); the form
	looks for prefixes and longer names too (similar_site_customers).

	With a `sketch` of the site's keys (cims_app.customers.name_sketch), only the candidates it lets through
	are looked up: the site's customers as they were when the sketch was brought up to date. (A customer
	saved by someone else during the import and named alike is then not listed as a possible duplicate; the
	exact keys are looked up whatever the sketch says.)"""
	keys = sorted({key for key in match_keys if key and len(key) >= 2})
	if not keys:
		return {}
	candidates = {key: _contained_candidates(key) for key in keys}
	holders: dict[str, list[str]] = {}
	values = sorted(set().union(*candidates.values()))
	if sketch is not None:
		values = [value for value in values if sketch.may_be_key(value)]
		starters = [key for key in keys if sketch.may_extend(key)]
	else:
		starters = keys
	for start in range(0, len(values), IN_VALUES):
		for name, other in frappe.db.sql(
			"""SELECT name, name_match_key FROM `tabCIMS Customer` WHERE name_match_key IN %(keys)s
			ORDER BY name""",
			{"keys": tuple(values[start : start + IN_VALUES])},
		):
			holders.setdefault(other, []).append(name)
	starting: dict[str, list[tuple[str, str]]] = {}
	for start in range(0, len(starters), RANGES_PER_STATEMENT):
		part = starters[start : start + RANGES_PER_STATEMENT]
		statement = " UNION ALL ".join(
			f"""(SELECT %(key{number})s, name, name_match_key FROM `tabCIMS Customer`
			WHERE name_match_key LIKE %(starts{number})s ORDER BY name_match_key, name LIMIT {int(limit)})"""
			for number in range(len(part))
		)
		values_of = {}
		for number, key in enumerate(part):
			values_of[f"key{number}"] = key
			values_of[f"starts{number}"] = _like_escaped(key) + "%"
		for key, name, other in frappe.db.sql(statement, values_of):
			starting.setdefault(key, []).append((name, other))
	found: dict[str, list[str]] = {}
	for key in keys:
		others = []
		for part in sorted(candidates[key] - {key}, key=lambda text: (-len(text), text)):
			if part in holders and match_keys_possibly_same(key, part):
				others.extend(holders[part])
		others.extend(
			name
			for name, other in starting.get(key, ())
			if other != key and match_keys_possibly_same(key, other)
		)
		names = list(dict.fromkeys([*holders.get(key, ()), *others]))[:limit]
		if names:
			found[key] = names
	return found


def _like_escaped(text: str) -> str:
	return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# The customer form ----------------------------------------------------------------------------------


def _key_changed(doc) -> bool:
	return doc.is_new() or any(doc.has_value_changed(field) for field in KEY_FIELDS)


def check_customer(doc) -> None:
	"""CIMSCustomer.validate: refuse a customer that already exists (same credit code, ID number or exact
	name) or whose exact name another customer holds; remember the possible duplicates (same mobile or
	e-mail of a company told apart by its credit code, similar names) to list after the save."""
	if not _key_changed(doc):
		return
	keys = customer_keys(doc)
	candidates = [c for c in site_customers_by_keys([keys]).candidates(keys) if c[0] != doc.name]
	resolution = resolve(keys, candidates)
	for existing, reason in resolution.same:
		if reason in EXACT_KEYS:
			throw_exists(doc, reason, existing)
	for existing, reason in resolution.taken:
		throw_exists(doc, reason, existing)
	if not doc.flags.cims_no_duplicate_warning:
		doc.flags.cims_possible_duplicates = possible_duplicates(doc, keys, resolution)


def possible_duplicates(doc, keys: CustomerKeys, resolution: Resolution) -> list[tuple[str, str]]:
	"""(customer, reason) of the possible duplicates of a customer being saved."""
	found = dict(
		resolution.same
	)  # same mobile or e-mail and nothing tells them apart: the form lets a person decide
	for existing, reason in resolution.possible:
		found.setdefault(existing, reason)
	for existing in similar_site_customers(keys, doc.name):
		found.setdefault(existing, SIMILAR_NAME)
	found.pop(doc.name, None)
	return list(found.items())


def show_possible_duplicates(doc) -> None:
	"""CIMSCustomer.on_update: list the possible duplicates found in validate (nothing is refused)."""
	found = doc.flags.pop("cims_possible_duplicates", None)
	if not found:
		return
	listed = ", ".join(
		f"{frappe.get_desk_link(CUSTOMER, name)} ({same_reason(reason)})" for name, reason in found
	)
	frappe.msgprint(
		_("Possibly the same customer as {0}: check and merge if so").format(listed),
		title=_("Possible Duplicates"),
		indicator="orange",
	)


def exists_message(doc, reason: str, existing: str) -> str:
	link = frappe.get_desk_link(CUSTOMER, existing)
	if reason == SAME_USCC:
		return _("A customer with the Unified Social Credit Code {0} already exists: {1}").format(
			frappe.bold(doc.unified_social_credit_code), link
		)
	if reason == SAME_ID_NUMBER:
		return _("A customer with this ID number already exists: {0}").format(link)
	if doc.customer_type == "Enterprise":
		return _("An enterprise customer named {0} already exists: {1}").format(
			frappe.bold(doc.customer_name), link
		)
	return _("A customer named {0} already exists: {1}").format(frappe.bold(doc.customer_name), link)


def throw_exists(doc, reason: str, existing: str) -> None:
	frappe.throw(
		exists_message(doc, reason, existing), frappe.DuplicateEntryError, title=_("Duplicate Customer")
	)


def owner_of_unique_key(reason: str, value, exclude: str | None = None, lock: bool = False) -> str | None:
	"""The customer holding an exact key in its unique column; `lock` reads the latest committed row (what a
	concurrent save just wrote), not the transaction's snapshot."""
	if not value:
		return None
	column = UNIQUE_COLUMNS[reason]
	rows = frappe.db.sql(
		f"""SELECT name FROM `tabCIMS Customer` WHERE `{column}` = %(value)s AND name != %(exclude)s
		ORDER BY name LIMIT 1{" FOR UPDATE" if lock else ""}""",
		{"value": value, "exclude": exclude or ""},
	)
	return rows[0][0] if rows else None


def explain_unique_violation(doc) -> None:
	"""After the database refused the customer's row on a unique index (a concurrent save wrote the same
	credit code, ID number or exact name first): the form's own "already exists" message, as a
	DuplicateEntryError (HTTP 409), instead of the framework's "must be unique"."""
	for reason in EXACT_KEYS:
		existing = owner_of_unique_key(reason, doc.get(UNIQUE_COLUMNS[reason]), doc.name, lock=True)
		if existing:
			frappe.clear_last_message()
			throw_exists(doc, reason, existing)


def same_customers_managed_by(name: str, user: str) -> list[str]:
	"""Customers `user` manages that the rule makes the same customer as `name` (the claim's duplicate check):
	a company told apart by its credit code is not the same because it shares a contact's mobile."""
	row = frappe.db.get_value(
		CUSTOMER,
		name,
		[
			"customer_type",
			"unified_social_credit_code",
			"id_number",
			"name_exact_key",
			"mobile_no",
			"email_id",
		],
	)
	if not row:
		return []
	keys = _keys_of_row(*row)
	candidates = [c for c in site_customers_by_keys([keys]).candidates(keys) if c[0] != name]
	if not candidates:
		return []
	managed = set(
		frappe.get_all(
			CUSTOMER,
			{"name": ("in", [ref for ref, _reason, _keys in candidates]), "account_manager": user},
			pluck="name",
		)
	)
	return [
		ref for ref, reason, other in candidates if ref in managed and verdict(reason, keys, other) == SAME
	]
