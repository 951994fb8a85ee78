"""The contact a rep calls first (cims_app.domain.customer_glance)."""

from cims_app.domain.customer_glance import contacts_to_call


def contact(name, **values):
	return {"name": name, **values}


def test_key_contact_comes_before_the_primary_contact_and_roles():
	contacts = [
		contact("boss", cims_contact_role="Decision Maker", mobile_no="13800000001"),
		contact("primary", mobile_no="13800000002"),
		contact("key", cims_is_key_contact=1, cims_contact_role="Finance"),
	]
	assert [c["name"] for c in contacts_to_call(contacts, "primary")] == ["key", "primary", "boss"]


def test_without_key_or_primary_the_decision_maker_then_a_reachable_contact_comes_first():
	contacts = [
		contact("user", cims_contact_role="End User", mobile_no="13800000003"),
		contact("no-number"),
		contact("with-number", phone="021-12345678"),
		contact("boss", cims_contact_role="Decision Maker"),
	]
	assert [c["name"] for c in contacts_to_call(contacts, None, limit=4)] == [
		"boss",
		"user",
		"with-number",
		"no-number",
	]


def test_limit_and_no_contacts():
	contacts = [contact(str(i)) for i in range(5)]
	assert [c["name"] for c in contacts_to_call(contacts, None, limit=2)] == ["0", "1"]
	assert contacts_to_call([], "x") == []
