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
after_sync = "cims_app.setup.install.after_sync"
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
	# Customer lifecycle and approval workflows (cims_app.customers.lifecycle, cims_app.records.approvals) with their own states and actions.
	{"dt": "Workflow", "filters": [["name", "in", ["CIMS Customer Lifecycle", "CIMS Approval Request"]]]},
	{
		"dt": "Workflow State",
		"filters": [
			[
				"name",
				"in",
				[
					"Potential Customer",
					"Intent Customer",
					"Active Customer",
					"Paused Customer",
					"Churned Customer",
					"Pending Approval",
				],
			]
		],
	},
	{
		"dt": "Workflow Action Master",
		"filters": [
			[
				"name",
				"in",
				[
					"Confirm Intent",
					"Sign Customer",
					"Pause Cooperation",
					"Resume Cooperation",
					"Mark as Churned",
					"Win Back",
					"Back to Potential",
					"Mark as Lost Lead",
				],
			]
		],
	},
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
	# Won opportunities attributed to a campaign drive its conversions, revenue and ROI (campaign row locked first).
	"CIMS Opportunity": {
		"validate": "cims_app.campaigns.members.lock_opportunity_campaigns",
		"on_update": "cims_app.campaigns.members.on_opportunity_update",
		"on_trash": [
			"cims_app.records.approvals.refuse_unapproved_delete",
			"cims_app.campaigns.members.on_opportunity_trash",
		],
	},
	# Deleting these takes an approved CIMS Approval Request, for every role (cims_app.records.approvals).
	"CIMS Customer": {"on_trash": "cims_app.records.approvals.refuse_unapproved_delete"},
	"CIMS Follow-Up": {"on_trash": "cims_app.records.approvals.refuse_unapproved_delete"},
	"CIMS Campaign": {"on_trash": "cims_app.records.approvals.refuse_unapproved_delete"},
	# Attachments of rule-bound records are private files, so only the row rules decide who reads them.
	"File": {"after_insert": "cims_app.access.permissions.make_attachment_private"},
}
# Options renamed so that their Chinese reads right (Call → Phone Call, Open → In Progress...): the old
# English is still accepted on every save path and stored as the new option (cims_app.domain.vocabulary).
for _doctype in (
	"CIMS Customer",
	"CIMS Customer Source",
	"CIMS Follow-Up",
	"CIMS Follow-Up Plan",
	"CIMS Follow-Up Template",
	"CIMS Opportunity",
	"CIMS Campaign",
	"CIMS Approval Request",
	"CIMS Import Batch",
	"Contact",
):
	doc_events.setdefault(_doctype, {})["before_validate"] = (
		"cims_app.records.validation.rename_legacy_options"
	)

# Permissions
# -----------
# Row rules of SPEC §4 for every CIMS DocType, contacts and attachments, in one module (cims_app.access.permissions);
# DocTypes without a rule (masters, campaigns) answer "no restriction".
CIMS_PERMISSION_DOCTYPES = [
	"CIMS Customer",
	"CIMS Follow-Up",
	"CIMS Opportunity",
	"CIMS Campaign",
	"CIMS Campaign Member",
	"CIMS Stage Change",
	"CIMS Approval Request",
	"CIMS Assignment Rule",
	"CIMS Sales Target",
	"CIMS Sales Team",
	"CIMS Import Batch",
	"CIMS Import Row",
	"CIMS Reminder Log",
	"CIMS Customer Source",
	"CIMS Industry",
	"CIMS Region",
	"CIMS Sales Stage",
	"CIMS Follow-Up Plan",
	"CIMS Follow-Up Template",
	"Contact",
	"File",
]
permission_query_conditions = {
	doctype: "cims_app.access.permissions.get_permission_query_conditions"
	for doctype in CIMS_PERMISSION_DOCTYPES
}
has_permission = {
	doctype: "cims_app.access.permissions.has_permission" for doctype in CIMS_PERMISSION_DOCTYPES
}
# Framework endpoints that would skip row rules (counts, link search with ignore_user_permissions, global search).
override_whitelisted_methods = {
	"frappe.client.get_count": "cims_app.access.permissions.get_count",
	# The Desk's list and report views: rules over customers read a page newest first (FoundBy).
	"frappe.desk.reportview.get": "cims_app.access.permissions.list_page",
	"frappe.desk.search.search_link": "cims_app.access.permissions.search_link",
	"frappe.desk.search.search_widget": "cims_app.access.permissions.search_widget",
	"frappe.utils.global_search.search": "cims_app.access.permissions.global_search",
	# Exports neutralise spreadsheet formula injection (cims_app.imports.export wraps the originals).
	"frappe.desk.reportview.export_query": "cims_app.imports.export.export_query",
	"frappe.desk.query_report.export_query": "cims_app.imports.export.export_report_query",
	"frappe.core.doctype.data_export.exporter.export_data": "cims_app.imports.export.export_data",
}

# Scheduler
# ---------
# SPEC §5 rules (cims_app/jobs/): idempotent, set-based, thresholds from CIMS Settings; reminders go
# through cims_app.reminders.delivery (bell, e-mail, SMS, ToDo, once each by CIMS Reminder Log).
scheduler_events = {
	"cron": {
		"*/5 * * * *": [
			"cims_app.jobs.follow_up_due.remind_due_follow_ups",
			# Imports and invitation jobs whose worker died become Interrupted (cims_app.background.liveness).
			"cims_app.jobs.interrupted_work.find_interrupted_work",
		],
	},
	"hourly": ["cims_app.jobs.high_intent.escalate_missed_callbacks"],
	# Idle prospects go to the public pool (公海), cims_app.jobs.public_pool.
	"daily": ["cims_app.jobs.public_pool.release_idle_customers_to_pool"],
	"daily_long": [
		"cims_app.jobs.tiers.update_value_tiers",
		# Auto churn first, so that the risk scores are computed on the day's final lifecycle stages.
		"cims_app.jobs.churn.churn_inactive_customers",
		"cims_app.jobs.churn.score_churn_risk",
		"cims_app.jobs.leads.flag_low_value_leads",
		"cims_app.jobs.upkeep.remind_data_upkeep",
		"cims_app.jobs.birthdays.remind_birthdays",
		"cims_app.jobs.contracts.remind_contract_renewals",
		"cims_app.jobs.opportunities.remind_stale_opportunities",
		"cims_app.jobs.plans.create_planned_follow_ups",
		"cims_app.jobs.accounts.disable_expired_accounts",
		# The sketch of the customers' match keys that imports read (cims_app.customers.name_sketch).
		"cims_app.jobs.name_sketch.rebuild_name_sketch",
	],
}

# Developer experience
# --------------------
export_python_type_annotations = True
