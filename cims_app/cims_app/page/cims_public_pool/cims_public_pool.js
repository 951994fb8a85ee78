// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

// 公海客户: the public pool as a page a rep works from a phone. Search, a 领取 button per customer and the
// rep's remaining claim quota, all from cims_app.api.customers.get_public_pool; claiming goes through
// cims_app.api.customers.claim, whose refusals (limit reached, same company already yours) show as its
// translated message.

frappe.pages["cims-public-pool"].on_page_load = (wrapper) => {
	wrapper.cims_pool = new CimsPublicPool(wrapper);
};

frappe.pages["cims-public-pool"].on_page_show = (wrapper) => {
	wrapper.cims_pool.refresh();
};

class CimsPublicPool {
	constructor(wrapper) {
		this.page = frappe.ui.make_app_page({
			parent: wrapper,
			title: __("Public Pool Customers"),
			single_column: true,
		});
		this.page_length = 20;
		this.start = 0;
		this.search = this.page.add_field({
			fieldname: "search",
			fieldtype: "Data",
			label: __("Search Customers"),
			placeholder: __("Search Customers"),
			change: () => this.refresh(),
		});
		this.page.set_secondary_action(__("Refresh"), () => this.refresh(), "refresh");
		this.$body = $(`
			<div class="cims-pool">
				<div class="cims-pool-quota"></div>
				<div class="cims-pool-list"></div>
				<div class="cims-pool-more hide">
					<button class="btn btn-default btn-sm">${__("Load More")}</button>
				</div>
			</div>
		`).appendTo(this.page.main);
		this.$quota = this.$body.find(".cims-pool-quota");
		this.$list = this.$body.find(".cims-pool-list");
		this.$more = this.$body.find(".cims-pool-more");
		this.$more.find("button").on("click", () => this.load(true));
		this.$list.on("click", ".cims-pool-claim", (event) => {
			const $row = $(event.currentTarget).closest(".cims-pool-row");
			this.claim($row.attr("data-name"), $row.attr("data-customer-name"));
		});
	}

	refresh() {
		this.start = 0;
		return this.load(false);
	}

	load(append) {
		return frappe
			.call({
				method: "cims_app.api.customers.get_public_pool",
				args: {
					txt: this.search.get_value() || "",
					start: append ? this.start : 0,
					page_length: this.page_length,
				},
			})
			.then((r) => {
				const result = r.message;
				this.quota = result.quota;
				this.render_quota(result);
				this.render_rows(result.customers, append);
				this.start = (append ? this.start : 0) + result.customers.length;
				this.$more.toggleClass("hide", !result.has_more);
			});
	}

	render_quota(result) {
		const quota = result.quota;
		const parts = [__("{0} customers in the public pool", [result.total])];
		if (quota && quota.remaining === null) {
			parts.push(__("You may claim without limit"));
		} else if (quota) {
			parts.push(__("You may claim {0} more (limit {1})", [quota.remaining, quota.limit]));
		}
		const colour = quota && quota.remaining === 0 ? "orange" : "blue";
		this.$quota.html(
			`<span class="indicator-pill ${colour}">${parts.map(frappe.utils.escape_html).join(" · ")}</span>`
		);
	}

	render_rows(rows, append) {
		if (!append) {
			this.$list.empty();
		}
		if (!rows.length && !append) {
			this.$list.html(`<p class="text-muted cims-pool-empty">${__("No customers in the public pool")}</p>`);
			return;
		}
		this.$list.append(rows.map((row) => this.row_html(row)).join(""));
	}

	row_html(row) {
		const escape = frappe.utils.escape_html;
		const facts = [
			row.customer_type && __(row.customer_type),
			row.lifecycle_stage && __(row.lifecycle_stage),
			row.intent_level && __(row.intent_level),
			row.region,
			row.industry,
		]
			.filter(Boolean)
			.map(escape)
			.join(" · ");
		const dates = [
			row.pool_released_on &&
				__("In the pool since {0}", [frappe.datetime.str_to_user(row.pool_released_on)]),
			row.last_follow_up_on &&
				__("Last follow-up {0}", [frappe.datetime.str_to_user(row.last_follow_up_on)]),
		]
			.filter(Boolean)
			.map(escape)
			.join(" · ");
		const can_claim = this.quota && this.quota.remaining !== 0;
		const button = this.quota
			? `<button class="btn btn-primary btn-sm cims-pool-claim" ${can_claim ? "" : "disabled"}>
					${__("Claim")}
				</button>`
			: "";
		return `<div class="cims-pool-row" data-name="${escape(row.name)}"
				data-customer-name="${escape(row.customer_name)}">
			<div class="cims-pool-info">
				<a class="cims-pool-name" href="/app/cims-customer/${encodeURIComponent(row.name)}">
					${escape(row.customer_name)}
				</a>
				<div class="text-muted small">${facts}</div>
				<div class="text-muted small">${dates}</div>
			</div>
			${button}
		</div>`;
	}

	claim(name, customer_name) {
		return frappe
			.call({
				method: "cims_app.api.customers.claim",
				args: { customer: name },
				freeze: true,
				freeze_message: __("Claiming..."),
			})
			.then(() => {
				frappe.show_alert(
					{ message: __("{0} is now your customer", [frappe.utils.escape_html(customer_name)]), indicator: "green" },
					7
				);
				return this.refresh();
			});
	}
}
