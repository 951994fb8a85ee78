app_name = "cims_app"
app_title = "CIMS App"
app_publisher = "cims_app contributors"
app_description = "Customer Information Management System (客户信息管理系统)"
app_email = "dev@cims.example.com"
app_license = "mit"

# Install, migrate and uninstall
# ------------------------------
# Masters, preset tags and Contact permissions are seeded idempotently after install and every migrate.
after_install = "cims_app.setup.install.after_install"
after_migrate = "cims_app.setup.install.after_migrate"
before_uninstall = "cims_app.setup.uninstall.before_uninstall"

# Fixtures
# --------
# Only the app's own records: its roles and its custom fields on framework DocTypes.
CIMS_ROLES = [
	"CIMS Sales Rep",
	"CIMS Sales Manager",
	"CIMS Department Head",
	"CIMS Customer Service",
	"CIMS Marketing",
	"CIMS Data Analyst",
]
fixtures = [
	{"dt": "Role", "filters": [["name", "in", CIMS_ROLES]]},
	{"dt": "Custom Field", "filters": [["module", "=", "CIMS App"]]},
]

# Desk assets
# -----------
doctype_js = {"Contact": "public/js/contact.js"}

# Document events
# ---------------
# Contacts linked to a CIMS Customer follow the app's mobile and email rules and mirror onto the customer.
doc_events = {
	"Contact": {
		"validate": "cims_app.overrides.contact.validate",
		"on_update": "cims_app.overrides.contact.on_update",
	},
}

# Developer experience
# --------------------
export_python_type_annotations = True
