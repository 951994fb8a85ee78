"""When long work (an import, a campaign's invitations) counts as dead (cims_app.domain.job_liveness)."""

import pytest

from cims_app.domain.job_liveness import (
	ENDED,
	MISSING,
	MISSING_GRACE_SECONDS,
	QUEUED,
	RUNNING,
	WORKER_GONE,
	dead_reason,
)

THRESHOLD = 600


@pytest.mark.parametrize("age", [None, 0, 10, THRESHOLD * 100])
def test_a_job_waiting_in_the_queue_is_never_dead(age):
	assert dead_reason(QUEUED, age, THRESHOLD) is None


@pytest.mark.parametrize("state", [WORKER_GONE, ENDED])
@pytest.mark.parametrize("age", [None, 0, 5])
def test_a_gone_worker_or_an_ended_job_is_dead_at_once(state, age):
	message, params = dead_reason(state, age, THRESHOLD)
	assert message and params == ()


def test_a_missing_job_is_dead_only_after_the_grace_of_an_enqueue_after_commit():
	assert dead_reason(MISSING, 1, THRESHOLD) is None
	assert dead_reason(MISSING, MISSING_GRACE_SECONDS + 1, THRESHOLD) == (
		"its background job no longer exists",
		(),
	)
	assert dead_reason(MISSING, None, THRESHOLD) is not None


def test_a_running_job_is_dead_when_its_heartbeat_is_older_than_the_threshold():
	assert dead_reason(RUNNING, THRESHOLD - 1, THRESHOLD) is None
	assert dead_reason(RUNNING, None, THRESHOLD) is None
	assert dead_reason(RUNNING, THRESHOLD + 0.6, THRESHOLD) == ("no progress for {0} seconds", (601,))


def test_a_threshold_of_zero_turns_the_heartbeat_check_off():
	assert dead_reason(RUNNING, 10**6, 0) is None
