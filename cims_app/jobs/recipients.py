"""Who hears about a customer: its account manager and the manager of its sales team."""

import frappe


def team_managers(customers: list) -> dict[str, str]:
	"""Customer name -> the manager of its sales team, or else of the first team its account manager is an
	active member of. `customers` are rows with name, sales_team and account_manager; two queries in all."""
	managers = {
		team.name: team.manager for team in frappe.get_all("CIMS Sales Team", fields=["name", "manager"])
	}
	team_of_member = {}
	for member in frappe.get_all(
		"CIMS Sales Team Member",
		filters={"parenttype": "CIMS Sales Team", "is_active": 1},
		fields=["parent", "user"],
		order_by="parent",
	):
		team_of_member.setdefault(member.user, member.parent)
	result = {}
	for customer in customers:
		team = customer.get("sales_team") or team_of_member.get(customer.get("account_manager"))
		if manager := managers.get(team):
			result[customer["name"]] = manager
	return result
