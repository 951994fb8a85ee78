"""Connect the integration tests to a real Frappe site, or skip them all with one line saying why.

Point them at a site with two environment variables and run pytest with the bench's python:

	CIMS_BENCH_PATH=/opt/cims-bench CIMS_TEST_SITE=test.localhost /opt/cims-bench/env/bin/python -m pytest tests

CIMS_TEST_URL (optional) names a web server already serving the bench; otherwise one is started
on a free port for the HTTP tests and stopped at the end.
"""

import os
from pathlib import Path

import pytest

BENCH = os.environ.get("CIMS_BENCH_PATH", "")
SITE = os.environ.get("CIMS_TEST_SITE", "")


def _why_no_site() -> str | None:
	if not BENCH or not SITE:
		return "no Frappe site configured: set CIMS_BENCH_PATH and CIMS_TEST_SITE to run integration tests"
	if not (Path(BENCH) / "sites" / SITE / "site_config.json").exists():
		return f"site {SITE} does not exist in {BENCH}/sites"
	try:
		import frappe
	except ImportError:
		return (
			f"frappe is not importable: run pytest with the bench's python ({BENCH}/env/bin/python -m pytest)"
		)
	return None


if reason := _why_no_site():
	pytest.skip(reason, allow_module_level=True)

import frappe

from tests.integration.support import ROLE_USERS, ApiClient, ensure_role_users, remove_role_users

SITES_PATH = Path(BENCH) / "sites"


@pytest.fixture(scope="session", autouse=True)
def site():
	"""The connected test site (frappe.local is set up for the whole session)."""
	os.chdir(SITES_PATH)
	frappe.init(site=SITE, sites_path=str(SITES_PATH))
	frappe.connect()
	frappe.flags.in_test = True
	frappe.set_user("Administrator")
	yield SITE
	frappe.db.rollback()
	frappe.destroy()


@pytest.fixture(autouse=True)
def as_administrator(site):
	"""Every test starts as Administrator and leaves no uncommitted writes behind."""
	frappe.set_user("Administrator")
	yield
	frappe.db.rollback()
	frappe.set_user("Administrator")


@pytest.fixture
def imports():
	"""Import batches a test makes, with everything they imported, removed afterwards."""
	from tests.integration.import_helpers import Imports

	tracker = Imports()
	yield tracker
	tracker.cleanup()


@pytest.fixture(scope="session")
def role_users(site):
	"""One enabled user per CIMS role (plus an admin), committed so the web server sees them."""
	ensure_role_users()
	yield ROLE_USERS
	remove_role_users()


@pytest.fixture(scope="session")
def base_url(site):
	"""A web server serving the bench: CIMS_TEST_URL, or gunicorn started here on a free port."""
	if url := os.environ.get("CIMS_TEST_URL"):
		yield url.rstrip("/")
		return
	from tests.bench_processes import free_port, wait_for_http, web_server

	port = free_port()
	with web_server(BENCH, port):
		url = f"http://127.0.0.1:{port}"
		wait_for_http(url, SITE, seconds=60)
		yield url


@pytest.fixture(scope="session")
def api(base_url, role_users):
	"""`api(role)` gives an HTTP client logged in as the test user of that role."""
	clients = {}

	def client(role: str = "System Manager") -> ApiClient:
		if role not in clients:
			clients[role] = ApiClient(base_url, SITE).login(*role_users[role])
		return clients[role]

	return client
