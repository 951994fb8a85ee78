"""Browser tests: the real Desk of a real site in headless Chromium (Debian's chromium + chromedriver).

Run with the integration tests' settings (CIMS_BENCH_PATH, CIMS_TEST_SITE) and the bench's python,
which needs selenium (`env/bin/pip install selenium`; it drives /usr/bin/chromedriver, nothing is
downloaded). Desk assets must be built: `bench build --app cims_app`. Every test skips with one line
saying why when the site, Chromium, chromedriver or selenium is missing.

The session connects to the site as the integration tests do (sharing their connection when both
run). The site is served by a gunicorn started here on a free port with the framework's static-file
middleware (the Desk needs /assets), or by CIMS_TEST_URL when set. Chromium reaches it under the
site's own name (`http://SITE:PORT`) through --host-resolver-rules, so any *.localhost site works.
"""

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

BENCH = os.environ.get("CIMS_BENCH_PATH", "")
SITE = os.environ.get("CIMS_TEST_SITE", "")
CHROMIUM = os.environ.get("CIMS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CIMS_CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).parent / "screenshots"


def _why_no_browser_run() -> str | None:
	if not BENCH or not SITE:
		return "no Frappe site configured: set CIMS_BENCH_PATH and CIMS_TEST_SITE to run the browser tests"
	if not (Path(BENCH) / "sites" / SITE / "site_config.json").exists():
		return f"site {SITE} does not exist in {BENCH}/sites"
	if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
		return f"chromium or chromedriver missing ({CHROMIUM}, {CHROMEDRIVER}): apt-get install chromium chromium-driver"
	try:
		import frappe
		import selenium
	except ImportError as error:
		return (
			f"{error.name} is not importable: run with the bench's python and `pip install selenium` into it"
		)
	if not (Path(BENCH) / "sites" / "assets" / "frappe" / "dist").exists():
		return "Desk assets are not built: run `bench build --app cims_app` in the bench"
	return None


SKIP_REASON = _why_no_browser_run()


def pytest_collection_modifyitems(config, items):
	if SKIP_REASON:
		here = str(Path(__file__).parent)
		for item in items:
			if str(item.fspath).startswith(here):
				item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


if not SKIP_REASON:
	import frappe
	import frappe.utils.password

	@pytest.fixture(scope="module")
	def site():
		"""The site, connected as Administrator, for the browser tests' module: shares the integration tests'
		connection when they already hold one, else connects and disconnects before the next module runs."""
		owned = not getattr(frappe.local, "site", None)
		if owned:
			os.chdir(Path(BENCH) / "sites")
			frappe.init(site=SITE, sites_path=str(Path(BENCH) / "sites"))
			frappe.connect()
		frappe.set_user("Administrator")
		yield SITE
		if owned and getattr(frappe.local, "site", None):
			frappe.db.rollback()
			frappe.destroy()

	@pytest.fixture(autouse=True)
	def as_administrator(site):
		"""Every test starts as Administrator and leaves no uncommitted writes behind."""
		frappe.set_user("Administrator")
		yield
		frappe.db.rollback()
		frappe.set_user("Administrator")

	@pytest.fixture(scope="module")
	def desk_url(site):
		"""Base URL of a web server serving the site with its Desk assets, and a realtime (socket.io) server
		of its own, so progress bars and list updates reach the browser as they do for users."""
		if url := os.environ.get("CIMS_TEST_URL"):
			port = urlparse(url).port or 80
			yield f"http://{SITE}:{port}"
			return
		from frappe.installer import update_site_config

		from tests.bench_processes import free_port, realtime_server, wait_for_http, wait_for_port, web_server

		port, socketio_port = free_port(), free_port()
		before = frappe.get_site_config().get("socketio_port")
		update_site_config("socketio_port", socketio_port)
		try:
			with (
				realtime_server(BENCH, socketio_port),
				web_server(BENCH, port, statics=True, dev_server=True),
			):
				wait_for_port(socketio_port)
				wait_for_http(f"http://127.0.0.1:{port}", SITE)
				yield f"http://{SITE}:{port}"
		finally:
			update_site_config("socketio_port", before if before else "None")
			if not before:
				frappe.local.conf.pop("socketio_port", None)

	@pytest.fixture(scope="module")
	def setup_wizard_done(site):
		"""A fresh site sends every Desk user to the setup wizard; mark it done for the run, then restore.
		Both marks count: `setup_complete` and the Desk's home page, which the wizard sets to the workspace
		when it finishes. Left on "setup-wizard", each login loads the wizard's page and then the Desk
		again, and a form opened right after shares the realtime server with two sockets of pages in
		flight (see test_live_progress)."""
		before = frappe.db.get_single_value("System Settings", "setup_complete")
		home_before = frappe.db.get_default("desktop:home_page")
		if not before:
			frappe.db.set_single_value("System Settings", "setup_complete", 1)
		if home_before == "setup-wizard":
			frappe.db.set_default("desktop:home_page", "workspace")
		frappe.db.commit()
		yield
		if not before:
			frappe.db.set_single_value("System Settings", "setup_complete", 0)
		if home_before == "setup-wizard":
			frappe.db.set_default("desktop:home_page", home_before)
		frappe.db.commit()

	@pytest.fixture()
	def browser(request):
		"""A fresh headless Chromium; `browser(width, height, mobile=False)` opens it at that size."""
		from selenium import webdriver
		from selenium.webdriver.chrome.service import Service

		drivers = []

		def open_browser(width: int, height: int, mobile: bool = False, flags: tuple = ()):
			"""`flags`: more Chromium switches, e.g. a fake camera for the check-in page."""
			options = webdriver.ChromeOptions()
			options.binary_location = CHROMIUM
			profile = tempfile.mkdtemp(prefix="cims-e2e-chromium-")
			for flag in (
				"--headless",
				"--no-sandbox",
				"--disable-gpu",
				"--disable-quic",
				"--no-first-run",
				"--disable-background-networking",
				"--disable-component-update",
				"--disable-sync",
				"--disable-dev-shm-usage",
				f"--user-data-dir={profile}",
				"--host-resolver-rules=MAP * 127.0.0.1",
				"--lang=zh-CN",
				*flags,
			):
				options.add_argument(flag)
			if mobile:
				options.add_experimental_option(
					"mobileEmulation",
					{
						"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2},
						"userAgent": MOBILE_USER_AGENT,
					},
				)
			options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
			driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
			if not mobile:
				driver.execute_cdp_cmd(
					"Emulation.setDeviceMetricsOverride",
					{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
				)
			driver.set_page_load_timeout(60)
			drivers.append((driver, profile))
			return driver

		yield open_browser
		for driver, profile in drivers:
			driver.quit()
			shutil.rmtree(profile, ignore_errors=True)


MOBILE_USER_AGENT = (
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
	"(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
