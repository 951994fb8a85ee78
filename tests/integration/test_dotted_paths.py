"""Every dotted path the framework or the browser will call resolves: hooks.py (doc events, scheduler,
permission hooks, overrides, install hooks), patches.txt, the paths the app's Python hands to the framework
as strings (enqueue, Server Script-free hooks), and the methods the Desk's JavaScript calls, which must also
be whitelisted. A module moved without its callers is found here, not by a user's click or a silent job."""

import ast
import importlib
import re
from pathlib import Path

import frappe
import pytest

from cims_app import hooks

pytestmark = pytest.mark.integration

APP = Path(__file__).resolve().parents[2] / "cims_app"
DOTTED = re.compile(r"^cims_app(\.\w+)+$")
# A method named in JS: "cims_app.x.y" in quotes or backticks, or a prefix constant joined with a name.
JS_METHOD = re.compile(r"[\"'`](cims_app(?:\.\w+)+)[\"'`]")
JS_PREFIX = re.compile(r"const (\w+) = [\"'](cims_app(?:\.\w+)+)\.[\"']")


def resolve(path: str):
	"""The module or attribute that `path` names; raises when nothing does."""
	try:
		return importlib.import_module(path)
	except ModuleNotFoundError as error:
		if error.name != path:
			raise
	module, _, attribute = path.rpartition(".")
	return getattr(importlib.import_module(module), attribute)


def strings_in(value):
	if isinstance(value, str):
		yield value
	elif isinstance(value, dict):
		for key, item in value.items():
			yield from strings_in(key)
			yield from strings_in(item)
	elif isinstance(value, list | tuple | set):
		for item in value:
			yield from strings_in(item)


def hook_paths() -> list[str]:
	values = [getattr(hooks, name) for name in dir(hooks) if not name.startswith("_")]
	return sorted({text for text in strings_in(values) if DOTTED.match(text)})


def python_string_paths() -> list[str]:
	"""Dotted paths written as whole string literals in the app's Python (enqueue targets and the like)."""
	found = set()
	for file in APP.rglob("*.py"):
		for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
			if isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED.match(node.value):
				found.add(node.value)
	return sorted(found)


def js_methods() -> list[str]:
	found = set()
	for file in APP.rglob("*.js"):
		text = file.read_text(encoding="utf-8")
		found.update(JS_METHOD.findall(text))
		for constant, prefix in JS_PREFIX.findall(text):
			# CONSTANT + "name" and `${CONSTANT}name`
			names = re.findall(rf"{constant}\s*\+\s*[\"'](\w+)[\"']", text)
			names += re.findall(rf"\$\{{{constant}\}}(\w+)", text)
			names += re.findall(r"\.call\(\s*frm,\s*[\"'](\w+)[\"']", text)
			found.update(f"{prefix}.{name}" for name in names)
	# frappe.provide namespaces are JS objects, not Python paths.
	provided = {
		name
		for file in APP.rglob("*.js")
		for name in re.findall(r"frappe\.provide\([\"']([\w.]+)[\"']\)", file.read_text())
	}
	return sorted(found - provided)


def test_the_scan_finds_what_the_app_calls():
	# Guards the guards: an empty list would pass every test below.
	assert "cims_app.access.permissions.has_permission" in hook_paths()
	assert "cims_app.imports.engine.run_batch" in python_string_paths()
	assert "cims_app.api.customers.claim" in js_methods()
	assert "cims_app.api.campaign.add_customers" in js_methods()


@pytest.mark.parametrize("path", hook_paths())
def test_every_hook_path_resolves(path):
	assert resolve(path) is not None


def test_every_override_replaces_a_framework_method():
	for original in hooks.override_whitelisted_methods:
		assert callable(resolve(original)), original


@pytest.mark.parametrize("path", python_string_paths())
def test_every_dotted_path_in_the_apps_python_resolves(path):
	assert resolve(path) is not None


@pytest.mark.parametrize("path", js_methods())
def test_every_method_the_desk_calls_resolves_and_is_whitelisted(path):
	target = resolve(path)
	assert target in frappe.whitelisted, f"{path} is not whitelisted"


def test_every_patch_resolves_to_a_module_with_execute():
	lines = (APP / "patches.txt").read_text(encoding="utf-8").splitlines()
	patches = [line.split()[0] for line in lines if line.strip() and not line.startswith(("#", "["))]
	assert patches
	for patch in patches:
		assert callable(getattr(importlib.import_module(patch), "execute", None)), patch
