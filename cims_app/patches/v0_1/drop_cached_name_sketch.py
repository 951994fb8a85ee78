"""Sites that kept the import's name sketch in their cache (before it moved to a file of the site's private
folder, cims_app.customers.name_sketch) still hold it there: 6 MB at 1,000,000 customers that nothing reads any
more, taking room from what the cache does serve until it expires or is evicted."""

import frappe

OLD_CACHE_KEY = "cims_match_key_sketch"


def execute() -> None:
	frappe.cache.delete_value(OLD_CACHE_KEY)
