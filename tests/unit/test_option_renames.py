"""Renamed options inside saved filters and option lists (cims_app.domain.option_renames)."""

from cims_app.domain.option_renames import rename_in_filters, rename_in_options, rename_value
from cims_app.domain.vocabulary import LEGACY_FIELDS

FOLLOW_UP = "CIMS Follow-Up"
RENAMES = LEGACY_FIELDS[FOLLOW_UP]


def test_a_saved_list_filter_row_takes_the_new_option():
	filters = [[FOLLOW_UP, "follow_up_type", "=", "Call", False], [FOLLOW_UP, "status", "!=", "Cancelled"]]
	assert rename_in_filters(filters, FOLLOW_UP, RENAMES) == [
		[FOLLOW_UP, "follow_up_type", "=", "Phone Call", False],
		[FOLLOW_UP, "status", "!=", "Called Off"],
	]


def test_in_filters_rename_each_value_of_a_list_or_a_comma_separated_text():
	filters = [
		[FOLLOW_UP, "follow_up_type", "in", ["Call", "Meeting", "Email"]],
		["status", "not in", "Planned,Cancelled"],
	]
	assert rename_in_filters(filters, FOLLOW_UP, RENAMES) == [
		[FOLLOW_UP, "follow_up_type", "in", ["Phone Call", "Meeting", "E-mail"]],
		["status", "not in", "Planned,Called Off"],
	]


def test_dict_filters_of_charts_and_route_options_are_renamed():
	assert rename_in_filters(
		{"status": "Cancelled", "result": ["=", "Pending"], "group_by": "Week"}, FOLLOW_UP, RENAMES
	) == {"status": "Called Off", "result": ["=", "Needs Follow-Up"], "group_by": "Week"}


def test_filters_on_another_doctype_or_field_are_left_alone():
	filters = [
		["CIMS Opportunity", "status", "=", "Cancelled"],
		[FOLLOW_UP, "content", "like", "%Call%"],
		[FOLLOW_UP, "customer_feedback", "=", "Negative"],
	]
	assert rename_in_filters(filters, FOLLOW_UP, RENAMES) == filters


def test_a_value_that_is_already_new_stays_as_it_is():
	"""A second run of the patch changes nothing."""
	once = rename_in_filters([[FOLLOW_UP, "follow_up_type", "=", "Call"]], FOLLOW_UP, RENAMES)
	assert rename_in_filters(once, FOLLOW_UP, RENAMES) == once


def test_option_lists_and_defaults_are_renamed_line_by_line():
	options = "\nCall\nVisit\nEmail\nMeeting"
	assert (
		rename_in_options(options, RENAMES["follow_up_type"])
		== "\nPhone Call\nCustomer Visit\nE-mail\nMeeting"
	)
	assert rename_in_options("Call", RENAMES["follow_up_type"]) == "Phone Call"
	assert rename_value(None, RENAMES["status"]) is None
	assert rename_value(3, RENAMES["status"]) == 3
