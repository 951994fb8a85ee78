"""Follow-up plans: the daily pass that creates the Planned follow-ups active plans call for and stops the
plans of stages customers have left (see cims_app.follow_up_plans)."""

from cims_app.follow_up_plans import sync_plans
from cims_app.jobs.bulk_update import job_reference


def create_planned_follow_ups() -> dict:
	return sync_plans(reference=job_reference("cims_app.jobs.plans.create_planned_follow_ups"))
