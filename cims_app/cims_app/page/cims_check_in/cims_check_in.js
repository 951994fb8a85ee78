// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

// 签到: staff check guests in at the door from a phone. The framework's QR scanner (frappe.ui.Scanner)
// reads codes from the camera continuously; every code, or a check-in link, token or mobile number typed
// by hand when the camera cannot, goes to cims_app.api.campaign.scan_check_in, and the guest's name,
// company and status (checked in, already checked in at HH:MM, unknown code) join the list below.

frappe.pages["cims-check-in"].on_page_load = (wrapper) => {
	wrapper.cims_check_in = new CimsCheckIn(wrapper);
};

frappe.pages["cims-check-in"].on_page_show = (wrapper) => {
	wrapper.cims_check_in.load_campaigns();
};

frappe.pages["cims-check-in"].on_page_hide = (wrapper) => {
	wrapper.cims_check_in.stop_camera();
};

// The framework loads html5-qrcode from its node_modules, which a bench built from a release archive lacks;
// the app ships the same library (2.3.8, Apache-2.0) and the scanner loads that copy when needed.
class CimsQrScanner extends frappe.ui.Scanner {
	load_lib() {
		if (window.Html5Qrcode) return Promise.resolve();
		return frappe.require("/assets/cims_app/js/vendor/html5-qrcode.min.js");
	}
}

const REPEAT_SCAN_MS = 30000; // the camera reads a code in view many times a second: once is enough
const CHECK_IN_INDICATORS = { checked_in: "green", already_checked_in: "orange" };

class CimsCheckIn {
	constructor(wrapper) {
		this.page = frappe.ui.make_app_page({
			parent: wrapper,
			title: __("Campaign Check-In"),
			single_column: true,
		});
		this.recent = new Map();
		this.count = 0;
		this.campaign = this.page.add_field({
			fieldname: "campaign",
			fieldtype: "Select",
			label: __("Campaign"),
			change: () => this.choose_campaign(),
		});
		this.$body = $(`
			<div class="cims-check-in">
				<div class="cims-check-in-empty text-muted hide">${__(
					"No campaign you work on is open for check-in."
				)}</div>
				<div class="cims-check-in-camera-bar">
					<button class="btn btn-primary btn-sm cims-check-in-camera-toggle">${__(
						"Start Camera"
					)}</button>
					<span class="cims-check-in-camera-state text-muted"></span>
				</div>
				<div class="cims-check-in-camera"></div>
				<form class="cims-check-in-manual">
					<input class="form-control" name="code" autocomplete="off"
						placeholder="${__("Check-in code, link or mobile number")}">
					<button type="submit" class="btn btn-default btn-sm">${__("Check In")}</button>
				</form>
				<div class="cims-check-in-count text-muted"></div>
				<div class="cims-check-in-results"></div>
			</div>
		`).appendTo(this.page.main);
		this.$camera = this.$body.find(".cims-check-in-camera");
		this.$camera_state = this.$body.find(".cims-check-in-camera-state");
		this.$toggle = this.$body.find(".cims-check-in-camera-toggle");
		this.$results = this.$body.find(".cims-check-in-results");
		this.$toggle.on("click", () => (this.camera_on() ? this.stop_camera() : this.start_camera()));
		this.$body.find(".cims-check-in-manual").on("submit", (event) => {
			event.preventDefault();
			const $input = $(event.currentTarget).find("input");
			const code = ($input.val() || "").trim();
			if (code) {
				this.submit(code, true).then(() => $input.val("").trigger("focus"));
			}
		});
	}

	load_campaigns() {
		return frappe.call("cims_app.api.campaign.check_in_campaigns").then((r) => {
			const campaigns = r.message || [];
			const chosen = this.campaign.get_value() || localStorage.getItem("cims_check_in_campaign");
			this.campaign.df.options = campaigns.map((c) => ({
				value: c.name,
				label: c.campaign_name + (c.location ? ` · ${c.location}` : ""),
			}));
			this.campaign.refresh();
			const names = campaigns.map((c) => c.name);
			this.campaign.set_input(names.includes(chosen) ? chosen : names[0] || "");
			this.$body.find(".cims-check-in-empty").toggleClass("hide", campaigns.length > 0);
			this.$body.find(".cims-check-in-camera-bar, .cims-check-in-manual").toggleClass(
				"hide",
				!campaigns.length
			);
		});
	}

	choose_campaign() {
		const campaign = this.campaign.get_value();
		if (campaign) localStorage.setItem("cims_check_in_campaign", campaign);
		this.recent.clear();
	}

	camera_on() {
		return !!this.scanner;
	}

	start_camera() {
		this.stop_camera();
		this.$camera.empty().addClass("barcode-scanner");
		this.scanner = new CimsQrScanner({
			container: this.$camera,
			multiple: true,
			on_scan: (result) => {
				const code = (result && (result.decodedText || (result.result && result.result.text))) || "";
				if (code) this.submit(code.trim(), false);
			},
		});
		this.scanner.scan();
		this.$toggle.text(__("Stop Camera"));
		this.watch_camera();
	}

	stop_camera() {
		clearTimeout(this.camera_watch);
		if (this.scanner) this.scanner.stop_scan();
		this.scanner = null;
		this.$toggle.text(__("Start Camera"));
		this.$camera_state.text("");
		this.$body.attr("data-camera", "off");
	}

	watch_camera() {
		// The framework's scanner reports a camera that fails to start only on the console: watch its state.
		// It creates its handler once the library has loaded, and drops is_alive when the camera fails.
		clearTimeout(this.camera_watch);
		const handler = this.scanner && this.scanner.handler;
		const scanning = !!(handler && handler.getState && handler.getState() === 2);
		if (!this.scanner) return;
		if (handler && !this.scanner.is_alive) {
			this.$body.attr("data-camera", "unavailable");
			this.$camera_state.text(__("The camera is not available: type the code or mobile number below."));
			this.$toggle.text(__("Start Camera"));
			this.scanner = null;
			return;
		}
		this.$camera_state.text(scanning ? __("Scanning…") : __("Starting the camera…"));
		this.$body.attr("data-camera", scanning ? "scanning" : "starting");
		this.camera_watch = setTimeout(() => this.watch_camera(), 1000);
	}

	submit(code, typed) {
		const campaign = this.campaign.get_value();
		if (!campaign) {
			frappe.show_alert({ message: __("Choose a campaign first"), indicator: "orange" });
			return Promise.resolve();
		}
		const now = Date.now();
		if (!typed && now - (this.recent.get(code) || 0) < REPEAT_SCAN_MS) {
			return Promise.resolve();
		}
		this.recent.set(code, now);
		return frappe
			.call({
				method: "cims_app.api.campaign.scan_check_in",
				args: { campaign, code },
			})
			.then((r) => this.show(r.message));
	}

	show(result) {
		if (!result) return;
		if (result.outcome === "checked_in") {
			this.count += 1;
			this.$body
				.find(".cims-check-in-count")
				.text(__("{0} guests checked in on this device", [this.count]));
			if (navigator.vibrate) navigator.vibrate(80);
		}
		const indicator = CHECK_IN_INDICATORS[result.outcome] || "red";
		const esc = frappe.utils.escape_html;
		$(`
			<div class="cims-check-in-row" data-outcome="${esc(result.outcome)}" data-member="${esc(
			result.member || ""
		)}">
				<div class="cims-check-in-guest">
					<div class="cims-check-in-name">${esc(result.guest_name || __("Unknown guest"))}</div>
					<div class="cims-check-in-company text-muted">${esc(
						result.customer_name && result.customer_name !== result.guest_name
							? result.customer_name
							: ""
					)}</div>
				</div>
				<span class="indicator-pill ${indicator} cims-check-in-status">${esc(result.message)}</span>
			</div>
		`).prependTo(this.$results);
	}
}
