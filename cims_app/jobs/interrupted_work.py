"""Scheduled every 5 minutes: import batches and campaign invitations whose process died become Interrupted
(cims_app.background.liveness tells a dead run from a slow one)."""


def find_interrupted_work() -> dict:
	"""Scheduled job: mark the import batches and campaign invitations whose process died as Interrupted."""
	from cims_app.campaigns.invitations import find_interrupted_invitations
	from cims_app.imports.interruptions import find_interrupted_batches

	return {"batches": find_interrupted_batches(), "campaigns": find_interrupted_invitations()}
