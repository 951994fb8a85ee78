"""Work whose process dies is seen and resumed, not left spinning (issue 19).

A real RQ worker of the bench runs an import started from the Desk path (the batch's `start_import`) and
a campaign's invitation job; the test SIGKILLs it in the middle (as an out-of-memory kill, a deploy or a
reboot does) and shows: the dead-work job marks the work Interrupted within the threshold, with when and
after how many rows; the owner gets a bell; Resume (a new worker) finishes it; every row and member is
done exactly once, and the counts add up to the rows read; a second Resume while one runs is refused.

The worker listens on a queue of its own (the site's `cims_job_queue`), so that no other worker of the
shared bench takes the job and the one killed is the one running it.
"""

import datetime
import os
import random
import socket
import subprocess
import time

import frappe
import psutil
import pytest
from frappe.desk.form.load import getdoc
from frappe.utils import background_jobs, now_datetime

import cims_app.campaigns.invitations as invitations
from cims_app.api import campaign as campaign_api
from cims_app.imports.cli import run_file
from cims_app.imports.engine import CHUNK_ROWS, ImportRun
from cims_app.jobs.interrupted_work import find_interrupted_work
from tests.bench_processes import queue_worker
from tests.integration.campaign_support import (
	add_member,
	delete_campaigns_and_customers,
	make_campaign,
	make_outgoing_email_account,
	set_status,
)
from tests.integration.conftest import BENCH
from tests.integration.import_helpers import Imports, workbook_bytes
from tests.integration.support import make_customer, unique_suffix, valid_mobile

pytestmark = pytest.mark.integration

BATCH = "CIMS Import Batch"
ROWS = 20000  # ten chunks of 2,000
THRESHOLD = 5  # seconds: CIMS Settings' job_heartbeat_timeout for these tests
MEMBERS = 260  # three batches of 100 invitations


@pytest.fixture
def own_queue():
	"""The app's jobs go to a queue only this test's workers consume."""
	name = f"cims-test-{unique_suffix()}"
	conf = frappe.local.conf
	saved = {key: conf.get(key) for key in ("cims_job_queue", "workers")}
	conf["cims_job_queue"] = name
	conf["workers"] = {**(saved["workers"] or {}), name: {"timeout": 3600}}
	background_jobs.get_queues_timeout.cache_clear()
	yield name
	for key, value in saved.items():
		if value is None:
			conf.pop(key, None)
		else:
			conf[key] = value
	background_jobs.get_queues_timeout.cache_clear()


@pytest.fixture
def short_threshold():
	before = frappe.db.get_single_value("CIMS Settings", "job_heartbeat_timeout")
	frappe.db.set_single_value("CIMS Settings", "job_heartbeat_timeout", THRESHOLD)
	frappe.db.commit()
	frappe.db.value_cache.pop("CIMS Settings", None)
	yield THRESHOLD
	frappe.db.rollback()
	frappe.db.set_single_value("CIMS Settings", "job_heartbeat_timeout", before)
	frappe.db.commit()
	frappe.db.value_cache.pop("CIMS Settings", None)


@pytest.fixture
def real_jobs(monkeypatch):
	"""Jobs go to the queue (in tests the import job would otherwise run inside the request)."""
	monkeypatch.setitem(frappe.flags, "in_test", False)


def _fresh(doctype: str, name: str, fields):
	frappe.db.rollback()  # a fresh snapshot of what the worker committed
	return frappe.db.get_value(doctype, name, fields, as_dict=True)


def _wait(condition, what: str, seconds: float = 300, step: float = 0.3):
	deadline = time.monotonic() + seconds
	while time.monotonic() < deadline:
		if value := condition():
			return value
		time.sleep(step)
	raise AssertionError(f"{what} did not happen within {seconds} s")


def _bells(document_name: str) -> list:
	return frappe.get_all(
		"Notification Log",
		filters={"document_name": document_name},
		fields=["for_user", "subject", "document_type"],
	)


def _remove_bells(document_name: str) -> None:
	frappe.db.delete("Notification Log", {"document_name": document_name})
	frappe.db.delete("CIMS Reminder Log", {"reference_name": document_name})
	frappe.db.commit()


def _interrupted_within_threshold(detect, killed_at: float) -> float:
	"""Run the scheduled dead-work job until it marks the work; the seconds it took after the kill."""
	while True:
		frappe.db.rollback()
		if detect():
			return time.monotonic() - killed_at
		assert time.monotonic() - killed_at < THRESHOLD + 10, "the dead work was not marked in time"
		time.sleep(0.5)


@pytest.fixture
def big_batch():
	imports = Imports()
	suffix = unique_suffix()
	rng, mobiles = random.Random(), set()
	while len(mobiles) < ROWS:  # unique: the same mobile would make two rows one customer
		mobiles.add(valid_mobile(rng))
	rows = [
		[f"中断续传{suffix}第{i}号贸易有限公司", f"联系人{i}", mobile]
		for i, mobile in enumerate(sorted(mobiles))
	]
	name = imports.batch(workbook_bytes(["客户名称", "联系人", "手机"], rows))
	yield name
	_remove_bells(name)
	imports.cleanup()


def test_killed_import_is_interrupted_and_resumes_to_every_row_once(
	big_batch, own_queue, short_threshold, real_jobs
):
	batch = big_batch
	with queue_worker(BENCH, own_queue) as worker:
		frappe.get_doc(BATCH, batch).start_import()  # what the form's Start Import button calls
		frappe.db.commit()
		progress = _wait(
			lambda: (
				(row := _fresh(BATCH, batch, ["status", "rows_done", "heartbeat", "run_by"]))
				and row.status == "Running"
				and row.rows_done >= 2 * CHUNK_ROWS
				and row
			),
			"two chunks imported",
		)
		worker.kill()  # SIGKILL to the worker and its work horse
		killed_at = time.monotonic()
	assert not psutil.pid_exists(int(progress.run_by.rpartition(":")[2])), "the work horse is dead"
	done_at_kill = _fresh(BATCH, batch, ["rows_done"]).rows_done
	assert progress.run_by.startswith("job@") and 2 * CHUNK_ROWS <= done_at_kill < ROWS
	assert _fresh(BATCH, batch, ["status"]).status == "Running", "nothing notices the death by itself"

	seconds = _interrupted_within_threshold(lambda: batch in find_interrupted_work()["batches"], killed_at)

	row = _fresh(
		BATCH, batch, ["status", "interrupted_on", "rows_done", "rows_read", "inserted", "failed", "log"]
	)
	assert row.status == "Interrupted" and row.interrupted_on, row
	assert seconds <= THRESHOLD + 2, seconds
	print(f"\nimport: killed after {done_at_kill} rows, Interrupted {seconds:.1f} s after the kill")
	ledger = frappe.db.count("CIMS Import Row", {"batch": batch})
	assert row.rows_done == done_at_kill == ledger == row.rows_read == row.inserted, (row, ledger)
	assert f"{done_at_kill} rows of the file were done" in row.log
	bells = _bells(batch)
	assert [(b.for_user, b.document_type) for b in bells] == [("Administrator", BATCH)], bells
	assert batch in bells[0].subject and str(done_at_kill) in bells[0].subject
	assert find_interrupted_work()["batches"] == [] and len(_bells(batch)) == 1, "told once"

	with queue_worker(BENCH, own_queue):
		doc = frappe.get_doc(BATCH, batch)
		resumed_at = time.monotonic()
		assert doc.resume_import()["status"] == "Queued"  # the form's Resume Import button
		frappe.db.commit()
		with pytest.raises(frappe.ValidationError, match="already being imported"):
			frappe.get_doc(BATCH, batch).resume_import()
		frappe.db.rollback()
		final = _wait(
			lambda: (
				(row := _fresh(BATCH, batch, ["status", "rows_read", "inserted", "failed", "skipped", "log"]))
				and row.status not in ("Queued", "Running")
				and row
			),
			"the resumed import finishing",
		)

	print(f"import: resumed and finished in {time.monotonic() - resumed_at:.1f} s")
	assert final.status == "Completed", frappe.db.sql(
		"""SELECT status, LEFT(message, 300), MIN(sheet_row), MAX(sheet_row), COUNT(*) FROM `tabCIMS Import Row`
		WHERE batch=%s GROUP BY status, LEFT(message, 60)""",
		(batch,),
	)
	assert final.rows_read == final.inserted == ROWS and not final.failed and not final.skipped, final
	hashes = frappe.db.sql(
		"SELECT COUNT(*), COUNT(DISTINCT row_hash), COUNT(DISTINCT record) FROM `tabCIMS Import Row` WHERE batch=%s",
		(batch,),
	)[0]
	assert hashes == (ROWS, ROWS, ROWS), hashes
	customers = frappe.db.sql(
		"SELECT COUNT(*), COUNT(DISTINCT customer_name) FROM `tabCIMS Customer` WHERE data_source LIKE %s",
		(f"%{batch}%",),
	)[0]
	assert customers == (ROWS, ROWS), customers
	assert f"{done_at_kill} rows were already imported by this batch and were left alone" in final.log


def test_resume_is_refused_while_the_import_runs_and_for_a_batch_that_is_not_interrupted(
	own_queue, real_jobs
):
	imports = Imports()
	batch = imports.batch(workbook_bytes(["客户名称"], [[f"续传拒绝{unique_suffix()}有限公司"]]))
	try:
		with pytest.raises(frappe.ValidationError, match="Only an interrupted import"):
			frappe.get_doc(BATCH, batch).resume_import()
		frappe.db.rollback()
		frappe.get_doc(BATCH, batch).start_import()  # queued; no worker takes it here
		frappe.db.commit()
		for method in ("start_import", "resume_import"):
			with pytest.raises(frappe.ValidationError, match="already being imported"):
				frappe.get_doc(BATCH, batch).run_method(method)
			frappe.db.rollback()
		assert find_interrupted_work()["batches"] == [], "a queued job waiting for a worker is not dead"
	finally:
		background_jobs.get_job(f"cims-import::{batch}") and background_jobs.get_job(
			f"cims-import::{batch}"
		).delete()
		imports.cleanup()


@pytest.fixture
def invitation_campaign(own_queue):
	account = make_outgoing_email_account()
	customers = [make_customer(email_id=f"guest{unique_suffix()}@example.com") for _ in range(MEMBERS)]
	campaign = make_campaign()
	for customer in customers:
		add_member(campaign, customer)
	frappe.db.commit()
	yield campaign
	frappe.db.rollback()
	_remove_bells(campaign.name)
	frappe.db.delete("Email Account", account.name)
	delete_campaigns_and_customers([campaign.name], [c.name for c in customers])
	frappe.local.outgoing_email_account = {}


def _invited(campaign: str) -> int:
	frappe.db.rollback()
	return frappe.db.count("CIMS Campaign Member", {"campaign": campaign, "invited_on": ("is", "set")})


def test_killed_invitation_job_is_interrupted_and_continues_without_inviting_anyone_twice(
	invitation_campaign, own_queue, short_threshold
):
	campaign = invitation_campaign.name
	with queue_worker(BENCH, own_queue) as worker:
		set_status(invitation_campaign, "Announced")  # publishing queues the invitation job
		frappe.db.commit()
		_wait(lambda: _invited(campaign) >= invitations.BATCH_SIZE, "a first batch of invitations", 240)
		worker.kill()
		killed_at = time.monotonic()
	invited_at_kill = _invited(campaign)
	assert invitations.BATCH_SIZE <= invited_at_kill < MEMBERS

	seconds = _interrupted_within_threshold(
		lambda: campaign in find_interrupted_work()["campaigns"], killed_at
	)

	assert seconds <= THRESHOLD + 2, seconds
	print(
		f"\ninvitations: killed after {invited_at_kill} members, Interrupted {seconds:.1f} s after the kill"
	)
	doc = frappe.get_doc("CIMS Campaign", campaign)
	doc.run_method("onload")
	assert doc.invitation_status == "Interrupted" and doc.invitations_interrupted_on
	assert doc.get_onload().uninvited_members == MEMBERS - invited_at_kill
	bells = _bells(campaign)
	assert [(b.for_user, b.document_type) for b in bells] == [("Administrator", "CIMS Campaign")], bells
	assert str(MEMBERS - invited_at_kill) in bells[0].subject

	with queue_worker(BENCH, own_queue):
		assert campaign_api.continue_invitations(campaign)["queued"]  # the form's Continue Invitations
		frappe.db.commit()
		with pytest.raises(frappe.ValidationError, match="are being sent"):
			campaign_api.continue_invitations(campaign)
		frappe.db.rollback()
		_wait(
			lambda: _fresh("CIMS Campaign", campaign, ["invitation_status"]).invitation_status == "Sent",
			"the continued invitations finishing",
			240,
		)

	members = frappe.get_all("CIMS Campaign Member", {"campaign": campaign}, ["name", "invited_on"])
	assert len(members) == MEMBERS and all(m.invited_on for m in members)
	queued = frappe.db.sql(
		"""SELECT reference_name, COUNT(*) FROM `tabEmail Queue`
		WHERE reference_doctype='CIMS Campaign Member' AND reference_name IN %s GROUP BY reference_name""",
		(tuple(m.name for m in members),),
	)
	assert len(queued) == MEMBERS and {count for _name, count in queued} == {1}, "every member once"


class Killed(BaseException):
	"""What a SIGKILL leaves of a run in this process: nothing after its last committed chunk."""


def _dead_pid() -> int:
	process = subprocess.Popen(["true"])
	process.wait()
	return process.pid


@pytest.fixture
def small_batch():
	imports = Imports()
	rows = [[f"中断小批{unique_suffix()}第{i}号有限公司"] for i in range(5)]
	name = imports.batch(workbook_bytes(["客户名称"], rows))
	yield name, imports
	_remove_bells(name)
	imports.cleanup()


def _run_until_killed(batch: str) -> None:
	def die(done, total, counts):
		raise Killed

	with pytest.raises(Killed):
		ImportRun(batch, progress=die, chunk_rows=2).run()  # dies after its first chunk's commit
	frappe.db.rollback()


def test_opening_the_form_of_a_batch_whose_process_died_shows_it_interrupted(small_batch):
	batch, _imports = small_batch
	_run_until_killed(batch)
	frappe.db.set_value(BATCH, batch, "run_by", f"job@{socket.gethostname()}:{_dead_pid()}")
	frappe.db.commit()

	getdoc(BATCH, batch)  # what the Desk calls to open the form

	doc = frappe.response.docs[0]
	assert (doc.status, doc.rows_done, doc.rows_read, doc.inserted) == ("Interrupted", 2, 2, 2)
	assert doc.interrupted_on and "the worker process running it is gone" in doc.log
	assert len(_bells(batch)) == 1


def test_a_run_elsewhere_without_progress_for_longer_than_the_threshold_is_interrupted(
	small_batch, short_threshold
):
	batch, _imports = small_batch
	_run_until_killed(batch)
	frappe.db.set_value(
		BATCH, batch, "run_by", "process@another-host:4242"
	)  # nothing to ask but the heartbeat
	for age, marked in ((THRESHOLD - 2, []), (THRESHOLD + 1, [batch])):
		frappe.db.set_value(BATCH, batch, "heartbeat", now_datetime() - datetime.timedelta(seconds=age))
		frappe.db.commit()
		assert find_interrupted_work()["batches"] == marked
	log = frappe.db.get_value(BATCH, batch, "log")
	assert f"no progress for {THRESHOLD + 1} seconds" in log


def test_cims_import_batch_resumes_an_interrupted_batch_and_refuses_one_that_runs(small_batch):
	batch, _imports = small_batch
	_run_until_killed(batch)
	alive = {"run_by": f"process@{socket.gethostname()}:{os.getpid()}", "heartbeat": now_datetime()}
	frappe.db.set_value(BATCH, batch, alive)
	frappe.db.commit()
	with pytest.raises(frappe.ValidationError, match="already being imported"):
		run_file(None, batch_name=batch, echo=lambda text: None)
	frappe.db.rollback()
	assert frappe.db.get_value(BATCH, batch, "status") == "Running"

	frappe.db.set_value(BATCH, batch, "run_by", f"process@{socket.gethostname()}:{_dead_pid()}")
	frappe.db.commit()
	said = []
	result = run_file(None, batch_name=batch, echo=said.append)

	row = frappe.db.get_value(BATCH, batch, ["status", "rows_read", "inserted", "log"], as_dict=True)
	assert result["status"] == row.status == "Completed"
	assert row.rows_read == row.inserted == frappe.db.count("CIMS Import Row", {"batch": batch}) == 5
	assert "2 rows were already imported by this batch and were left alone" in row.log
	assert "Interrupted: the worker process running it is gone" in row.log
	assert said[0].startswith(f"Batch {batch}: resuming")


def test_the_dead_work_job_runs_every_five_minutes():
	assert (
		"cims_app.jobs.interrupted_work.find_interrupted_work"
		in frappe.get_hooks("scheduler_events")["cron"]["*/5 * * * *"]
	)
