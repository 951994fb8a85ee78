"""Every user-facing English string of cims_app, read straight from its source files (no site needed).

Used by tests/unit/test_translations_complete.py, and from the shell to merge translations:

	python3 -m tests.unit.translation_sources --merge /tmp/cims-zh   # adds new rows to zh.csv, lists gaps

Sources: DocType, report, workspace, number card, dashboard chart and fixture JSON (names, labels,
Select options, descriptions, workflow states and actions), `_("...")` in .py (including the marker
of cims_app/domain), `__("...")` in .js and `_("...")` in .html templates.
"""

import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "cims_app"
ZH_CSV = APP / "translations" / "zh.csv"

# Fields of a DocType field (or Custom Field) row that the Desk shows translated.
FIELD_TEXT_KEYS = ("label", "description")
# Record kinds whose JSON files carry user-facing names, and the keys holding them.
RECORD_TEXT_KEYS = {
	"DocType": ("name", "description"),
	"Report": ("name", "report_name"),
	"Workspace": ("name", "label", "title"),
	"Number Card": ("name", "label"),
	"Dashboard Chart": ("name", "chart_name"),
	"Dashboard": ("name", "dashboard_name"),
	"Workflow": ("name", "workflow_name"),
	"Workflow State": ("name", "workflow_state_name"),
	"Workflow Action Master": ("name", "workflow_action_name"),
	"Role": ("name", "role_name"),
	"Kanban Board": ("name", "kanban_board_name"),
}
# Child rows of those records that carry labels (workspace links and shortcuts, workflow states...).
CHILD_TEXT_KEYS = {
	"links": ("label", "group"),
	"shortcuts": ("label",),
	"charts": ("label",),
	"number_cards": ("label",),
	"cards": ("label", "card_name"),
	"quick_lists": ("label",),
	"states": ("state",),
	"transitions": ("action",),
	"actions": ("label", "group"),
	"columns": ("label",),
	"filters": ("label",),
}

PY_CALL = re.compile(r"""(?<![\w.])_\(\s*(?P<q>"|')(?P<s>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*[,)]""")
PY_CALL_TRIPLE = re.compile(r'''(?<![\w.])_\(\s*"""(?P<s>.*?)"""\s*[,)]''', re.S)
JS_CALL = re.compile(r"""(?<![\w.])__\(\s*(?P<q>"|'|`)(?P<s>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*[,)]""")
HTML_CALL = re.compile(r"""(?<![\w.])_\(\s*(?P<q>"|')(?P<s>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*[,)]""")
FIELDNAME = re.compile(r"^[a-z0-9_]+$")
HAS_LETTER = re.compile(r"[A-Za-z]")
NAMING_SERIES = re.compile(r"\.#|\.YYYY|\.MM\.")
# Strings Frappe v15's own zh keeps in English: translations are global, so zh.csv repeats them as they
# are rather than override the framework (SPEC §1.5); tests/integration/test_translations_framework.py checks.
FRAMEWORK_KEEPS_ENGLISH = frozenset({"No"})


def is_translatable(text: str) -> bool:
	"""Worth translating: has a Latin letter, is not a bare fieldname, not a naming series or HTML/JS."""
	text = text.strip()
	return bool(
		text
		and HAS_LETTER.search(text)
		and not FIELDNAME.match(text)
		and not NAMING_SERIES.search(text)
		and "${" not in text
	)


def _unescape(text: str) -> str:
	return text.replace("\\'", "'").replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _field_strings(field: dict) -> Iterator[str]:
	for key in FIELD_TEXT_KEYS:
		if field.get(key):
			yield field[key]
	if (
		field.get("fieldtype") == "Select"
		and field.get("options")
		and field.get("fieldname") != "naming_series"
	):
		yield from (option for option in field["options"].split("\n") if option.strip())


def json_strings(path: Path) -> Iterator[tuple[str, str]]:
	"""(string, where) for every user-facing string of one JSON file of the app."""
	data = json.loads(path.read_text(encoding="utf-8"))
	records = data if isinstance(data, list) else [data]
	where = str(path.relative_to(REPO))
	for record in records:
		if not isinstance(record, dict):
			continue
		kind = record.get("doctype")
		if kind == "Custom Field":
			yield from ((s, where) for s in _field_strings(record))
			continue
		if kind == "Property Setter":
			continue
		for key in RECORD_TEXT_KEYS.get(kind, ()):
			if isinstance(record.get(key), str):
				yield record[key], where
		for field in record.get("fields", []) if kind == "DocType" else ():
			yield from ((s, where) for s in _field_strings(field))
		for child_key, keys in CHILD_TEXT_KEYS.items():
			rows = record.get(child_key)
			if kind == "DocType" and child_key in ("links", "actions"):
				keys = ("group", "label")
			if not isinstance(rows, list):
				continue
			for row in rows:
				for key in keys:
					if isinstance(row, dict) and isinstance(row.get(key), str):
						yield row[key], where
		if kind == "Workspace" and record.get("content"):
			for block in json.loads(record["content"]):
				text = (block.get("data") or {}).get("text", "")
				plain = re.sub(r"<[^>]+>", "", text).strip()
				if plain:
					yield plain, where


def code_strings(path: Path) -> Iterator[tuple[str, str]]:
	text = path.read_text(encoding="utf-8")
	where = str(path.relative_to(REPO))
	if path.suffix == ".py":
		patterns = (PY_CALL, PY_CALL_TRIPLE)
	elif path.suffix == ".js":
		patterns = (JS_CALL,)
	else:
		patterns = (HTML_CALL,)
	for pattern in patterns:
		for match in pattern.finditer(text):
			yield _unescape(match.group("s")), where


def app_strings(app: Path = APP) -> dict[str, str]:
	"""Every translatable English string of the app -> the first file it was found in."""
	found: dict[str, str] = {}
	for path in sorted(app.rglob("*")):
		if not path.is_file() or "node_modules" in path.parts or "__pycache__" in path.parts:
			continue
		if path.suffix == ".json":
			pairs = json_strings(path)
		elif path.suffix in (".py", ".js", ".html"):
			if path.name.endswith(".bundle.js") and "dist" in path.parts:
				continue
			pairs = code_strings(path)
		else:
			continue
		for text, where in pairs:
			text = text.strip()
			if is_translatable(text):
				found.setdefault(text, where)
	return found


def read_rows(path: Path = ZH_CSV) -> list[tuple[str, str, str]]:
	"""(source, Chinese, context) for every row; context is "" except for DocType-specific labels."""
	if not path.exists():
		return []
	rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8")))
	return [(row[0], row[1], row[2] if len(row) > 2 else "") for row in rows if len(row) >= 2 and row[0]]


def read_zh(path: Path = ZH_CSV) -> dict[str, str]:
	"""source -> Chinese of the rows without a context: what every string of the app falls back to."""
	return {source: zh for source, zh, context in read_rows(path) if not context}


def write_rows(rows: list[tuple[str, str, str]], path: Path = ZH_CSV) -> None:
	"""`source,translation` rows (a third column for a context), sorted by source, then context."""
	out = io.StringIO()
	writer = csv.writer(out, lineterminator="\n")
	for source, zh, context in sorted(set(rows), key=lambda r: (r[0].casefold(), r[0], r[2])):
		writer.writerow([source, zh, context] if context else [source, zh])
	path.parent.mkdir(parents=True, exist_ok=True)
	path.write_text(out.getvalue(), encoding="utf-8")


def contributed_rows(folder: Path) -> dict[str, str]:
	rows: dict[str, str] = {}
	for path in sorted(folder.glob("*.csv")):
		for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
			if len(row) >= 2 and row[0].strip() and row[1].strip() and row[0] != "source":
				rows[row[0].strip()] = row[1].strip()
	return rows


def main(argv: list[str]) -> int:
	rows = read_rows()
	table = read_zh()
	if "--merge" in argv:
		folder = Path(argv[argv.index("--merge") + 1])
		added = {k: v for k, v in contributed_rows(folder).items() if k not in table}
		table.update(added)
		write_rows(rows + [(source, zh, "") for source, zh in added.items()])
		print(f"merged {len(added)} new rows from {folder}; zh.csv has {len(rows) + len(added)} rows")
	missing = {s: where for s, where in app_strings().items() if s not in table}
	for text, where in sorted(missing.items()):
		print(f"missing: {text!r} ({where})")
	print(f"{len(missing)} app strings without Chinese")
	return 1 if missing else 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
