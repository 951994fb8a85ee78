"""Campaign memberships and metrics after a merge or an approved delete (issue 15 item 3): one membership per
customer and campaign, nothing of either membership lost, and participants, conversions, revenue and ROI
recomputed for every campaign touched (also after a restore)."""

import frappe
from frappe.utils import flt

from cims_app.customers.merge import merge_customers
from cims_app.domain.campaign_metrics import campaign_metrics
from cims_app.records import approvals
from tests.integration.campaign_support import add_member, make_campaign, make_won_opportunity, members_of
from tests.integration.support import make_customer

METRICS = ("participants", "conversions", "revenue", "conversion_rate", "roi", "cost_per_participant")


def metrics(campaign) -> dict:
	values = frappe.db.get_value("CIMS Campaign", campaign.name, METRICS, as_dict=True)
	return {field: flt(values[field], 2) for field in METRICS}


def expected(participants, conversions, revenue, budget) -> dict:
	return {
		field: flt(value, 2)
		for field, value in campaign_metrics(participants, conversions, revenue, budget).items()
	}


def test_merging_two_members_of_one_campaign_keeps_one_membership_with_both_engagements_and_fresh_metrics():
	campaign = make_campaign(budget=[10000])
	keep, remove = make_customer(), make_customer()
	kept = add_member(
		campaign, keep, status="Attended", interactions=2, watch_minutes=10, feedback="想了解价格"
	)
	removed = add_member(
		campaign,
		remove,
		status="Attended",
		interactions=3,
		watch_minutes=5,
		high_intent=1,
		feedback="现场提问",
	)
	make_won_opportunity(remove, campaign, 50000)
	assert metrics(campaign) == expected(2, 1, 50000, 10000)

	merge_customers(keep.name, remove.name)

	members = members_of(campaign)
	assert frappe.db.count("CIMS Campaign Member", {"campaign": campaign.name}) == 1, "one membership"
	assert list(members) == [keep.name]
	member = members[keep.name]
	assert member.name == kept.name  # a tie keeps the kept customer's (its check-in code stays valid)
	assert (member.status, member.interactions, flt(member.watch_minutes)) == ("Attended", 5, 15)
	assert member.high_intent == 1 and member.converted == 1 and flt(member.conversion_amount) == 50000
	assert frappe.db.get_value("CIMS Campaign Member", member.name, "feedback") == "想了解价格\n现场提问"
	assert not frappe.db.exists("CIMS Campaign Member", removed.name)
	assert metrics(campaign) == expected(1, 1, 50000, 10000)


def test_the_membership_that_got_further_stays_when_the_kept_customer_was_only_invited():
	campaign = make_campaign(budget=[8000])
	keep, remove = make_customer(), make_customer()
	add_member(campaign, keep, status="Invited")
	attended = add_member(campaign, remove, status="Attended")
	other_campaign = make_campaign()
	only_removed = add_member(other_campaign, remove, status="Registered")

	merge_customers(keep.name, remove.name)

	member = members_of(campaign)[keep.name]
	assert (member.name, member.status, member.check_in_token) == (
		attended.name,
		"Attended",
		attended.check_in_token,
	)
	assert members_of(other_campaign)[keep.name].name == only_removed.name
	assert metrics(campaign) == expected(1, 0, 0, 8000)


def test_an_approved_customer_delete_and_its_restore_keep_campaign_metrics_fresh():
	campaign = make_campaign(budget=[20000])
	first, second = make_customer(), make_customer()
	add_member(campaign, first, status="Attended")
	add_member(campaign, second, status="Attended")
	make_won_opportunity(first, campaign, 80000)
	make_won_opportunity(second, campaign, 20000)
	assert metrics(campaign) == expected(2, 2, 100000, 20000)

	snapshot = approvals.execute_deletion("CIMS Customer", first.name)
	assert metrics(campaign) == expected(1, 1, 20000, 20000)

	approvals.restore_snapshot(snapshot)
	assert metrics(campaign) == expected(2, 2, 100000, 20000)


def test_an_approved_opportunity_delete_takes_its_conversion_off_the_campaign_and_the_member():
	campaign = make_campaign(budget=[5000])
	customer = make_customer()
	add_member(campaign, customer, status="Attended")
	won = make_won_opportunity(customer, campaign, 30000)
	assert members_of(campaign)[customer.name].converted == 1

	snapshot = approvals.execute_deletion("CIMS Opportunity", won.name)
	assert metrics(campaign) == expected(1, 0, 0, 5000)
	assert members_of(campaign)[customer.name].converted == 0

	approvals.restore_snapshot(snapshot)
	assert metrics(campaign) == expected(1, 1, 30000, 5000)
	assert members_of(campaign)[customer.name].converted == 1


def test_a_restore_is_refused_with_a_message_when_another_customer_took_the_exact_name_meanwhile():
	customer = make_customer()
	snapshot = approvals.execute_deletion("CIMS Customer", customer.name)
	make_customer(customer_name=customer.customer_name)
	try:
		approvals.restore_snapshot(snapshot)
	except frappe.DuplicateEntryError as error:
		assert "same name" in str(error) and customer.name in str(error)
	else:
		raise AssertionError("restored a customer whose exact name another holds")
