// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

// Lifecycle stage is the status indicator; value tier and churn risk show as coloured pills in their columns.
const CIMS_STAGE_COLOURS = {
	"Potential Customer": "gray",
	"Intent Customer": "blue",
	"Active Customer": "green",
	"Paused Customer": "orange",
	"Churned Customer": "red",
};
const CIMS_TIER_COLOURS = {
	"High Value Customer": "purple",
	"High Potential Customer": "cyan",
	"Regular Customer": "gray",
};
const CIMS_CHURN_RISK_COLOURS = {
	High: "red",
	Medium: "orange",
	Low: "yellow",
	"No Risk": "green",
};

function cims_pill(value, colours) {
	if (!value) {
		return "";
	}
	const colour = colours[value] || "gray";
	return `<span class="indicator-pill ${colour} filterable ellipsis">${frappe.utils.escape_html(__(value))}</span>`;
}

// The stage is the indicator column, so it is not a list column of its own; the ID column gives way to
// tier and churn risk (at 1366 px the Desk shows four columns).
frappe.listview_settings["CIMS Customer"] = {
	add_fields: ["lifecycle_stage", "value_tier", "churn_risk", "customer_type"],
	hide_name_column: true,
	// A rep's list opens on their own customers (我的客户), until they choose other filters; the public pool
	// they may also read has its own page.
	get filters() {
		return cims_customer_list.is_rep() ? [["account_manager", "=", frappe.session.user]] : [];
	},
	onload(listview) {
		cims_customer_list.add_pool_button(listview);
		cims_customer_list.add_manager_actions(listview);
	},
	get_indicator(doc) {
		return [
			__(doc.lifecycle_stage),
			CIMS_STAGE_COLOURS[doc.lifecycle_stage] || "gray",
			`lifecycle_stage,=,${doc.lifecycle_stage}`,
		];
	},
	formatters: {
		value_tier: (value) => cims_pill(value, CIMS_TIER_COLOURS),
		churn_risk: (value) => cims_pill(value, CIMS_CHURN_RISK_COLOURS),
	},
};

// Reps and managers reach the pool from the list; managers reassign selected customers and hand over a leaving
// rep's whole book (cims_app.api.customers.reassign / transfer), and see what moved.
const cims_customer_list = {
	MANAGER_ROLES: ["CIMS Sales Manager", "System Manager"],

	is_rep() {
		return frappe.user.has_role("CIMS Sales Rep") && !frappe.user.has_role(cims_customer_list.MANAGER_ROLES);
	},

	add_pool_button(listview) {
		if (!frappe.user.has_role(["CIMS Sales Rep", ...cims_customer_list.MANAGER_ROLES])) {
			return;
		}
		listview.page.add_inner_button(__("Public Pool Customers"), () => frappe.set_route("cims-public-pool"));
	},

	add_manager_actions(listview) {
		if (!frappe.user.has_role(cims_customer_list.MANAGER_ROLES)) {
			return;
		}
		listview.page.add_actions_menu_item(__("Reassign"), () => cims_customer_list.reassign(listview), false);
		listview.page.add_menu_item(__("Hand Over a Leaving Rep's Book"), () =>
			cims_customer_list.hand_over(listview)
		);
	},

	users() {
		return frappe.xcall("cims_app.api.customers.get_handover_users");
	},

	user_select(fieldname, label, users) {
		return {
			fieldname,
			fieldtype: "Select",
			label,
			reqd: 1,
			options: [{ value: "", label: "" }, ...users.map((user) => ({ value: user.value, label: user.label }))],
		};
	},

	reassign(listview) {
		const names = listview.get_checked_items(true);
		if (!names.length) {
			frappe.msgprint(__("Select the customers to reassign first"));
			return;
		}
		cims_customer_list.users().then((users) => {
			const dialog = new frappe.ui.Dialog({
				// no fade: Bootstrap ignores hide() while a dialog fades in, and a quick click left it open
				animate: false,
				title: __("Reassign {0} Customers", [names.length]),
				fields: [cims_customer_list.user_select("to_user", __("New Account Manager"), users.to)],
				primary_action_label: __("Reassign"),
				primary_action(values) {
					frappe
						.call({
							method: "cims_app.api.customers.reassign",
							args: { customers: names, to_user: values.to_user },
							freeze: true,
						})
						.then((r) => {
							dialog.hide();
							listview.clear_checked_items();
							listview.refresh();
							frappe.msgprint({
								title: __("Customers Reassigned"),
								indicator: "green",
								message: cims_customer_list.reassign_summary(r.message),
							});
						});
				},
			});
			dialog.show();
		});
	},

	reassign_summary(result) {
		const escape = frappe.utils.escape_html;
		const to = escape(result.to_user_name || result.to_user);
		if (!result.reassigned) {
			return __("Nothing moved: the selected customers are already managed by {0}.", [to]);
		}
		const rows = result.customers.map(
			(row) =>
				`<li>${escape(row.customer_name)} <span class="text-muted">(${escape(
					row.from_user ? row.from_user_name || row.from_user : __("Public Pool")
				)})</span></li>`
		);
		return `<p>${__("{0} customers now managed by {1}:", [result.reassigned, to])}</p><ul>${rows.join("")}</ul>`;
	},

	hand_over(listview) {
		cims_customer_list.users().then((users) => {
			const dialog = new frappe.ui.Dialog({
				// no fade: Bootstrap ignores hide() while a dialog fades in, and a quick click left it open
				animate: false,
				title: __("Hand Over a Leaving Rep's Book"),
				fields: [
					{
						fieldtype: "HTML",
						options: `<p class="text-muted">${__(
							"Every customer, planned follow-up and open opportunity of the leaving rep moves to the new one."
						)}</p>`,
					},
					cims_customer_list.user_select("from_user", __("Leaving Rep"), users.from),
					cims_customer_list.user_select("to_user", __("Hand Over To"), users.to),
				],
				primary_action_label: __("Hand Over"),
				primary_action(values) {
					frappe
						.call({
							method: "cims_app.api.customers.transfer",
							args: { from_user: values.from_user, to_user: values.to_user },
							freeze: true,
						})
						.then((r) => {
							dialog.hide();
							listview.refresh();
							const moved = r.message;
							const name_of = (user) =>
								frappe.utils.escape_html(
									([...users.from, ...users.to].find((option) => option.value === user) || {})
										.label || user
								);
							frappe.msgprint({
								title: __("Book Handed Over"),
								indicator: "green",
								message: __(
									"{0} customers, {1} planned follow-ups and {2} open opportunities moved from {3} to {4}.",
									[
										moved.customers,
										moved.follow_ups,
										moved.opportunities,
										name_of(values.from_user),
										name_of(values.to_user),
									]
								),
							});
						});
				},
			});
			dialog.show();
		});
	},
};
