"""Every user-facing string of the app has Chinese in cims_app/translations/zh.csv (SPEC §1.5).

Strings are read from the source files by tests/unit/translation_sources.py: DocType, report,
workspace, number card, dashboard chart and fixture JSON, `_("...")` in .py, `__("...")` in .js
and `_("...")` in .html. A failure lists each missing string and the file it was found in; add the
rows to zh.csv (`python3 -m tests.unit.translation_sources --merge /tmp/cims-zh` merges contributed rows).
"""

import csv
import io
import json
import re

from tests.unit.translation_sources import (
	APP,
	FRAMEWORK_KEEPS_ENGLISH,
	ZH_CSV,
	app_strings,
	code_strings,
	is_translatable,
	json_strings,
	read_rows,
	read_zh,
)

HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{\d+\}")


def test_every_app_string_has_a_chinese_translation():
	table = read_zh()
	missing = {text: where for text, where in app_strings().items() if not table.get(text, "").strip()}
	assert not missing, f"{len(missing)} strings have no Chinese in {ZH_CSV.name}:\n" + "\n".join(
		f"  {text!r}  ({where})" for text, where in sorted(missing.items())
	)


def test_zh_csv_rows_are_well_formed_sorted_and_unique():
	text = ZH_CSV.read_text(encoding="utf-8")
	rows = list(csv.reader(io.StringIO(text)))
	assert all(len(row) in (2, 3) for row in rows), [row for row in rows if len(row) not in (2, 3)]
	keys = [(row[0], row[2] if len(row) == 3 else "") for row in rows]
	assert len(keys) == len(set(keys)), "duplicate source rows"
	assert keys == sorted(keys, key=lambda k: (k[0].casefold(), k[0], k[1])), "rows are not sorted by source"
	assert all(row[0] == row[0].strip() and row[1] == row[1].strip() and row[1] for row in rows)


def test_every_translation_is_chinese_and_keeps_the_placeholders():
	wrong = [
		(source, zh)
		for source, zh, _context in read_rows()
		if (
			HAN.search(source) is None
			and HAN.search(zh) is None
			and is_translatable(source)
			and source not in FRAMEWORK_KEEPS_ENGLISH
		)
		or sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(zh))
	]
	assert not wrong, wrong


def test_context_rows_name_a_label_of_that_doctype():
	"""A row with a context translates one label on one DocType of the app; anything else is a typo."""
	labels: dict[str, set[str]] = {}
	for path in (APP / "cims_app" / "doctype").glob("*/*.json"):
		doc = json.loads(path.read_text(encoding="utf-8"))
		if doc.get("doctype") == "DocType":
			labels[doc["name"]] = {f.get("label") for f in doc.get("fields", []) if f.get("label")}
	stray = [
		(source, context)
		for source, _zh, context in read_rows()
		if context and source not in labels.get(context, ())
	]
	assert not stray, stray


def test_extractor_finds_strings_of_each_kind(tmp_path):
	"""The regex extractor itself: JSON labels and options, _() in Python and HTML, __() in JS."""
	doctype = {
		"doctype": "DocType",
		"name": "CIMS Probe",
		"fields": [
			{"fieldname": "stage", "fieldtype": "Select", "label": "Probe Stage", "options": "\nEarly\nLate"},
			{"fieldname": "naming_series", "fieldtype": "Select", "options": ".YYYY.-.####"},
			{"fieldname": "x", "fieldtype": "Data", "label": "X Value", "description": "Say why"},
		],
	}
	(tmp_path / "probe.json").write_text(json.dumps(doctype))
	(tmp_path / "probe.py").write_text("frappe.throw(_(\"It's {0} wrong\").format(x))\nlog('no')\n")
	(tmp_path / "probe.js").write_text("frm.add_custom_button(__('Do It'), go, __(\"Group\"));\n")
	(tmp_path / "probe.html").write_text('<p>{{ _("Hello there") }}</p>')
	import tests.unit.translation_sources as sources

	original = sources.REPO
	sources.REPO = tmp_path
	try:
		found = {
			text
			for path in tmp_path.iterdir()
			for text, _ in (json_strings(path) if path.suffix == ".json" else code_strings(path))
		}
	finally:
		sources.REPO = original
	assert found >= {"CIMS Probe", "Probe Stage", "Early", "Late", "X Value", "Say why"}
	assert found >= {"It's {0} wrong", "Do It", "Group", "Hello there"}
	assert "no" not in found
	assert not is_translatable(".YYYY.-.####") and not is_translatable("customer_name")
	assert not is_translatable("50-200") and is_translatable("<10M")
