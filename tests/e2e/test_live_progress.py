"""An import started from the Desk runs on a background worker and its progress bar moves live in the
browser: the realtime (socket.io) server carries each chunk's progress to the open batch form."""

import random
import re
import time

import pytest

from tests.e2e.conftest import SCREENSHOTS, SKIP_REASON

if SKIP_REASON:
	pytest.skip(SKIP_REASON, allow_module_level=True)

import frappe
import frappe.utils.password

from tests.bench_processes import worker
from tests.e2e.conftest import BENCH
from tests.e2e.desk import PASSWORD, Desk, make_desk_user, remove_desk_user
from tests.integration.import_helpers import Imports, workbook_bytes
from tests.integration.support import unique_suffix, valid_mobile

ROWS = 8000  # four chunks of 2,000: three progress steps between 0 and 100 %
# Without realtime the form reads the run's heartbeat every 3 s (POLL_MS): a run of 8,000 rows can end
# between two reads on a fast machine, so that test imports ten chunks (several reads while it runs).
ROWS_WITHOUT_REALTIME = 20000
# Socket errors, and script errors of the form (a Code field's editor missing from /assets/frappe/node_modules
# broke the form's refresh, so it never joined its document room and the bar stayed still).
SOCKET_ERROR = re.compile(
	r"socket\.io|Error connecting|Invalid origin|Unauthorized|Uncaught|node_modules", re.IGNORECASE
)


@pytest.fixture()
def importer_user(setup_wizard_done):
	email = make_desk_user("import", "System Manager", "导入", language="zh")
	frappe.db.commit()
	yield email
	remove_desk_user(email)


def batches(count: int):
	imports = Imports()
	suffix = unique_suffix()
	rng = random.Random(7)
	rows = [[f"实时进度{suffix}第{i}号科技有限公司", f"联系人{i}", valid_mobile(rng)] for i in range(count)]
	name = imports.batch(workbook_bytes(["客户名称", "联系人", "手机"], rows))
	yield name
	imports.cleanup()


@pytest.fixture()
def batch():
	yield from batches(ROWS)


@pytest.fixture()
def long_batch():
	yield from batches(ROWS_WITHOUT_REALTIME)


def open_batch(desk: Desk, user: str, batch: str) -> None:
	desk.login(user, PASSWORD)
	desk.wait_for(
		lambda d: d.execute_script("return !!(frappe.realtime.socket && frappe.realtime.socket.connected)"),
		"the realtime connection",
	)
	# The form is opened from the loaded Desk, as a user clicks to it, on the page's one socket. A second page
	# load whose socket authenticates while the first page's socket leaves strands the new socket: socket.io
	# (4.7 to 4.8.4, `cleanupEmptyChildNamespaces` in the framework's realtime server) closes the site's
	# namespace when its last connected socket leaves, though one is still in the authentication middleware,
	# and that socket then gets no event until it reconnects.
	desk.js("frappe.set_route('Form', 'CIMS Import Batch', arguments[0])", batch)
	desk.wait_form("CIMS Import Batch", new=False)
	desk.wait_for(  # the form joined its document's room (the framework drops a request made too soon)
		lambda d: d.execute_script(
			"return frappe.realtime.open_docs.has(`CIMS Import Batch:${cur_frm.docname}`)"
		),
		"the batch's realtime room",
	)
	desk.js(  # what the realtime server itself delivers, apart from anything the form draws
		"window.cims_progress_events = [];"
		"frappe.realtime.on('cims_import_progress', (data) => window.cims_progress_events.push(data.percent))"
	)


def import_and_watch_the_bar(desk: Desk, batch: str, rows: int = ROWS) -> list[float]:
	"""Start the import from the form, a worker running it; the widths the progress bar showed meanwhile
	(between 0 and 100 %, sorted). The run must complete every row and the form show it."""
	with worker(BENCH):
		desk.js("cur_frm.trigger('start_import')")
		desk.wait_for(lambda d: d.execute_script("return $('.modal:visible .btn-primary').length"), "confirm")
		desk.js("$('.modal:visible .btn-primary').first().click()")
		seen = set()
		deadline = time.monotonic() + 180
		status = None
		while time.monotonic() < deadline:
			bar = desk.js(
				"const b = document.querySelector('.form-dashboard .progress-bar');"
				"return b ? parseFloat(b.style.width) : null"
			)
			if bar is not None:
				seen.add(bar)
			frappe.db.rollback()  # a fresh snapshot of the batch the worker writes
			status = frappe.db.get_value("CIMS Import Batch", batch, "status")
			if status in ("Completed", "Partially Completed", "Failed"):
				break
			time.sleep(0.1)
	assert status == "Completed", status
	assert frappe.db.get_value("CIMS Import Batch", batch, "inserted") == rows
	desk.wait_for(
		lambda d: d.execute_script("return cur_frm.doc.status") == "Completed", "the form to show the result"
	)
	return sorted(value for value in seen if 0 < value < 100)


def test_import_progress_bar_moves_live_while_the_worker_imports(browser, desk_url, importer_user, batch):
	desk = Desk(browser(1366, 900), desk_url, SCREENSHOTS, "live-progress")
	open_batch(desk, importer_user, batch)

	moving = import_and_watch_the_bar(desk, batch)

	desk.screenshot("import-progress")
	delivered = desk.js("return window.cims_progress_events")
	assert len([p for p in delivered if 0 < p < 100]) >= 2, f"the realtime server delivered {delivered}"
	assert len(moving) >= 2, f"the progress bar showed {moving} while the worker imported"
	errors = [
		entry["message"]
		for entry in desk.driver.get_log("browser")
		if entry["level"] == "SEVERE" and SOCKET_ERROR.search(entry["message"])
	]
	assert not errors, errors


def test_without_realtime_the_form_reads_the_runs_heartbeat(browser, desk_url, importer_user, long_batch):
	"""A site whose socket.io the browser cannot reach (a proxy without its route, a stranded socket): the
	bar still moves, from the heartbeat the run commits with each chunk, and the form shows the result."""
	desk = Desk(browser(1366, 900), desk_url, SCREENSHOTS, "progress-without-realtime")
	open_batch(desk, importer_user, long_batch)
	desk.js("frappe.realtime.socket.disconnect()")

	moving = import_and_watch_the_bar(desk, long_batch, ROWS_WITHOUT_REALTIME)

	assert desk.js("return window.cims_progress_events") == []  # nothing came by the realtime server
	assert moving, "the progress bar did not move without realtime events"
	assert frappe.db.get_value("CIMS Import Batch", long_batch, "rows_expected") == ROWS_WITHOUT_REALTIME
