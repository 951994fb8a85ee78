// Shared by the CIMS script reports: common filters, the bold total row and drill-down links.
// Each report's script pulls this file in with a Jinja include of cims_app/cims_app/report/cims_report.js
// (not spelled out here: frappe expands include tags even inside comments, recursively).

frappe.provide("cims_app.reports");

cims_app.reports.filter = {
	from_date: (months_back = 11) => ({
		fieldname: "from_date",
		label: __("From Date"),
		fieldtype: "Date",
		default: frappe.datetime.add_months(frappe.datetime.month_start(), -months_back),
	}),
	to_date: (months_ahead = 0) => ({
		fieldname: "to_date",
		label: __("To Date"),
		fieldtype: "Date",
		default: months_ahead
			? frappe.datetime.add_days(
					frappe.datetime.add_months(frappe.datetime.month_start(), months_ahead + 1),
					-1
			  )
			: frappe.datetime.get_today(),
	}),
	link: (fieldname, label, doctype) => ({ fieldname, label: __(label), fieldtype: "Link", options: doctype }),
	select: (fieldname, label, values, default_value) => ({
		fieldname,
		label: __(label),
		fieldtype: "Select",
		options: values.map((value) => ({ value, label: value ? __(value) : "" })),
		default: default_value,
	}),
	group_by: (values, default_value) =>
		cims_app.reports.filter.select("group_by", "Group By", values, default_value),
	sales_team: () => cims_app.reports.filter.link("sales_team", "Sales Team", "CIMS Sales Team"),
	user: (fieldname = "account_manager", label = "Account Manager") =>
		cims_app.reports.filter.link(fieldname, label, "User"),
	account_manager: () => cims_app.reports.filter.user(),
	region: () => cims_app.reports.filter.link("region", "Region", "CIMS Region"),
	industry: () => cims_app.reports.filter.link("industry", "Industry", "CIMS Industry"),
	customer_source: () => cims_app.reports.filter.link("customer_source", "Customer Source", "CIMS Customer Source"),
	customer_type: () =>
		cims_app.reports.filter.select("customer_type", "Customer Type", ["", "Enterprise", "Individual", "Institution"]),
	lifecycle_stage: () =>
		cims_app.reports.filter.select("lifecycle_stage", "Lifecycle Stage", [
			"",
			"Potential Customer",
			"Intent Customer",
			"Active Customer",
			"Paused Customer",
			"Churned Customer",
		]),
	value_tier: () =>
		cims_app.reports.filter.select("value_tier", "Value Tier", [
			"",
			"High Value Customer",
			"High Potential Customer",
			"Regular Customer",
		]),
	limit: () => ({ fieldname: "limit", label: __("Rows"), fieldtype: "Int", default: 500 }),
};

// The filters on the customer's own fields (CUSTOMER_FILTERS of cims_report.py) a report offers, named in
// order and separated by spaces: "sales_team region industry".
cims_app.reports.customer_filters = (names) =>
	names.split(" ").map((name) => cims_app.reports.filter[name]());

cims_app.reports.list_url = (target) => {
	const params = new URLSearchParams();
	Object.entries(target.filters || {}).forEach(([key, value]) => {
		params.append(key, Array.isArray(value) ? JSON.stringify(value) : value);
	});
	return `/app/${frappe.router.slug(target.doctype)}?${params.toString()}`;
};

// Total rows in bold and without links; cells with a drill-down target link to the filtered list.
cims_app.reports.formatter = (value, row, column, data, default_formatter) => {
	if (data && data.is_total_row) {
		const plain = Object.assign({}, column, { fieldtype: column.fieldtype === "Link" ? "Data" : column.fieldtype });
		return `<b>${default_formatter(value, row, plain, data)}</b>`;
	}
	const formatted = default_formatter(value, row, column, data);
	const target = data && data.drill && data.drill[column.fieldname];
	if (target && value) {
		return `<a href="${cims_app.reports.list_url(target)}" title="${__("Open the records")}">${formatted}</a>`;
	}
	return formatted;
};
