"""Daily: the sketch of the customers' match keys that imports read before looking for similar names
(cims_app.customers.name_sketch), made again from the site's customers; the log entries it no longer needs
are dropped."""

from cims_app.customers.name_sketch import make_and_store, prune_log


def rebuild_name_sketch() -> dict:
	started, sketch = make_and_store()
	return {"keys": sketch.count, "log_entries_dropped": prune_log(started)}
