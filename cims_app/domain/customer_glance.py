"""What a rep sees first on a customer (the form's glance panel): who to call, in which order."""

from collections.abc import Iterable, Mapping

# Roles a rep calls first when no contact is marked key, in this order; other roles come after them.
CALL_ORDER_BY_ROLE = ("Decision Maker", "Influencer", "Finance")


def contacts_to_call(
	contacts: Iterable[Mapping], primary_contact: str | None, limit: int = 3
) -> list[Mapping]:
	"""The customer's contacts in the order a rep calls them: key contacts, then the primary contact, then by
	role (decision maker first), then those with a mobile number; ties keep the given order."""

	def rank(indexed: tuple[int, Mapping]) -> tuple:
		index, contact = indexed
		role = contact.get("cims_contact_role")
		return (
			not contact.get("cims_is_key_contact"),
			contact.get("name") != primary_contact,
			CALL_ORDER_BY_ROLE.index(role) if role in CALL_ORDER_BY_ROLE else len(CALL_ORDER_BY_ROLE),
			not (contact.get("mobile_no") or contact.get("phone")),
			index,
		)

	return [contact for _index, contact in sorted(enumerate(contacts), key=rank)][: max(limit, 0)]
