"""Import batches whose run died with its process (a SIGKILL, an out-of-memory kill, a deploy, a reboot):
found by cims_app.background.liveness, marked Interrupted with when and after how many rows, their owner told,
and resumed from where the ledger says (the run skips every row the ledger has)."""

import frappe
from frappe import _
from frappe.realtime import get_doc_room
from frappe.utils import now_datetime

from cims_app.background import liveness
from cims_app.domain.job_liveness import IMPORT_INTERRUPTED
from cims_app.imports.context import COUNT_FIELDS, job_id
from cims_app.imports.ledger import Ledger

BATCH = "CIMS Import Batch"
ACTIVE = ("Queued", "Running")
INTERRUPTED = "Interrupted"


def check_batch(name: str, commit: bool = True) -> bool:
	"""Mark the batch Interrupted if its run is dead; whether it was marked. A run that finishes or shows
	progress meanwhile is never marked."""
	fields = ["name", "status", "heartbeat", "run_by", "rows_done", "owner", "log"]
	row, reason = liveness.dead_run(BATCH, name, fields, job_id(name), ACTIVE)
	if row is None:
		return False
	now = now_datetime()
	counts = Ledger(name).counts()
	values = {COUNT_FIELDS[status]: count for status, count in counts.items()}
	values.update(rows_read=sum(counts.values()), status=INTERRUPTED, interrupted_on=now)
	line = _(
		"Interrupted: {0}. {1} rows of the file were done when it stopped ({2} rows in the batch so far); resume the batch to continue where it stopped"
	).format(liveness.text(reason), row.rows_done or 0, values["rows_read"])
	values["log"] = ((row.log or "") + f"\n[{now.strftime('%Y-%m-%d %H:%M:%S')}] {line}").strip()
	frappe.db.set_value(BATCH, name, values, update_modified=False)
	liveness.notify_owner(
		BATCH,
		name,
		row.owner,
		IMPORT_INTERRUPTED,
		(name, row.rows_done or 0, reason),
		now,
	)
	frappe.publish_realtime(
		"cims_import_progress",
		{"batch": name, "finished": True, "status": INTERRUPTED},
		room=get_doc_room(BATCH, name),
		after_commit=True,
	)
	if commit:
		frappe.db.commit()
	return True


def find_interrupted_batches() -> list[str]:
	"""The batches marked Interrupted now (each committed on its own)."""
	names = frappe.get_all(BATCH, filters={"status": ("in", ACTIVE)}, pluck="name")
	return liveness.mark_each(names, check_batch)


def claim_batch(name: str) -> None:
	"""Before a run of the batch: refuse while another run of it is alive (queued or working); a dead one is
	marked Interrupted first and its RQ job forgotten, so that the new run can be queued."""
	status = frappe.db.get_value(BATCH, name, "status")
	if status in ACTIVE and not check_batch(name, commit=False):
		_refuse(name)
	state = liveness.job_state(job_id(name))
	if state in (liveness.rule.QUEUED, liveness.rule.RUNNING):
		_refuse(name)
	liveness.clear_dead_job(job_id(name))


def _refuse(name: str) -> None:
	row = frappe.db.get_value(BATCH, name, ["rows_done", "heartbeat"], as_dict=True)
	frappe.throw(
		_(
			"Batch {0} is already being imported ({1} rows done, last progress at {2}): wait for it to finish. If its process died, it shows Interrupted within the time set in CIMS Settings and can be resumed then."
		).format(
			name, row.rows_done or 0, frappe.utils.format_datetime(row.heartbeat) if row.heartbeat else "-"
		),
		title=_("Import Already Running"),
	)
