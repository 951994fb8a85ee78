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
				// no fade: Bootstrap ignores hide() while a dialog fades in, and a quick click left it open
				animate: false,
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
				// no fade: Bootstrap ignores hide() while a dialog fades in, and a quick click left it open
				animate: false,
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
							{ value: "Keep Existing", label: __("Keep Existing") },
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

// Glance panel (issue 16): what a rep reads first, at the top of the form and above the fold on a phone: who
// to call (tap to call, copy WeChat), stage, tier and churn risk with its reasons, the last and next
// follow-up, open opportunities with amounts, and one button to log a follow-up. One call:
// cims_app.api.customer_profile.get_glance.
frappe.ui.form.on("CIMS Customer", {
	refresh(frm) {
		cims_render_glance(frm);
	},
});

frappe.dom.set_style(
	`.cims-glance > div, .cims-glance-grid > div { margin-bottom: 8px; }
	.cims-glance-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); column-gap: 24px; }
	.cims-glance-pills .indicator-pill { margin: 0 4px 4px 0; }
	.cims-glance-actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 6px; }
	.cims-glance-actions .btn { min-height: 36px; display: inline-flex; align-items: center; gap: 4px; }
	.cims-glance-contact-name { font-weight: 600; font-size: var(--text-md); }
	.cims-glance-opportunities ul { margin: 4px 0 0; padding-left: 18px; }
	.cims-glance-excerpt { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
	.cims-follow-up-toolbar { margin-bottom: 8px; }`,
	"cims-glance-style"
);

const CIMS_GLANCE_COLOURS = {
	"Potential Customer": "gray",
	"Intent Customer": "blue",
	"Active Customer": "green",
	"Paused Customer": "orange",
	"Churned Customer": "red",
	"High Value Customer": "purple",
	"High Potential Customer": "cyan",
	High: "red",
	Medium: "orange",
	Low: "yellow",
};

function cims_render_glance(frm) {
	if (frm.is_new()) {
		return;
	}
	const $body = frm.dashboard.add_section(
		`<div class="cims-glance text-muted">${__("Loading...")}</div>`,
		null,
		"custom cims-glance-section"
	);
	// First in the dashboard, above the timeline and the framework's own sections.
	$body.closest(".form-dashboard-section").prependTo(frm.dashboard.parent);
	frm.dashboard.show();
	frappe
		.xcall("cims_app.api.customer_profile.get_glance", { customer: frm.doc.name })
		.then((glance) => {
			const $glance = $body.find(".cims-glance").removeClass("text-muted").html(cims_glance_html(glance));
			$glance.find(".cims-glance-copy-wechat").on("click", (event) => {
				frappe.utils.copy_to_clipboard($(event.currentTarget).attr("data-wechat"));
			});
			$glance.find(".cims-glance-log").on("click", () => {
				cims_log_follow_up(frm, glance.contacts.length ? glance.contacts[0].name : null);
			});
		});
}

function cims_log_follow_up(frm, contact) {
	// The quick entry takes its values from route options; the rep stays on the customer, whose glance shows
	// the new follow-up once saved.
	frappe.model.with_doctype("CIMS Follow-Up", () => {
		frappe.route_options = { customer: frm.doc.name, ...(contact ? { contact } : {}) };
		frappe.ui.form.make_quick_entry("CIMS Follow-Up", (doc) => {
			frappe.show_alert({ message: __("Follow-up {0} recorded", [doc.name]), indicator: "green" }, 5);
			frm.reload_doc();
		});
	});
}

function cims_glance_html(glance) {
	const escape = frappe.utils.escape_html;
	const pill = (value, extra = "") =>
		value
			? `<span class="indicator-pill ${CIMS_GLANCE_COLOURS[value] || "gray"}">${escape(__(value))}${extra}</span>`
			: "";
	const risky = glance.churn_risk && CIMS_GLANCE_COLOURS[glance.churn_risk];
	const pills = [
		pill(glance.lifecycle_stage),
		pill(glance.value_tier),
		risky ? pill(glance.churn_risk, ` ${escape(__("Churn Risk"))} ${glance.churn_risk_score || 0}`) : "",
		glance.in_public_pool ? pill(__("Public Pool")) : "",
	].join(" ");
	const reasons =
		risky && glance.churn_reasons
			? `<div class="cims-glance-reasons small">${escape(__("Churn Reasons"))}: ${escape(glance.churn_reasons)}</div>`
			: "";
	return `
		<div class="cims-glance-pills">${pills}</div>
		${reasons}
		<div class="cims-glance-grid">
			${cims_glance_contact_html(glance.contacts)}
			<div class="cims-glance-follow-ups small">
				${cims_glance_follow_up_html(__("Last Follow-Up"), glance.last_follow_up)}
				${cims_glance_follow_up_html(__("Next Follow-Up"), glance.next_follow_up)}
			</div>
			${cims_glance_opportunities_html(glance)}
		</div>
		<button class="btn btn-primary btn-sm cims-glance-log">${__("Log Follow-Up")}</button>
	`;
}

function cims_glance_contact_html(contacts) {
	const escape = frappe.utils.escape_html;
	if (!contacts.length) {
		return `<div class="cims-glance-contact text-muted small">${__("No contacts yet: add one under Contacts")}</div>`;
	}
	const contact = contacts[0];
	const name = contact.full_name || contact.first_name || contact.name;
	const details = [
		contact.cims_contact_role && __(contact.cims_contact_role),
		contact.designation,
		contact.cims_is_key_contact ? __("Key Contact") : "",
	].filter(Boolean);
	const number = contact.mobile_no || contact.phone;
	const call = number
		? `<a class="btn btn-default btn-sm cims-glance-call" href="tel:${encodeURIComponent(number)}">
				${frappe.utils.icon("call", "sm")} ${escape(number)}</a>`
		: "";
	const wechat = contact.cims_wechat
		? `<button class="btn btn-default btn-sm cims-glance-copy-wechat" data-wechat="${escape(contact.cims_wechat)}">
				${escape(__("Copy WeChat"))} ${escape(contact.cims_wechat)}</button>`
		: "";
	const others = contacts.slice(1).map(
		(other) =>
			`<a href="/app/contact/${encodeURIComponent(other.name)}">${escape(
				other.full_name || other.first_name || other.name
			)}</a>${other.mobile_no ? ` <a href="tel:${encodeURIComponent(other.mobile_no)}">${escape(other.mobile_no)}</a>` : ""}`
	);
	return `
		<div class="cims-glance-contact">
			<div>
				<a class="cims-glance-contact-name" href="/app/contact/${encodeURIComponent(contact.name)}">${escape(name)}</a>
				<span class="text-muted small">${escape(details.join(" · "))}</span>
			</div>
			<div class="cims-glance-actions">${call}${wechat}</div>
			${others.length ? `<div class="small text-muted">${__("Other Contacts")}: ${others.join(" · ")}</div>` : ""}
		</div>`;
}

function cims_glance_follow_up_html(label, follow_up) {
	const escape = frappe.utils.escape_html;
	if (!follow_up) {
		return `<div><span class="text-muted">${escape(label)}:</span> ${escape(__("None yet"))}</div>`;
	}
	const facts = [
		frappe.datetime.str_to_user(follow_up.when).slice(0, 16), // to the minute
		__(follow_up.follow_up_type),
		follow_up.result && __(follow_up.result),
	].filter(Boolean);
	const overdue = follow_up.overdue ? ` <span class="indicator-pill red">${escape(__("Overdue"))}</span>` : "";
	return `<div>
		<span class="text-muted">${escape(label)}:</span>
		<a href="/app/cims-follow-up/${encodeURIComponent(follow_up.name)}">${escape(facts.join(" · "))}</a>${overdue}
		${follow_up.excerpt ? `<div class="text-muted cims-glance-excerpt">${escape(follow_up.excerpt)}</div>` : ""}
	</div>`;
}

function cims_glance_opportunities_html(glance) {
	const escape = frappe.utils.escape_html;
	const money = (value) => format_currency(value || 0);
	if (!glance.open_opportunity_count) {
		return `<div class="cims-glance-opportunities small"><span class="text-muted">${escape(
			__("Open Opportunities")
		)}:</span> ${escape(__("None yet"))}</div>`;
	}
	const rows = glance.open_opportunities.map(
		(row) => `<li>
			<a href="/app/cims-opportunity/${encodeURIComponent(row.name)}">${escape(row.opportunity_title || row.name)}</a>
			<span class="text-muted">${escape(row.sales_stage || "")}</span>
			<b>${escape(money(row.expected_amount))}</b>
		</li>`
	);
	return `<div class="cims-glance-opportunities small">
		<span class="text-muted">${escape(
			__("{0} open opportunities, {1} in all", [glance.open_opportunity_count, money(glance.open_opportunity_amount)])
		)}</span>
		<ul>${rows.join("")}</ul>
	</div>`;
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
	// The filters wait behind a 筛选 button: the rep reads the follow-ups first.
	const $section = frm.dashboard.add_section(
		`<div class="cims-follow-up-toolbar">
			<button class="btn btn-default btn-xs cims-follow-up-filter-toggle">${__("Filter Follow-Ups")}</button>
		</div>
		<div class="cims-follow-up-filters row hide"></div>
		<div class="cims-follow-up-items"></div>`,
		__("Follow-Up Timeline")
	);
	frm.dashboard.show();
	const filters = {};
	const $filters = $section.find(".cims-follow-up-filters");
	const $items = $section.find(".cims-follow-up-items");
	$section.find(".cims-follow-up-filter-toggle").on("click", () => $filters.toggleClass("hide"));
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
			{ value: "Called Off", label: __("Called Off") },
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
	const colours = { Planned: "blue", Completed: "green", "Called Off": "gray" };
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
