"""Whether a long job of the app (an import batch, a campaign's invitations) still works or died with its
process: what the RQ queue says of its job, and how old its last sign of progress (its heartbeat) is.

A SIGKILLed worker (an out-of-memory kill, a deploy, a reboot) leaves its job "started" in RQ until RQ's
own clean-up, so the job's word alone is not enough: the heartbeat's age decides, and only a job that is
surely gone (no such job, a job that ended, a worker that is no more) is declared dead at once.
"""

from cims_app.domain.errors import _

# What the queue says of the job (cims_app.background.liveness.job_state).
QUEUED = "queued"  # waiting for a worker: not dead, however long the queue
RUNNING = "running"  # started by a worker that is still there
MISSING = "missing"  # no such job in the queue (Redis restarted, or the job record expired)
ENDED = "ended"  # finished, failed or stopped without the work saying it was done
WORKER_GONE = "worker gone"  # started by a worker whose process is no more

# What the owner of interrupted work is told (rendered in their language by cims_app.reminders.delivery).
IMPORT_INTERRUPTED = _(
	"Import batch {0} was interrupted after {1} rows ({2}): resume it to continue where it stopped"
)
INVITATIONS_INTERRUPTED = _(
	"The invitations of campaign {0} were interrupted with {1} members not invited yet ({2}): continue them from the campaign"
)

# A job enqueued after its transaction's commit is missing for an instant: the work's own record
# (status Queued, heartbeat now) is written first, so "missing" counts only after this many seconds.
MISSING_GRACE_SECONDS = 60


def dead_reason(state: str, heartbeat_age: float | None, threshold: float) -> tuple[str, tuple] | None:
	"""Why the work is dead (an English message template and its params), or None while it may still be
	working.

	`heartbeat_age` is the number of seconds since the work last showed progress (None: never),
	`threshold` the age (CIMS Settings) after which silent work counts as dead whatever the queue says.
	"""
	if state == QUEUED:
		return None
	if state == WORKER_GONE:
		return _("the worker process running it is gone"), ()
	if state == ENDED:
		return _("its background job ended without finishing the work"), ()
	if state == MISSING and (heartbeat_age is None or heartbeat_age > MISSING_GRACE_SECONDS):
		return _("its background job no longer exists"), ()
	if heartbeat_age is not None and threshold > 0 and heartbeat_age > threshold:
		return _("no progress for {0} seconds"), (round(heartbeat_age),)
	return None
