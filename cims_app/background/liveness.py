"""Long work of the app (an import batch, a campaign's invitations) that died with its process is found and
marked Interrupted, its owner told, so that a person can resume it (cims_app.domain.job_liveness decides).

Each piece of work records while it runs: a heartbeat (the time of its last committed progress), and who
runs it (`job@host:pid` for an RQ job's work horse, `process@host:pid` for the `cims-import` command).
Dead work is found by `find_interrupted_work` (scheduled every 5 minutes), and when a Running batch's
form is opened or its work is started again.
"""

import os
import socket

import frappe
from frappe.utils import get_datetime, now_datetime

from cims_app.domain import job_liveness as rule
from cims_app.domain.errors import RuleViolation
from cims_app.records.validation import get_setting

DEFAULT_TIMEOUT_SECONDS = 1800
BATCH = "CIMS Import Batch"
CAMPAIGN = "CIMS Campaign"


def job_queue() -> str:
	"""The RQ queue of the app's long jobs: `long`, or the site's `cims_job_queue` (site_config.json) for a
	worker of their own."""
	return frappe.conf.get("cims_job_queue") or "long"


def runner() -> str:
	"""Who runs the current work: this process, inside an RQ job or not."""
	kind = "job" if getattr(frappe.local, "job", None) else "process"
	return f"{kind}@{socket.gethostname()}:{os.getpid()}"


def timeout_seconds() -> float:
	return float(get_setting("job_heartbeat_timeout", DEFAULT_TIMEOUT_SECONDS) or DEFAULT_TIMEOUT_SECONDS)


def _process_alive(pid: int) -> bool:
	try:
		os.kill(pid, 0)
	except ProcessLookupError:
		return False
	except PermissionError:
		return True
	return True


def _runner_alive(run_by: str | None) -> bool | None:
	"""Whether the process named by `run_by` is alive: known only for a process of this host (else None).

	Asked before RQ: the work horse that runs a job is a process of its own, which outlives its worker
	when only the worker is killed (it carries on and commits), and dies alone in an out-of-memory kill."""
	if not run_by or "@" not in run_by:
		return None
	host, _sep, pid = run_by.split("@", 1)[1].rpartition(":")
	if host != socket.gethostname() or not pid.isdigit():
		return None
	return _process_alive(int(pid))


def job_state(job_id: str) -> str:
	"""What RQ says of the job `job_id` (without the site prefix frappe.enqueue adds)."""
	from frappe.utils.background_jobs import get_job, get_redis_conn
	from rq.job import JobStatus
	from rq.worker import Worker

	job = get_job(job_id)
	if not job:
		return rule.MISSING
	status = job.get_status(refresh=False)
	if status in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED):
		return rule.QUEUED
	if status != JobStatus.STARTED:
		return rule.ENDED
	if job.worker_name:
		worker = Worker.find_by_key(
			Worker.redis_worker_namespace_prefix + job.worker_name, connection=get_redis_conn()
		)
		if worker is None:
			return rule.WORKER_GONE
		if worker.hostname == socket.gethostname() and worker.pid and not _process_alive(worker.pid):
			return rule.WORKER_GONE
		current = worker.get_current_job_id()
		if current and current != job.id:
			return rule.WORKER_GONE  # the worker has moved on to another job
	return rule.RUNNING


def work_state(job_id: str, run_by: str | None) -> str:
	"""The state of work run by `run_by` (see `runner`) under the RQ job `job_id`."""
	alive = _runner_alive(run_by)
	if alive is False:
		return rule.WORKER_GONE
	if alive or (run_by and run_by.startswith("process@")):
		return rule.RUNNING  # a process known to live, or a shell's command elsewhere: the heartbeat decides
	return job_state(job_id)


def heartbeat_age(heartbeat) -> float | None:
	if not heartbeat:
		return None
	return max(0.0, (now_datetime() - get_datetime(heartbeat)).total_seconds())


def dead_reason(job_id: str, run_by: str | None, heartbeat) -> RuleViolation | None:
	"""Why the work is dead (its `message` and `params`, rendered in a reader's language by `text` or
	cims_app.reminders.delivery), or None while it may still be working."""
	reason = rule.dead_reason(work_state(job_id, run_by), heartbeat_age(heartbeat), timeout_seconds())
	return RuleViolation(*reason) if reason else None


def text(reason: RuleViolation) -> str:
	return frappe._(reason.message).format(*reason.params)


def clear_dead_job(job_id: str) -> None:
	"""Forget the RQ job of dead work, so that a new job of the same id is queued (frappe.enqueue's
	deduplication would otherwise take a killed worker's job, still "started", for a running one)."""
	from frappe.utils.background_jobs import get_job

	if job := get_job(job_id):
		job.delete()


def notify_owner(doctype: str, name: str, owner: str | None, message: str, params: tuple, when) -> None:
	"""A bell (and an e-mail when the site sends mail) to the owner of the interrupted work, once."""
	from cims_app.reminders.delivery import Reminder, send

	if not owner or owner == "Guest":
		return
	send(
		[
			Reminder(
				rule="Interrupted Work",
				reference_doctype=doctype,
				reference_name=name,
				due=get_datetime(when),
				recipient=owner,
				message=message,
				params=params,
			)
		],
		commit=False,
	)


def dead_run(
	doctype: str, name: str, fields: list[str], job: str, active: tuple, prefix: str = ""
) -> tuple[frappe._dict | None, RuleViolation | None]:
	"""(the record's `fields`, why its run is dead) when the run of `doctype` `name` died, else (None, None).
	The record's `{prefix}status` must be one of `active`; its `{prefix}heartbeat` and `{prefix}run_by` say
	how the run was doing. Read without a lock (a live run holds the row while it commits), then, when
	dead, locked and read again: a run that finished or showed progress meanwhile is not dead."""
	watched = [f"{prefix}status", f"{prefix}heartbeat", f"{prefix}run_by"]
	row = frappe.db.get_value(doctype, name, fields, as_dict=True)
	if not row or row[watched[0]] not in active:
		return None, None
	reason = dead_reason(job, row[watched[2]], row[watched[1]])
	if reason is None:
		return None, None
	locked = frappe.db.get_value(doctype, name, fields, as_dict=True, for_update=True)
	if any(locked[field] != row[field] for field in watched):
		return None, None
	return row, reason


def mark_each(names: list[str], check) -> list[str]:
	"""The names `check(name)` marked Interrupted (each committed by it); the row lock of the others is
	released."""
	marked = []
	for name in names:
		if check(name):
			marked.append(name)
		else:
			frappe.db.rollback()
	return marked
