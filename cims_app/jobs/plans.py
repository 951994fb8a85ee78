"""Follow-up plans: the daily pass that creates the Planned follow-ups active plans call for and stops the
plans of stages customers have left (see cims_app.follow_ups.plans)."""

from cims_app.db.bulk_update import job_reference
from cims_app.follow_ups.plans import sync_plans


def create_planned_follow_ups() -> dict:
	return sync_plans(reference=job_reference("cims_app.jobs.plans.create_planned_follow_ups"))
