"""Churn: the daily risk score of every customer, and customers that churn on their own.

Risk: a handful of GROUP BY queries gather each customer's facts, cims_app.domain.churn scores them,
one bulk UPDATE writes the customers whose score, level or reasons changed, and the account manager
and team manager hear about each customer that newly became High.
Auto churn: Paused too long, or a contract ended long ago with nothing won since, moves the customer
to Churned through the lifecycle rules and assigns it to Customer Service for win-back.
"""

import datetime
import functools

import frappe
from frappe.utils import get_datetime, getdate, now_datetime, nowdate

from cims_app.db.bulk_insert import insert_rows
from cims_app.db.bulk_update import job_reference, record_versions, update_rows, write_changes
from cims_app.domain.churn import (
	CONTRACT_WINDOW_DAYS,
	NO_RISK,
	ChurnFacts,
	Reason,
	assess_churn_risk,
	auto_churn_reason,
	encode_reasons,
	round_robin,
)
from cims_app.domain.customer_rules import HIGH_POTENTIAL, HIGH_VALUE, classification_label
from cims_app.domain.errors import _
from cims_app.domain.lifecycle_rules import CHURNED, stage_move_effects
from cims_app.follow_ups.plans import sync_plans
from cims_app.follow_ups.saving import customer_history_hint
from cims_app.jobs.recipients import team_managers
from cims_app.jobs.tiers import won_amounts_sql
from cims_app.records.validation import get_setting
from cims_app.reminders.delivery import Reminder, send

SCORED_STAGES = ("Intent Customer", "Active Customer", "Paused Customer")
FIELDS = ["churn_risk", "churn_risk_score", "churn_reasons"]
HIGH_RISK_RULE = "churn_high_risk"
WIN_BACK_RULE = "win_back"
CUSTOMER_SERVICE = "CIMS Customer Service"
WIN_BACK_DAYS = 7


def _cadences() -> dict:
	return {
		HIGH_VALUE: int(get_setting("cadence_high_value_days", 30)),
		HIGH_POTENTIAL: int(get_setting("cadence_high_potential_days", 45)),
		None: int(get_setting("cadence_regular_days", 90)),
	}


def score_churn_risk() -> dict:
	"""Score every customer; returns {"changed": n, "new_high": n, "notified": n}."""
	today = getdate(nowdate())
	amounts, values = won_amounts_sql(today)
	# Whole days (dates), so that every run of the same day sees the same facts.
	values.update(
		{"since_90": today - datetime.timedelta(days=90), "since_180": today - datetime.timedelta(days=180)}
	)
	customers = frappe.db.sql(
		f"""
		SELECT c.name, c.customer_name, c.lifecycle_stage, c.value_tier, c.account_manager, c.sales_team,
			DATEDIFF(%(today)s, c.last_follow_up_on) AS days_since_follow_up,
			DATEDIFF(%(today)s, c.creation) AS age_days,
			DATEDIFF(c.contract_end_date, %(today)s) AS contract_days_left,
			c.churn_risk, c.churn_risk_score, c.churn_reasons,
			a.last_half, a.prior_half, a.open_count,
			f.last_90, f.prior_90, f.negative_90, f.complaints_90
		FROM `tabCIMS Customer` c
		LEFT JOIN ({amounts}) a ON a.customer = c.name
		LEFT JOIN (
			SELECT fu.customer,
				SUM(fu.completed_on >= %(since_90)s) AS last_90,
				SUM(fu.completed_on < %(since_90)s) AS prior_90,
				SUM(fu.completed_on >= %(since_90)s AND fu.customer_feedback = 'Negative') AS negative_90,
				SUM(fu.completed_on >= %(since_90)s AND fu.follow_up_type = 'Complaint') AS complaints_90
			FROM `tabCIMS Follow-Up` fu {customer_history_hint()}
			WHERE fu.status = 'Completed' AND fu.completed_on >= %(since_180)s
			GROUP BY fu.customer
		) f ON f.customer = c.name
		""",
		values,
		as_dict=True,
	)
	cadences = _cadences()
	high = int(get_setting("churn_high_score", 70))
	medium = int(get_setting("churn_medium_score", 40))
	# Added after install: a site migrated since has no stored value (reads 0) until CIMS Settings is saved.
	window = int(get_setting("churn_contract_window_days") or CONTRACT_WINDOW_DAYS)

	current, computed, new_high = {}, {}, []
	for row in customers:
		current[row.name] = (row.churn_risk, row.churn_risk_score, row.churn_reasons)
		if row.lifecycle_stage not in SCORED_STAGES:
			computed[row.name] = (NO_RISK, 0, "")
			continue
		facts = ChurnFacts(
			days_since_follow_up=row.days_since_follow_up,
			customer_age_days=int(row.age_days or 0),
			cadence_days=cadences.get(row.value_tier, cadences[None]),
			follow_ups_last_90=int(row.last_90 or 0),
			follow_ups_prior_90=int(row.prior_90 or 0),
			amount_last_6m=row.last_half or 0,
			amount_prior_6m=row.prior_half or 0,
			negative_feedback=int(row.negative_90 or 0),
			complaints=int(row.complaints_90 or 0),
			contract_days_left=row.contract_days_left,
			open_opportunities=int(row.open_count or 0),
		)
		assessment = assess_churn_risk(facts, high, medium, window)
		# Stored as codes and values: each reader sees them in their language (cims_app.reminders.reader_texts).
		computed[row.name] = (assessment.level, assessment.score, encode_reasons(assessment.reasons))
		if assessment.level == "High" and row.churn_risk != "High":
			new_high.append((row, assessment.score, assessment.reasons))

	changed = write_changes(
		"CIMS Customer", FIELDS, current, computed, job_reference("cims_app.jobs.churn.score_churn_risk")
	)
	notified = send(_high_risk_reminders(new_high, today))
	return {"changed": changed, "new_high": len(new_high), "notified": notified}


def _high_risk_reminders(new_high: list, today: datetime.date) -> list[Reminder]:
	managers = team_managers([row for row, _score, _reasons in new_high])
	reminders = []
	for row, score, reasons in new_high:
		for recipient in dict.fromkeys(filter(None, (row.account_manager, managers.get(row.name)))):
			reminders.append(
				Reminder(
					rule=HIGH_RISK_RULE,
					reference_doctype="CIMS Customer",
					reference_name=row.name,
					due=today,
					recipient=recipient,
					message=_("{0} is now at high churn risk ({1}/100): {2}"),
					params=(row.customer_name, score, reasons),
				)
			)
	return reminders


def churn_inactive_customers() -> dict:
	"""Move customers Paused for `auto_churn_paused_days`, or whose contract ended `auto_churn_contract_days`
	ago with nothing won since, to Churned, and assign each to Customer Service for win-back."""
	today = getdate(nowdate())
	paused_days = int(get_setting("auto_churn_paused_days", 90))
	contract_days = int(get_setting("auto_churn_contract_days", 90))
	candidates = frappe.db.sql(
		"""
		SELECT c.name, c.customer_name, c.lifecycle_stage, c.lifecycle_stage_changed_on, c.contract_end_date,
			c.creation, c.churned_on, c.first_deal_date, c.industry, c.value_tier, c.need_type,
			c.classification_label,
			(SELECT MAX(o.closed_on) FROM `tabCIMS Opportunity` o
				WHERE o.customer = c.name AND o.status = 'Won') AS last_won_on
		FROM `tabCIMS Customer` c
		WHERE (c.lifecycle_stage = 'Paused Customer' AND c.lifecycle_stage_changed_on < %(paused_before)s)
			OR (c.lifecycle_stage IN ('Active Customer', 'Paused Customer')
				AND c.contract_end_date <= %(ended_by)s)
		""",
		{
			"paused_before": today - datetime.timedelta(days=paused_days - 1),
			"ended_by": today - datetime.timedelta(days=contract_days),
		},
		as_dict=True,
	)
	churning = []
	for row in candidates:
		reason = auto_churn_reason(
			row.lifecycle_stage,
			row.lifecycle_stage_changed_on,
			row.contract_end_date,
			row.last_won_on,
			today,
			paused_days,
			contract_days,
		)
		if reason:
			churning.append((row, reason))
	if churning:
		move_to_churned([row for row, _reason in churning], today)
	assigned = assign_win_back(today, {row.name: reason for row, reason in churning})
	return {"churned": len(churning), "assigned": assigned}


def move_to_churned(customers: list, today: datetime.date) -> None:
	"""What cims_app.customers.lifecycle.move_customer_stage(customer, "Churned Customer", source="job") does for one
	customer, for many in a few statements: the stage and its date, the move's effects (lifecycle_rules),
	the classification label, a CIMS Stage Change and a Version row each; then plans follow the new stage."""
	now = now_datetime()
	user = frappe.session.user
	label_of = functools.cache(classification_label)
	updates, changes, versions = [], [], {}
	for row in customers:
		effects = stage_move_effects(row.lifecycle_stage, CHURNED, today, row.churned_on, row.first_deal_date)
		new = {
			"lifecycle_stage": CHURNED,
			"lifecycle_stage_changed_on": now,
			"churned_on": effects.get("churned_on", row.churned_on),
			"first_deal_date": effects.get("first_deal_date", row.first_deal_date),
			"classification_label": label_of(row.industry, row.value_tier, CHURNED, row.need_type),
		}
		updates.append((row.name, *new.values(), now, user))
		entered_on = get_datetime(row.lifecycle_stage_changed_on or row.creation)
		changes.append(
			(
				frappe.generate_hash(length=10),
				now,
				now,
				user,
				user,
				"CIMS Customer",
				row.name,
				row.name,
				row.lifecycle_stage,
				CHURNED,
				user,
				now,
				round((now - entered_on).total_seconds() / 86400, 2),
				"job",
			)
		)
		versions[row.name] = {field: (row.get(field), value) for field, value in new.items()}
	update_rows("CIMS Customer", [*new.keys(), "modified", "modified_by"], updates)
	insert_rows(
		"CIMS Stage Change",
		[
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"reference_doctype",
			"reference_name",
			"customer",
			"from_stage",
			"to_stage",
			"changed_by",
			"changed_on",
			"days_in_previous_stage",
			"source",
		],
		changes,
	)
	reference = job_reference("cims_app.jobs.churn.churn_inactive_customers")
	record_versions("CIMS Customer", versions, reference)
	sync_plans([row.name for row in customers], today, reference=reference)


def win_back_users() -> list[str]:
	"""CIMS Settings.win_back_user, or every enabled user with the Customer Service role."""
	if user := get_setting("win_back_user"):
		return [user]
	return frappe.db.sql(
		"""
		SELECT DISTINCT u.name FROM `tabUser` u
		JOIN `tabHas Role` r ON r.parent = u.name AND r.parenttype = 'User'
		WHERE u.enabled = 1 AND r.role = %(role)s AND u.name NOT IN ('Administrator', 'Guest')
		""",
		{"role": CUSTOMER_SERVICE},
		pluck=True,
	)


def assign_win_back(today: datetime.date, reasons: dict[str, Reason] | None = None) -> int:
	"""Give every customer churned in the last WIN_BACK_DAYS days and not yet assigned to Customer Service
	(by this job or by hand) to the win-back user, or to Customer Service users in turn, as a ToDo."""
	reasons = reasons or {}
	churned = frappe.db.sql(
		"""
		SELECT c.name, c.customer_name, c.lifecycle_stage_changed_on FROM `tabCIMS Customer` c
		WHERE c.lifecycle_stage = 'Churned Customer' AND c.lifecycle_stage_changed_on >= %(since)s
			AND NOT EXISTS (
				SELECT 1 FROM `tabCIMS Reminder Log` l
				WHERE l.rule = %(rule)s AND l.reference_doctype = 'CIMS Customer' AND l.reference_name = c.name
			)
		ORDER BY c.name
		""",
		{"since": today - datetime.timedelta(days=WIN_BACK_DAYS), "rule": WIN_BACK_RULE},
		as_dict=True,
	)
	users = win_back_users()
	dealt_before = frappe.db.count("CIMS Reminder Log", {"rule": WIN_BACK_RULE})
	owners = round_robin([row.name for row in churned], users, start=dealt_before)
	reminders = []
	for row in churned:
		if row.name not in owners:
			continue
		why = reasons.get(row.name)
		reminders.append(
			Reminder(
				rule=WIN_BACK_RULE,
				reference_doctype="CIMS Customer",
				reference_name=row.name,
				due=getdate(row.lifecycle_stage_changed_on),
				recipient=owners[row.name],
				message=_("{0} has churned ({1}): please try to win it back")
				if why
				else _("{0} has churned: please try to win it back"),
				params=(row.customer_name, why) if why else (row.customer_name,),
				todo=_("Win back {0}: {1}") if why else _("Win back {0}"),
				todo_params=(row.customer_name, why) if why else (row.customer_name,),
			)
		)
	return send(reminders)
