// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

frappe.ui.form.on("CIMS Import Batch", {
	setup(frm) {
		frappe.realtime.on("cims_import_progress", (data) => {
			if (!data || data.batch !== frm.doc.name) return;
			frm.cims_last_event = Date.now();
			if (data.finished) {
				frm.dashboard.hide_progress();
				frm.reload_doc();
				return;
			}
			const counts = data.counts || {};
			const text = Object.keys(counts)
				.map((status) => `${__(status)} ${counts[status]}`)
				.join(" · ");
			show_import_progress(frm, data.percent, data.done, data.total, text);
		});
	},

	refresh(frm) {
		join_doc_room(frm);
		watch_without_realtime(frm);
		frm.add_custom_button(__("Download Template"), () => {
			window.open(
				"/api/method/cims_app.api.imports.download_template?doctype=" +
					encodeURIComponent(frm.doc.import_doctype || "CIMS Customer")
			);
		});
		if (frm.is_new() || !frm.doc.import_file) return;
		const running = ["Queued", "Running"].includes(frm.doc.status);
		if (frm.doc.status === "Interrupted") {
			// The run's process died (cims_app.background.liveness): say when and how far, and offer to resume.
			frm.set_intro(
				__("This import was interrupted at {0} after {1} rows of the file: its process stopped. Resume continues where it stopped; rows already imported are left alone.", [
					frappe.datetime.str_to_user(frm.doc.interrupted_on),
					frm.doc.rows_done || 0,
				]),
				"orange"
			);
			frm.add_custom_button(__("Resume Import"), () => frm.trigger("resume_import")).addClass("btn-primary");
		} else if (!running) {
			frm.add_custom_button(__("Preview"), () => frm.trigger("preview"));
			frm.add_custom_button(__("Start Import"), () => frm.trigger("start_import")).addClass(
				"btn-primary"
			);
		}
		if (frm.doc.failed) {
			frm.add_custom_button(__("Download Failed Rows"), () => {
				window.open(
					"/api/method/cims_app.api.imports.error_workbook?batch=" +
						encodeURIComponent(frm.doc.name)
				);
			});
		}
		if (frm.doc.import_doctype === "CIMS Customer" && frm.doc.inserted) {
			frm.trigger("show_possible_duplicates");
		}
	},

	async preview(frm) {
		if (frm.is_dirty()) await frm.save();
		await frm.call({ method: "preview", doc: frm.doc, freeze: true, freeze_message: __("Checking the file…") });
		frm.reload_doc();
	},

	async start_import(frm) {
		if (frm.is_dirty()) await frm.save();
		frappe.confirm(
			__("Import {0} rows from this file now? Rows this batch already imported are left alone.", [
				frm.doc.rows_read ? __("the remaining") : __("all"),
			]),
			async () => {
				await frm.call({ method: "start_import", doc: frm.doc });
				frm.dashboard.show_progress(__("Importing"), 0, __("Queued"));
				frm.reload_doc();
			}
		);
	},

	async resume_import(frm) {
		await frm.call({ method: "resume_import", doc: frm.doc });
		frm.dashboard.show_progress(__("Importing"), 0, __("Queued"));
		frm.reload_doc();
	},

	async show_possible_duplicates(frm) {
		const { message: rows } = await frm.call({ method: "possible_duplicates", doc: frm.doc });
		if (!rows || !rows.length) return;
		const items = rows
			.map((row) => {
				const others = JSON.parse(row.possible_duplicates || "[]");
				return others
					.map(
						(other) => `<tr>
							<td>${row.sheet_row}</td>
							<td><a href="/app/cims-customer/${encodeURIComponent(row.record)}">${frappe.utils.escape_html(row.record)}</a></td>
							<td><a href="/app/cims-customer/${encodeURIComponent(other)}">${frappe.utils.escape_html(other)}</a></td>
							<td><button class="btn btn-xs btn-default cims-merge" data-keep="${frappe.utils.escape_html(other)}"
								data-remove="${frappe.utils.escape_html(row.record)}">${__("Merge into existing")}</button></td>
						</tr>`
					)
					.join("");
			})
			.join("");
		const html = `<div class="cims-possible-duplicates">
			<p class="text-muted">${__("Possible duplicates: confirm each pair before merging; nothing was merged automatically.")}</p>
			<table class="table table-bordered table-sm"><thead><tr>
				<th>${__("Row")}</th><th>${__("Imported Customer")}</th><th>${__("Possibly Same As")}</th><th></th>
			</tr></thead><tbody>${items}</tbody></table></div>`;
		// add_section returns the section's body (the dashboard has no `wrapper` in v15).
		const section = frm.dashboard.add_section(html, __("Possible Duplicates"));
		$(section).find(".cims-merge").on("click", function () {
			const keep = $(this).attr("data-keep");
			const remove = $(this).attr("data-remove");
			frappe.confirm(__("Merge customer {0} into {1}? {0} is deleted after its records move.", [remove, keep]), () =>
				frappe
					.call("cims_app.api.customers.merge", { keep, remove, policy: "Fill Empty" })
					.then(() => {
						frappe.show_alert({ message: __("Merged {0} into {1}", [remove, keep]), indicator: "green" });
						frm.reload_doc();
					})
			);
		});
	},
});

// The framework joins a form to its document's realtime room at most once a second and drops a request
// made within that second (another form or a reload just before): ask again until the room is joined,
// or the run's progress never reaches this form.
function join_doc_room(frm) {
	const key = `${frm.doctype}:${frm.docname}`;
	const join = () => {
		if (frm.is_new() || !frappe.realtime.open_docs || frappe.realtime.open_docs.has(key)) return;
		frappe.realtime.doc_subscribe(frm.doctype, frm.docname);
		setTimeout(join, 1100);
	};
	join();
}


function show_import_progress(frm, percent, done, total, text) {
	frm.dashboard.show_progress(
		__("Importing"),
		percent,
		__("{0} of about {1} rows", [done, total]) + (text ? ` (${text})` : "")
	);
}

// Progress comes as realtime events; where none arrives (the site's socket.io is not reachable through
// its proxy, or the socket was stranded), the form reads the run's heartbeat every few seconds instead,
// so the bar still moves and the form still shows the result when the run ends.
const POLL_MS = 3000;

function watch_without_realtime(frm) {
	clearInterval(frm.cims_watch);
	if (frm.is_new() || !["Queued", "Running"].includes(frm.doc.status)) return;
	const name = frm.doc.name;
	frm.cims_watch = setInterval(async () => {
		// the form shows another batch, the run ended, or the user left the form (refresh starts it again)
		const here = frappe.get_route_str() === `Form/${frm.doctype}/${name}`;
		if (!here || frm.doc.name !== name || !["Queued", "Running"].includes(frm.doc.status)) {
			clearInterval(frm.cims_watch);
			return;
		}
		if (Date.now() - (frm.cims_last_event || 0) < POLL_MS) return;
		const { message: run } = await frappe.db.get_value("CIMS Import Batch", name, [
			"status",
			"rows_done",
			"rows_expected",
		]);
		if (!run || frm.doc.name !== name) return;
		if (!["Queued", "Running"].includes(run.status)) {
			clearInterval(frm.cims_watch);
			frm.dashboard.hide_progress();
			frm.reload_doc();
		} else if (run.rows_expected) {
			const percent = Math.min(100, Math.round((run.rows_done * 1000) / run.rows_expected) / 10);
			show_import_progress(frm, percent, run.rows_done, run.rows_expected);
		}
	}, POLL_MS);
}
