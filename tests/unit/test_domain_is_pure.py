"""The domain layer runs without Frappe: no frappe import and nothing outside the standard library."""

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "cims_app" / "domain"
MODULES = sorted(DOMAIN.glob("*.py"))


def _imported_modules(path: Path) -> list[str]:
	tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
	names = []
	for node in ast.walk(tree):
		if isinstance(node, ast.Import):
			names.extend(alias.name for alias in node.names)
		elif isinstance(node, ast.ImportFrom):
			names.append("." * node.level + (node.module or ""))
	return names


def test_domain_package_has_modules():
	assert len(MODULES) >= 10


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_domain_module_does_not_import_frappe(path):
	offending = [name for name in _imported_modules(path) if name.split(".")[0] == "frappe"]
	assert not offending, f"{path.name} imports {offending}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_domain_module_imports_only_stdlib_and_domain(path):
	outside = [
		name
		for name in _imported_modules(path)
		if not name.startswith(("cims_app.domain", ".")) and name.split(".")[0] not in sys.stdlib_module_names
	]
	assert not outside, f"{path.name} imports {outside}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_domain_module_does_not_call_frappe_dynamically(path):
	source = path.read_text(encoding="utf-8")
	assert "__import__(" not in source and "import_module(" not in source
