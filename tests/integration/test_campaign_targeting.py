"""Campaign targeting: each filter fills CIMS Campaign Member set-based (one SELECT, bulk INSERTs of members
with tokens from `secrets`); hand-picked customers too; tagging a campaign's customers."""

import frappe
import pytest
from frappe.desk.doctype.tag.tag import add_tag

from cims_app.campaigns import members as campaigns
from tests.integration.campaign_support import add_member, make_campaign, make_tree_node, members_of
from tests.integration.support import make_customer, unique_suffix

pytestmark = pytest.mark.integration


def _target(campaign, **filters):
	campaign.update(filters)
	campaign.save()
	added = campaigns.add_target_customers(campaign.name)
	return added, members_of(campaign)


def test_targeting_by_tag_matches_tag_links_and_user_tags():
	tag = f"测试标签{unique_suffix()}"
	tagged = make_customer()
	add_tag(tag, "CIMS Customer", tagged.name)
	# a row written straight into _user_tags (e.g. by a bulk import) counts too
	raw_tagged = make_customer()
	frappe.db.set_value("CIMS Customer", raw_tagged.name, "_user_tags", f",其他,{tag}", update_modified=False)
	similar = make_customer()
	add_tag(tag + "X", "CIMS Customer", similar.name)
	campaign = make_campaign()

	added, members = _target(campaign, target_tags=[{"tag": tag}])

	assert set(members) == {tagged.name, raw_tagged.name}
	assert added == 2


def test_targeting_by_region_takes_the_whole_subtree():
	group = make_tree_node("CIMS Region", "全部区域", is_group=1)
	child = make_tree_node("CIMS Region", group)
	inside_group, inside_child = make_customer(region=group), make_customer(region=child)
	outside = make_customer(region="上海")
	campaign = make_campaign()

	added, members = _target(campaign, target_region=group)

	assert set(members) == {inside_group.name, inside_child.name}
	assert outside.name not in members
	assert added == 2


def test_targeting_by_industry_takes_the_whole_subtree():
	group = make_tree_node("CIMS Industry", "全部行业", is_group=1)
	child = make_tree_node("CIMS Industry", group)
	inside = make_customer(industry=child)
	outside = make_customer(industry="汽车制造")
	campaign = make_campaign()

	_added, members = _target(campaign, target_industry=group)

	assert set(members) == {inside.name}
	assert outside.name not in members


def test_targeting_by_intent_level_adds_only_that_level():
	high, low = make_customer(intent_level="A - High"), make_customer(intent_level="C - Low")
	campaign = make_campaign()

	_added, members = _target(campaign, target_intent_level="A - High")

	assert high.name in members and low.name not in members
	levels = set(frappe.get_all("CIMS Customer", {"name": ("in", list(members))}, pluck="intent_level"))
	assert levels == {"A - High"}


def test_targeting_by_lifecycle_stage_adds_only_that_stage():
	potential = make_customer()
	campaign = make_campaign()

	_added, members = _target(campaign, target_lifecycle_stage="Potential Customer")

	assert potential.name in members
	stages = set(frappe.get_all("CIMS Customer", {"name": ("in", list(members))}, pluck="lifecycle_stage"))
	assert stages == {"Potential Customer"}


def test_filters_combine_with_and():
	region = make_tree_node("CIMS Region", "全部区域")
	both = make_customer(region=region, intent_level="B - Medium")
	region_only = make_customer(region=region, intent_level="C - Low")
	campaign = make_campaign()

	_added, members = _target(campaign, target_region=region, target_intent_level="B - Medium")

	assert set(members) == {both.name}
	assert region_only.name not in members


def test_targeting_again_skips_existing_members_and_keeps_their_data():
	region = make_tree_node("CIMS Region", "全部区域")
	first = make_customer(region=region)
	campaign = make_campaign()
	existing = add_member(campaign, first, feedback="已报名")
	second = make_customer(region=region)

	added, members = _target(campaign, target_region=region)
	again = campaigns.add_target_customers(campaign.name)

	assert added == 1 and again == 0
	assert set(members) == {first.name, second.name}
	assert members[first.name].name == existing.name
	assert frappe.db.get_value("CIMS Campaign Member", existing.name, "feedback") == "已报名"


def test_targeted_members_get_distinct_unguessable_tokens_and_the_primary_contact():
	region = make_tree_node("CIMS Region", "全部区域")
	customers = [make_customer(region=region) for _ in range(5)]
	campaign = make_campaign()

	_added, members = _target(campaign, target_region=region)

	tokens = [m.check_in_token for m in members.values()]
	assert len(set(tokens)) == 5
	assert all(len(token) == 32 and "+" not in token and "/" not in token for token in tokens)
	names = frappe.get_all(
		"CIMS Campaign Member", {"campaign": campaign.name}, ["customer_name", "customer", "status"]
	)
	assert {row.customer_name for row in names} == {c.customer_name for c in customers}
	assert {row.status for row in names} == {"Invited"}


def test_tagging_customers_links_each_once_however_often_it_runs():
	tag = f"活动标签{unique_suffix()}"
	customers = [make_customer() for _ in range(3)]
	add_tag(tag, "CIMS Customer", customers[0].name)  # one already tagged by hand

	campaigns.tag_customers([c.name for c in customers], tag)
	campaigns.tag_customers([c.name for c in customers], tag)

	links = frappe.get_all(
		"Tag Link", {"document_type": "CIMS Customer", "tag": tag}, ["document_name", "title", "name"]
	)
	assert sorted(link.document_name for link in links) == sorted(c.name for c in customers)
	assert {link.title for link in links} == {c.customer_name for c in customers}
	for customer in customers:
		tags = frappe.db.get_value("CIMS Customer", customer.name, "_user_tags") or ""
		assert tags.split(",").count(tag) == 1


def test_targeting_without_any_filter_is_refused():
	campaign = make_campaign()
	with pytest.raises(frappe.ValidationError, match="target filter"):
		campaigns.add_target_customers(campaign.name)
	assert not members_of(campaign)


def test_customers_added_by_hand_skip_existing_members_and_unknown_names():
	first, second = make_customer(), make_customer()
	campaign = make_campaign()
	add_member(campaign, first)

	added = campaigns.add_customers(campaign.name, [first.name, second.name, "no-such-customer"])

	assert added == 1
	assert set(members_of(campaign)) == {first.name, second.name}


def test_member_created_directly_gets_a_token_and_refuses_a_duplicate():
	customer = make_customer()
	campaign = make_campaign()
	member = add_member(campaign, customer)

	assert member.check_in_token and len(member.check_in_token) >= 32
	with pytest.raises(frappe.DuplicateEntryError):
		add_member(campaign, customer)
