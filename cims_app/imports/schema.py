"""The columns of an import, read from the DocType's meta: standard fields, the site's custom fields and,
for customers, the primary contact's columns. Used by the template, the column mapping and the rows."""

from dataclasses import dataclass

import frappe
from frappe import _

from cims_app.domain.import_mapping import SYNONYMS, Target
from cims_app.domain.vocabulary import VOCABULARY
from cims_app.imports.rows import DATA_MAX_LENGTH, VOCABULARY_FIELDS, FieldSpec, lookup_key

IMPORT_DOCTYPES = ("CIMS Customer", "Contact", "CIMS Follow-Up", "CIMS Opportunity")
CUSTOMER = "CIMS Customer"
# The column the error workbook adds so a fixed row replaces its failed original in the same batch.
ROW_REF_FIELD = "import_row_id"
ROW_REF_LABEL = "Import Row ID"
# The error workbook's reason column: recognised so a fixed workbook imports without an unmapped column.
REASON_FIELD = "import_error_reason"
REASON_LABEL = "Reason"

# Links to DocTypes with many records are looked up per chunk of rows (by name, exact key or code),
# not loaded whole as drop-down masters.
REFERENCE_DOCTYPES = frozenset({"CIMS Customer", "Contact", "CIMS Opportunity", "CIMS Follow-Up"})
SKIPPED_FIELDTYPES = frozenset(
	{
		"Attach",
		"Attach Image",
		"Barcode",
		"Button",
		"Code",
		"Color",
		"Column Break",
		"Dynamic Link",
		"Fold",
		"Geolocation",
		"Heading",
		"HTML",
		"HTML Editor",
		"Icon",
		"Image",
		"JSON",
		"Markdown Editor",
		"Password",
		"Read Only",
		"Section Break",
		"Signature",
		"Tab Break",
		"Table",
		"Table MultiSelect",
	}
)
TEXT_FIELDTYPES = frozenset({"Small Text", "Text", "Long Text", "Text Editor"})
FIELDTYPE_KINDS = {
	"Date": "date",
	"Datetime": "datetime",
	"Currency": "amount",
	"Int": "int",
	"Float": "float",
	"Percent": "percent",
	"Check": "check",
	"Rating": "rating",
	"Select": "select",
	"Link": "link",
}
# Fields set by the app (or by the import itself) that a spreadsheet never supplies.
NOT_IMPORTED = {
	"CIMS Customer": {
		"naming_series",
		"primary_contact",
		"mobile_no",
		"email_id",
		"data_source",
		"value_tier_override",
		"in_public_pool",
	},
	"Contact": {
		"full_name",
		"email_id",
		"mobile_no",
		"phone",
		"user",
		"address",
		"status",
		"salutation",
		"image",
		"is_primary_contact",
		"unsubscribed",
		"sync_with_google_contacts",
		"google_contacts",
		"google_contacts_id",
		"pulled_from_google_contacts",
		"cims_verified_on",
		"cims_verified_by",
		"company_name",
		"middle_name",
		"last_name",
	},
	"CIMS Follow-Up": {"customer_name", "template", "follow_up_plan", "previous_follow_up", "campaign"},
	"CIMS Opportunity": {"customer_name", "competitors", "weighted_amount"},
}
# Fields whose Data value follows a domain rule of its own.
SPECIAL_KINDS = {
	"unified_social_credit_code": "uscc",
	"id_number": "id_number",
	"core_need": "core_need",
}


@dataclass(frozen=True)
class Column:
	"""One column of an import: the field it fills, its English label and how to read it."""

	fieldname: str
	label: str
	spec: FieldSpec
	is_custom: bool = False
	description: str = ""
	example: object = None

	@property
	def required(self) -> bool:
		return self.spec.required


def import_columns(doctype: str) -> list[Column]:
	"""Every column an import into `doctype` accepts, in template order, for the session user."""
	if doctype not in IMPORT_DOCTYPES:
		frappe.throw(_("Importing {0} is not supported").format(doctype))
	meta = frappe.get_meta(doctype)
	writable_levels = set(meta.get_permlevel_access("write") or [0]) | {0}
	skipped = NOT_IMPORTED.get(doctype, set())
	columns = []
	for df in meta.fields:
		if (
			df.fieldtype in SKIPPED_FIELDTYPES
			or df.fieldname in skipped
			or df.read_only
			or df.hidden
			or (df.permlevel or 0) not in writable_levels
		):
			continue
		column = _column_for(doctype, df)
		if column:
			columns.append(column)
		if doctype == CUSTOMER and df.fieldname == "customer_source":
			columns.extend(contact_columns())
	return _with_extra_columns(doctype, columns)


def _with_extra_columns(doctype: str, columns: list[Column]) -> list[Column]:
	"""Contacts import also names the customer they belong to; follow-ups and opportunities need theirs first."""
	by_name = {column.fieldname: column for column in columns}
	if doctype == "Contact":
		first_name = by_name.get("first_name")
		if first_name:
			columns.remove(first_name)
		columns[0:0] = [
			Column(
				"first_name",
				"Full Name",
				FieldSpec(
					"first_name", _("Full Name"), "person_name", required=True, max_length=DATA_MAX_LENGTH
				),
			),
			Column(
				"customer",
				"Customer",
				FieldSpec("customer", _("Customer"), "reference", required=True, link_doctype=CUSTOMER),
				description=_("Customer ID, full name or credit code"),
			),
			Column("mobile_no", "Mobile No", FieldSpec("mobile_no", _("Mobile No"), "mobile")),
			Column("phone", "Phone", FieldSpec("phone", _("Phone"), "phone")),
			Column("email_id", "Email", FieldSpec("email_id", _("Email"), "email")),
		]
	first = {"CIMS Follow-Up": "customer", "CIMS Opportunity": "opportunity_title"}.get(doctype)
	if first and first in by_name:
		columns.remove(by_name[first])
		columns.insert(0, by_name[first])
	return columns


def contact_columns() -> list[Column]:
	"""The primary contact's columns of the customer template (one row = a customer and its contact)."""
	role_words = _option_words("Contact", "cims_contact_role", VOCABULARY_OPTIONS["contact_role"])
	return [
		Column(
			"contact_name",
			"Contact Name",
			FieldSpec("contact_name", _("Contact Name"), "person_name", max_length=DATA_MAX_LENGTH),
		),
		Column("mobile_no", "Mobile No", FieldSpec("mobile_no", _("Mobile No"), "mobile")),
		Column("email_id", "Email", FieldSpec("email_id", _("Email"), "email")),
		Column(
			"contact_role",
			"Contact Role",
			FieldSpec(
				"contact_role",
				_("Contact Role"),
				"select",
				options=VOCABULARY_OPTIONS["contact_role"],
				vocabulary="contact_role",
				option_words=role_words,
			),
		),
		Column(
			"contact_designation",
			"Designation",
			FieldSpec("contact_designation", _("Designation"), "text", max_length=DATA_MAX_LENGTH),
		),
		Column(
			"contact_wechat",
			"WeChat",
			FieldSpec("contact_wechat", _("WeChat"), "text", max_length=DATA_MAX_LENGTH),
		),
	]


VOCABULARY_OPTIONS = {name: tuple(option.value for option in options) for name, options in VOCABULARY.items()}


def _column_for(doctype: str, df) -> Column | None:
	kind = SPECIAL_KINDS.get(df.fieldname)
	if not kind:
		if df.fieldtype == "Data":
			kind = {"Phone": "phone", "Email": "email"}.get(df.options or "", "text")
			if df.fieldname == "mobile_no":
				kind = "mobile"
		elif df.fieldtype in TEXT_FIELDTYPES:
			kind = "long_text"
		else:
			kind = FIELDTYPE_KINDS.get(df.fieldtype)
	if not kind:
		return None
	link_doctype = None
	options: tuple[str, ...] = ()
	vocabulary = None
	option_words = {}
	if kind == "link":
		link_doctype = df.options
		if link_doctype in REFERENCE_DOCTYPES:
			kind = "reference"
	elif kind == "select":
		options = tuple(option for option in (df.options or "").split("\n") if option)
		vocabulary = VOCABULARY_FIELDS.get((doctype, df.fieldname))
		option_words = _option_words(doctype, df.fieldname, options)
	spec = FieldSpec(
		df.fieldname,
		_(df.label or df.fieldname),
		kind,
		required=bool(df.reqd) and not df.default,
		options=options,
		vocabulary=vocabulary,
		option_words=option_words,
		link_doctype=link_doctype,
		max_length=(df.length or DATA_MAX_LENGTH) if df.fieldtype == "Data" else None,
	)
	return Column(
		df.fieldname,
		df.label or df.fieldname,
		spec,
		is_custom=bool(df.get("is_custom_field")),
		description=df.description or "",
	)


def _option_words(doctype: str, fieldname: str, options) -> dict[str, str]:
	"""Each option under its own text, its translation in the user's language and in Chinese."""
	zh = _zh_translations()
	words = {}
	for option in options:
		for word in (option, _(option), zh.get(option)):
			if word:
				words.setdefault(lookup_key(word), option)
	return words


def _zh_translations() -> dict[str, str]:
	from frappe.translate import get_all_translations

	return get_all_translations("zh") or {}


def mapping_targets(doctype: str, columns: list[Column]) -> list[Target]:
	"""What the header of each column may be: fieldname, English label, its translation and its Chinese."""
	zh = _zh_translations()
	targets = [
		Target(
			column.fieldname,
			tuple(dict.fromkeys(filter(None, (column.label, _(column.label), zh.get(column.label))))),
		)
		for column in columns
	]
	for fieldname, label in ((ROW_REF_FIELD, ROW_REF_LABEL), (REASON_FIELD, REASON_LABEL)):
		targets.append(Target(fieldname, tuple(filter(None, (label, _(label), zh.get(label))))))
	return targets


def synonyms(doctype: str) -> dict[str, tuple[str, ...]]:
	return SYNONYMS.get(doctype, {})


def display_option(option: str, vocabulary: str | None) -> str:
	"""An option as a user of the current language reads it (the shared vocabulary's Chinese when the
	framework has no translation of its own)."""
	translated = _(option)
	if translated != option or frappe.local.lang != "zh" or not vocabulary:
		return translated
	for entry in VOCABULARY.get(vocabulary, ()):
		if entry.value == option:
			return entry.zh
	return option


def link_lookups(columns: list[Column]) -> dict[str, dict[str, str]]:
	"""For each master a column links to: lookup_key of its name, title and translation → name."""
	lookups: dict[str, dict[str, str]] = {}
	for column in columns:
		doctype = column.spec.link_doctype
		if column.spec.kind != "link" or doctype in lookups:
			continue
		lookups[doctype] = _lookup_for(doctype)
	return lookups


def _lookup_for(doctype: str) -> dict[str, str]:
	meta = frappe.get_meta(doctype)
	lookup: dict[str, str] = {}
	if doctype == "User":
		rows = frappe.get_all(
			"User", filters={"enabled": 1, "user_type": "System User"}, fields=["name", "full_name"]
		)
		for row in rows:
			lookup.setdefault(lookup_key(row.name), row.name)
		for row in rows:
			if row.full_name:
				lookup.setdefault(lookup_key(row.full_name), row.name)
		return lookup
	title = meta.title_field if meta.title_field and meta.title_field != "name" else None
	fields = ["name", *([title] if title else [])]
	for row in frappe.get_all(doctype, fields=fields, limit_page_length=0):
		for word in (row.name, _(row.name), row.get(title) if title else None):
			if word:
				lookup.setdefault(lookup_key(word), row.name)
	return lookup


def master_values(doctype: str, limit: int = 2000) -> list[str]:
	"""Names of a master for a template drop-down (groups of a tree included, as the form allows them)."""
	return frappe.get_all(doctype, pluck="name", order_by="name asc", limit_page_length=limit)
