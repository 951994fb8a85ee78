"""Demo data for cims_app: `bench --site SITE cims-demo` fills a site with realistic Chinese customer data in bulk.

Everything it writes carries the marker `data_source = "cims-demo"` on the customer (or hangs off such a
customer, or belongs to a demo user), so `cims-demo --clear` can remove it again.
"""

DEMO_DATA_SOURCE = "cims-demo"
DEMO_EMAIL_DOMAIN = "demo.cims.local"
