"""Follow-up plans: the daily pass that creates the Planned follow-ups active plans call for and stops the
plans of stages customers have left (see cims_app.follow_up_plans)."""

from cims_app.follow_up_plans import sync_plans


def create_planned_follow_ups() -> dict:
	return sync_plans()
