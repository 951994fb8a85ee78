"""Row rules of the importer: one spreadsheet row in, normalised values and every problem out.

Plain Python (no frappe import, so the unit tests run it anywhere). Every value goes through the
same cims_app.domain function the form uses: mobile, landline and email rules, credit code and ID
number check digits, dates (Excel serials, 2024年3月5日), amounts (1,234.50, 50万, columns in 万元),
option values in Chinese or English, full-width characters and stray spaces.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from cims_app.domain.contact_rules import normalise_email, normalise_mobile, normalise_phone
from cims_app.domain.customer_rules import check_core_need
from cims_app.domain.errors import RuleViolation, _
from cims_app.domain.identifiers import normalise_id_number, normalise_uscc
from cims_app.domain.names import normalise_person_name
from cims_app.domain.parsing import (
	parse_amount,
	parse_check,
	parse_date,
	parse_datetime,
	parse_int,
	parse_percent,
)
from cims_app.domain.text import clean_text, to_half_width, without_whitespace
from cims_app.domain.vocabulary import FIELD_VOCABULARY, canonical_option

DATA_MAX_LENGTH = 140
RATING_STARS = 5

# Select fields whose values the shared vocabulary knows (Chinese, English, synonyms, the English of
# renamed options): (doctype, field) → vocabulary; the customer template's contact role column too.
VOCABULARY_FIELDS: dict[tuple[str, str], str] = {
	**FIELD_VOCABULARY,
	("CIMS Customer", "contact_role"): "contact_role",
}

KINDS = frozenset(
	{
		"text",
		"long_text",
		"person_name",
		"select",
		"link",
		"reference",
		"date",
		"datetime",
		"amount",
		"int",
		"float",
		"percent",
		"check",
		"rating",
		"mobile",
		"phone",
		"email",
		"uscc",
		"id_number",
		"core_need",
	}
)


@dataclass(frozen=True)
class FieldSpec:
	"""How to read one column: `kind` names the rule (see KINDS), `label` is shown in messages.

	select: `options` are the stored values, `vocabulary` the shared vocabulary field when there is
	one, `option_words` more accepted words (lookup_key → option, e.g. translated custom options).
	link: `link_doctype`, resolved through the `links` given to normalise_row. reference: a
	record named in a later step (a customer by ID, name or credit code), only cleaned here.
	"""

	fieldname: str
	label: str
	kind: str
	required: bool = False
	options: tuple[str, ...] = ()
	vocabulary: str | None = None
	option_words: Mapping[str, str] = field(default_factory=dict)
	link_doctype: str | None = None
	max_length: int | None = None


@dataclass(frozen=True)
class RowError:
	"""A problem with one cell (`fieldname`) or with the row as a whole (fieldname None)."""

	fieldname: str | None
	message: str
	params: tuple = ()

	def text(self) -> str:
		return self.message.format(*self.params)


@dataclass
class RowResult:
	values: dict = field(default_factory=dict)
	errors: list[RowError] = field(default_factory=list)

	@property
	def ok(self) -> bool:
		return not self.errors


def lookup_key(value: object) -> str:
	"""Half-width, whitespace removed, case folded: how a typed value is compared with option and record names."""
	return without_whitespace(to_half_width(value)).casefold()


def cell_text(value: object) -> str:
	"""A cell as text: whole numbers without ".0", dates as ISO, everything through clean_text."""
	if isinstance(value, float) and value.is_integer():
		value = int(value)
	elif isinstance(value, datetime.datetime):
		value = value.isoformat(sep=" ")
	elif isinstance(value, datetime.date):
		value = value.isoformat()
	return clean_text(value)


def is_blank(value: object) -> bool:
	return value is None or (isinstance(value, str) and not value.strip())


def _select(spec: FieldSpec, value: object) -> str:
	text = cell_text(value)
	option = None
	if spec.vocabulary:
		option = canonical_option(spec.vocabulary, text)
	if option is None:
		key = lookup_key(text)
		option = spec.option_words.get(key) or next(
			(choice for choice in spec.options if lookup_key(choice) == key), None
		)
	if option is None or (spec.options and option not in spec.options):
		raise RuleViolation(
			_("{0} is not one of the options of {1}: {2}"),
			(text, spec.label, ", ".join(choice for choice in spec.options if choice)),
			field=spec.fieldname,
		)
	return option


def _link(spec: FieldSpec, value: object, links: Mapping[str, Mapping[str, str]]) -> str:
	text = cell_text(value)
	name = links.get(spec.link_doctype or "", {}).get(lookup_key(text))
	if not name:
		raise RuleViolation(_("{0} {1} does not exist"), (spec.label, text), field=spec.fieldname)
	return name


def _rating(spec: FieldSpec, value: object) -> float:
	"""Frappe stores a rating as the filled fraction of 5 stars: 4 (or 4星, 80%) → 0.8."""
	text = cell_text(value).removesuffix("星").removesuffix("分")
	number = parse_percent(text, field=spec.fieldname)
	if number is None:
		return 0
	stars = number / 20 if text.endswith("%") else number
	if stars > 1 or (isinstance(value, int | Decimal) and stars == 1):
		stars = stars / RATING_STARS
	if not 0 <= stars <= 1:
		raise RuleViolation(_("Rating {0} is not between 0 and 5"), (text,), field=spec.fieldname)
	return round(stars, 4)


def _text(spec: FieldSpec, value: object) -> str:
	text = cell_text(value) if spec.kind != "long_text" else to_half_width(value).strip()
	if spec.kind == "person_name":
		text = normalise_person_name(text)
	limit = spec.max_length
	if limit and len(text) > limit:
		raise RuleViolation(
			_("{0} has {1} characters, more than the {2} allowed"),
			(spec.label, len(text), limit),
			field=spec.fieldname,
		)
	return text


def normalise_value(
	spec: FieldSpec,
	value: object,
	links: Mapping[str, Mapping[str, str]] | None = None,
	in_wan: bool = False,
	today: datetime.date | None = None,
):
	"""The stored form of one non-blank cell under `spec`; RuleViolation when it breaks a rule."""
	kind = spec.kind
	field_name = spec.fieldname
	if kind in ("text", "long_text", "person_name", "reference"):
		return _text(spec, value)
	if kind == "select":
		return _select(spec, value)
	if kind == "link":
		return _link(spec, value, links or {})
	if kind == "date":
		return _with_field(parse_date, value, field_name, today=today)
	if kind == "datetime":
		return _with_field(parse_datetime, value, field_name, today=today)
	if kind == "amount":
		return parse_amount(value, in_wan=in_wan, field=field_name)
	if kind == "int":
		return parse_int(value, field=field_name)
	if kind == "float":
		return float(parse_amount(value, field=field_name))
	if kind == "percent":
		return parse_percent(value, field=field_name)
	if kind == "check":
		return parse_check(value, field=field_name)
	if kind == "rating":
		return _rating(spec, value)
	if kind == "mobile":
		return normalise_mobile(value, field=field_name)
	if kind == "phone":
		return normalise_phone(value, field=field_name)
	if kind == "email":
		return normalise_email(value, field=field_name)
	if kind == "uscc":
		return normalise_uscc(value, field=field_name)
	if kind == "id_number":
		return normalise_id_number(value, field=field_name, today=today)
	if kind == "core_need":
		return check_core_need(value, field=field_name)
	raise ValueError(f"unknown field kind {kind!r}")


def _with_field(parse, value, field_name, **kwargs):
	try:
		return parse(value, **kwargs)
	except RuleViolation as error:
		raise RuleViolation(error.message, error.params, field=field_name)


def normalise_row(
	cells: Mapping[str, object],
	specs: Mapping[str, FieldSpec],
	links: Mapping[str, Mapping[str, str]] | None = None,
	wan_fields: frozenset[str] | set[str] = frozenset(),
	amounts_in_wan: bool = False,
	today: datetime.date | None = None,
) -> RowResult:
	"""Normalise every mapped cell ({fieldname: raw value}) and report every problem, not only the first.

	Blank cells are left out of `values`; a blank required field is an error. Amounts are read in
	万元 when the batch says so or the column's header does.
	"""
	result = RowResult()
	for fieldname, spec in specs.items():
		raw = cells.get(fieldname)
		if is_blank(raw):
			if spec.required:
				result.errors.append(RowError(fieldname, _("{0} is required"), (spec.label,)))
			continue
		try:
			value = normalise_value(
				spec, raw, links, in_wan=amounts_in_wan or fieldname in wan_fields, today=today
			)
		except RuleViolation as error:
			result.errors.append(RowError(fieldname, error.message, error.params))
			continue
		if value not in (None, ""):
			result.values[fieldname] = value
		elif spec.required:
			result.errors.append(RowError(fieldname, _("{0} is required"), (spec.label,)))
	return result


# Columns of the customer template that describe its primary contact (the rest are customer fields).
CONTACT_COLUMNS = (
	"contact_name",
	"mobile_no",
	"email_id",
	"contact_role",
	"contact_designation",
	"contact_wechat",
)


def customer_row_rules(values: dict, default_type: str = "Enterprise") -> list[RowError]:
	"""Rules of a customer row across its cells, after normalise_row. The customer type defaults to
	Enterprise as in the form; the form's other rules (name keys, duplicates) run in later steps."""
	values.setdefault("customer_type", default_type)
	return []


def split_customer_contact(values: dict) -> tuple[dict, dict]:
	"""(customer values, primary-contact values) of a customer row; mobile and email belong to both."""
	customer = {key: value for key, value in values.items() if key not in CONTACT_COLUMNS}
	contact = {}
	if values.get("contact_name"):
		contact = {
			"first_name": values["contact_name"],
			"mobile_no": values.get("mobile_no"),
			"email_id": values.get("email_id"),
			"cims_contact_role": values.get("contact_role"),
			"designation": values.get("contact_designation"),
			"cims_wechat": values.get("contact_wechat"),
		}
	for key in ("mobile_no", "email_id"):
		if values.get(key):
			customer[key] = values[key]
	return customer, contact
