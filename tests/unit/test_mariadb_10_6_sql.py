"""The app runs on every MariaDB Frappe v15 supports, from 10.6: no SQL of the app (or its benchmarks) may use
a function, type or syntax that MariaDB added after 10.6. Every string in the code that could be SQL (all
string constants but docstrings, f-string parts included) and every JSON/SQL file is scanned."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = [ROOT / "cims_app", ROOT / "benchmarks"]

# What MariaDB added after 10.6 (release notes of 10.7 to 11.8), with the version that added it.
NEWER_THAN_10_6 = {
	# functions
	r"\bNATURAL_SORT_KEY\b": "NATURAL_SORT_KEY() (10.7)",
	r"\bSFORMAT\b": "SFORMAT() (10.7)",
	r"\bJSON_EQUALS\b": "JSON_EQUALS() (10.7)",
	r"\bJSON_NORMALIZE\b": "JSON_NORMALIZE() (10.7)",
	r"\bCRC32C\b": "CRC32C() (10.8)",
	r"\bJSON_OVERLAPS\b": "JSON_OVERLAPS() (10.9)",
	r"\bRANDOM_BYTES\b": "RANDOM_BYTES() (10.10)",
	r"\bJSON_SCHEMA_VALID\b": "JSON_SCHEMA_VALID() (11.1)",
	r"\bJSON_KEY_VALUE\b": "JSON_KEY_VALUE() (11.2)",
	r"\bJSON_ARRAY_INTERSECT\b": "JSON_ARRAY_INTERSECT() (11.2)",
	r"\bJSON_OBJECT_FILTER_KEYS\b": "JSON_OBJECT_FILTER_KEYS() (11.2)",
	r"\bJSON_OBJECT_TO_ARRAY\b": "JSON_OBJECT_TO_ARRAY() (11.2)",
	r"\bKDF\s*\(": "KDF() (11.3)",
	r"\bUUID_V[47]\b": "UUID_v4() / UUID_v7() (11.7)",
	r"\bVEC_(DISTANCE\w*|FROMTEXT|TOTEXT)\b": "VEC_* vector functions (11.7)",
	# data types
	r"\bINET4\b": "the INET4 type (10.10)",
	r"\bAS\s+UUID\b|\bUUID\s+(NOT\s+NULL|NULL|DEFAULT|PRIMARY|UNIQUE)\b": "the UUID type (10.7)",
	r"\bVECTOR\s*\(\s*\d": "the VECTOR type (11.7)",
	# syntax
	r"\bCONVERT\s+(PARTITION|TABLE)\b": "ALTER TABLE ... CONVERT PARTITION / TABLE (10.7)",
	r"\$\[\s*last\b|\[\s*\d+\s+to\s+\d+\s*\]": "JSON path ranges and `last` (10.9)",
	r"\bGRANT\b[^;]*\bTO\s+PUBLIC\b": "GRANT ... TO PUBLIC (10.11)",
}
PATTERNS = [(re.compile(pattern, re.IGNORECASE), what) for pattern, what in NEWER_THAN_10_6.items()]


def _docstrings(tree: ast.AST) -> set[int]:
	ids = set()
	for node in ast.walk(tree):
		if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
			body = node.body
			if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
				ids.add(id(body[0].value))
	return ids


def python_strings(source: str) -> list[tuple[int, str]]:
	"""(line, text) of every string constant of a module but its docstrings."""
	tree = ast.parse(source)
	skip = _docstrings(tree)
	return [
		(node.lineno, node.value)
		for node in ast.walk(tree)
		if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
	]


def newer_sql(text: str) -> list[str]:
	return [what for pattern, what in PATTERNS if pattern.search(text)]


def findings() -> list[str]:
	found = []
	for root in SCANNED:
		for path in sorted(root.rglob("*")):
			if path.suffix == ".py":
				texts = python_strings(path.read_text(encoding="utf-8"))
			elif path.suffix in (".sql", ".json"):
				texts = [(0, path.read_text(encoding="utf-8"))]
			else:
				continue
			for line, text in texts:
				found += [f"{path.relative_to(ROOT)}:{line}: {what}" for what in newer_sql(text)]
	return found


def test_no_sql_of_the_app_needs_a_mariadb_newer_than_10_6():
	assert findings() == []


@pytest.mark.parametrize(
	"sql",
	[
		"SELECT LOWER(HEX(RANDOM_BYTES(8)))",
		"REPLACE(REPLACE(TO_BASE64(RANDOM_BYTES(24)), '+', '-'), '/', '_')",
		"ORDER BY NATURAL_SORT_KEY(c.customer_name)",
		"SELECT SFORMAT('{} {}', a, b)",
		"WHERE JSON_EQUALS(a, b)",
		"SELECT JSON_OVERLAPS(a, b)",
		"SELECT UUID_v7()",
		"CAST(x AS UUID)",
		"CREATE TABLE t (id UUID NOT NULL)",
		"CREATE TABLE t (ip INET4)",
		"ALTER TABLE t CONVERT PARTITION p0 TO TABLE t0",
		"JSON_EXTRACT(doc, '$[last]')",
		"SELECT KDF('key', 'salt')",
		"SELECT VEC_DISTANCE_COSINE(a, b)",
		"GRANT SELECT ON db.* TO PUBLIC",
	],
)
def test_scanner_catches_sql_newer_than_10_6(sql):
	assert newer_sql(sql)


@pytest.mark.parametrize(
	"sql",
	[
		"SELECT UUID(), SHA2(CONCAT(UUID(), RAND()), 256), TO_BASE64(x)",
		"UPDATE t JOIN JSON_TABLE(%s, '$[*]' COLUMNS (name VARCHAR(140) PATH '$[0]')) v ON v.name = t.name",
		"SELECT name FROM t ORDER BY name LIMIT 10 OFFSET 20 FOR UPDATE SKIP LOCKED",
		"INSERT INTO t (a) VALUES (1) RETURNING a",
		"customer uuid is",
		"Release to Public Pool After (Days, 0 = Off)",
	],
)
def test_scanner_lets_10_6_sql_through(sql):
	assert newer_sql(sql) == []


def test_scanner_reads_sql_inside_f_strings_and_skips_docstrings():
	source = '"""RANDOM_BYTES in a docstring is prose."""\nx = f"SELECT {a}, RANDOM_BYTES(8)"\n'
	assert [newer_sql(text) for _line, text in python_strings(source) if newer_sql(text)] == [
		["RANDOM_BYTES() (10.10)"]
	]
