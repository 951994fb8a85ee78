// Copyright (c) 2026, cims_app contributors
// For license information, please see license.txt

frappe.ui.form.on("CIMS Follow-Up Template", {});
