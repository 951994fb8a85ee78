// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

frappe.ui.form.on("CIMS Customer", {
	refresh(frm) {
		frappe.dynamic_link = { doc: frm.doc, fieldname: "name", doctype: "CIMS Customer" };
		frm.toggle_display("contacts_section", !frm.is_new());
		if (frm.is_new()) {
			return;
		}
		frappe.contacts.render_address_and_contact(frm);
		frm.set_query("primary_contact", () => ({
			query: "frappe.contacts.doctype.contact.contact.contact_query",
			filters: { link_doctype: "CIMS Customer", link_name: frm.doc.name },
		}));
		frm.add_custom_button(
			__("Follow-Up"),
			() => frappe.new_doc("CIMS Follow-Up", { customer: frm.doc.name }),
			__("Create")
		);
		frm.add_custom_button(
			__("Opportunity"),
			() => frappe.new_doc("CIMS Opportunity", { customer: frm.doc.name }),
			__("Create")
		);
	},
});

// Upkeep actions (issue 8): confirm the data, request deletion, merge. One function per button.
frappe.ui.form.on("CIMS Customer", {
	refresh(frm) {
		if (frm.is_new()) {
			return;
		}
		cims_add_confirm_up_to_date_button(frm);
		cims_add_request_deletion_button(frm);
		cims_add_merge_button(frm);
	},
});

function cims_add_confirm_up_to_date_button(frm) {
	if (!frm.perm[0] || !frm.perm[0].write) {
		return;
	}
	frm.add_custom_button(__("Confirm Information Up to Date"), () => {
		if (frm.is_dirty()) {
			frappe.msgprint(__("Save the customer first, then confirm its information."));
			return;
		}
		frappe
			.call({
				method: "cims_app.api.customer_profile.confirm_up_to_date",
				args: { customer: frm.doc.name },
				freeze: true,
			})
			.then((r) => {
				frappe.show_alert({ message: r.message.message, indicator: "green" }, 7);
				frm.reload_doc();
			});
	});
}

function cims_add_request_deletion_button(frm) {
	if (!frappe.model.can_create("CIMS Approval Request")) {
		return;
	}
	frm.add_custom_button(
		__("Request Deletion"),
		() => {
			const dialog = new frappe.ui.Dialog({
				title: __("Request Deletion of {0}", [frm.doc.customer_name]),
				fields: [
					{
						fieldtype: "HTML",
						options: `<p class="text-muted">${__(
							"A manager approves the request; the customer and its records are then deleted and a snapshot is kept."
						)}</p>`,
					},
					{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
				],
				primary_action_label: __("Send Request"),
				primary_action(values) {
					frappe.db
						.insert({
							doctype: "CIMS Approval Request",
							request_type: "Delete",
							reference_doctype: frm.doctype,
							reference_name: frm.doc.name,
							reason: values.reason,
						})
						.then((request) => {
							dialog.hide();
							frappe.show_alert(
								{
									message: __("Deletion request {0} sent for approval", [request.name]),
									indicator: "blue",
								},
								7
							);
							frm.reload_doc();
						});
				},
			});
			dialog.show();
		},
		__("Manage")
	);
}

function cims_add_merge_button(frm) {
	// The server allows merges to sales managers and administrators with write access to both customers.
	if (!frm.perm[0] || !frm.perm[0].write || !frappe.user.has_role(["CIMS Sales Manager", "System Manager"])) {
		return;
	}
	frm.add_custom_button(
		__("Merge"),
		() => {
			const dialog = new frappe.ui.Dialog({
				title: __("Merge Another Customer into {0}", [frm.doc.customer_name]),
				fields: [
					{
						fieldname: "other_customer",
						fieldtype: "Link",
						options: "CIMS Customer",
						label: __("Customer to Merge"),
						reqd: 1,
						get_query: () => ({ filters: [["name", "!=", frm.doc.name]] }),
					},
					{
						fieldname: "policy",
						fieldtype: "Select",
						label: __("Conflict Policy"),
						options: [
							{ value: "Fill Empty", label: __("Fill Empty") },
							{ value: "Overwrite", label: __("Overwrite") },
							{ value: "Skip", label: __("Skip") },
						],
						default: "Fill Empty",
						reqd: 1,
					},
					{
						fieldtype: "HTML",
						options: `<p class="text-muted">${__(
							"This customer is kept. Contacts, follow-ups, opportunities, campaign members, comments and attachments of the other customer move here."
						)}</p>`,
					},
				],
				primary_action_label: __("Merge"),
				primary_action(values) {
					frappe
						.call({
							method: "cims_app.api.customers.merge",
							args: { keep: frm.doc.name, remove: values.other_customer, policy: values.policy },
							freeze: true,
							freeze_message: __("Merging..."),
						})
						.then((r) => {
							dialog.hide();
							frappe.msgprint({
								title: __("Customers merged"),
								message: cims_merge_summary(r.message || {}),
								indicator: "green",
							});
							frm.reload_doc();
						});
				},
			});
			dialog.show();
		},
		__("Manage")
	);
}

function cims_merge_summary(result) {
	const moved = Object.entries(result.moved || {})
		.filter(([, count]) => count)
		.map(([doctype, count]) => `${__(doctype)}: ${count}`);
	const changed = (result.changed_fields || []).map((field) => __(frappe.meta.get_label("CIMS Customer", field)));
	return [
		__("{0} was merged into this customer.", [frappe.utils.escape_html(result.removed || "")]),
		moved.length ? __("Moved: {0}", [moved.join(", ")]) : __("No linked records to move."),
		changed.length ? __("Fields filled or changed: {0}", [changed.join(", ")]) : "",
	]
		.filter(Boolean)
		.join("<br>");
}

// Follow-up timeline (issue 4): the customer's follow-ups in a dashboard section, filterable by date,
// owner and status, served by cims_app.api.follow_ups.get_timeline.
frappe.ui.form.on("CIMS Customer", {
	refresh(frm) {
		cims_render_follow_up_timeline(frm);
	},
});

function cims_render_follow_up_timeline(frm) {
	if (frm.is_new()) {
		return;
	}
	const $section = frm.dashboard.add_section(
		`<div class="cims-follow-up-filters row"></div><div class="cims-follow-up-items"></div>`,
		__("Follow-Up Timeline")
	);
	frm.dashboard.show();
	const filters = {};
	const $filters = $section.find(".cims-follow-up-filters");
	const $items = $section.find(".cims-follow-up-items");
	const add_filter = (df) => {
		const $col = $(`<div class="col-sm-4"></div>`).appendTo($filters);
		const control = frappe.ui.form.make_control({
			df: { ...df, change: () => load() },
			parent: $col,
			render_input: true,
		});
		filters[df.fieldname] = control;
		return control;
	};
	add_filter({ fieldname: "dates", fieldtype: "DateRange", label: __("Date") });
	const owner = add_filter({ fieldname: "assigned_to", fieldtype: "Select", label: __("Assigned To") });
	add_filter({
		fieldname: "status",
		fieldtype: "Select",
		label: __("Status"),
		options: [
			{ value: "", label: "" },
			{ value: "Planned", label: __("Planned") },
			{ value: "Completed", label: __("Completed") },
			{ value: "Cancelled", label: __("Cancelled") },
		],
	});

	function load() {
		const dates = filters.dates.get_value() || [];
		frappe
			.call({
				method: "cims_app.api.follow_ups.get_timeline",
				args: {
					customer: frm.doc.name,
					from_date: dates[0] || null,
					to_date: dates[1] || null,
					assigned_to: filters.assigned_to.get_value() || null,
					status: filters.status.get_value() || null,
				},
			})
			.then((r) => {
				const data = r.message || { items: [], owners: [] };
				if (!owner.df.options || !owner.df.options.length) {
					owner.df.options = [{ value: "", label: "" }, ...data.owners];
					owner.refresh();
				}
				$items.html(cims_follow_up_timeline_html(data.items));
			});
	}
	load();
}

function cims_follow_up_timeline_html(items) {
	if (!items.length) {
		return `<p class="text-muted">${__("No follow-ups")}</p>`;
	}
	const colours = { Planned: "blue", Completed: "green", Cancelled: "gray" };
	const rows = items.map((item) => {
		const colour = item.overdue ? "red" : colours[item.status] || "gray";
		const status = item.overdue ? __("Overdue") : __(item.status);
		const details = [item.result && __(item.result), item.customer_feedback && __(item.customer_feedback)]
			.filter(Boolean)
			.join(" · ");
		return `<div class="timeline-item" style="padding: 6px 0; border-bottom: 1px solid var(--border-color)">
			<div>
				<span class="indicator-pill ${colour}">${frappe.utils.escape_html(status)}</span>
				<a href="/app/cims-follow-up/${encodeURIComponent(item.name)}">
					${frappe.utils.escape_html(__(item.follow_up_type))}
				</a>
				<span class="text-muted">
					${frappe.datetime.str_to_user(item.when || "")}
					· ${frappe.utils.escape_html(item.assigned_to_name || item.assigned_to || "")}
				</span>
				${details ? `<span class="text-muted"> · ${frappe.utils.escape_html(details)}</span>` : ""}
			</div>
			${item.content ? `<div>${frappe.utils.escape_html(item.content)}</div>` : ""}
			${
				item.next_action
					? `<div class="text-muted">${__("Next Action")}: ${frappe.utils.escape_html(
							item.next_action
					  )}</div>`
					: ""
			}
		</div>`;
	});
	return rows.join("");
}
