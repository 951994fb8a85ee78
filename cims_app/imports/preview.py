"""The preview of a batch: the file's checks, the column mapping (saved for the user to edit) and the
first rows with their problems and what a run would do with them. Nothing but the batch is written."""

import json

import frappe
from frappe import _
from frappe.utils import escape_html

from cims_app.imports.context import FAILED, ImportContext, RowHashes
from cims_app.imports.engine import PREVIEW_ROWS, file_error_message, file_path, handler_for, limits
from cims_app.imports.reader import ImportFileError, inspect_file, iter_rows
from cims_app.imports.schema import REASON_FIELD, ROW_REF_FIELD
from cims_app.imports.template import is_example_cells


def preview_batch(batch) -> dict:
	max_mb, max_rows = limits()
	try:
		info = inspect_file(file_path(batch), max_mb, max_rows)
	except ImportFileError as error:
		frappe.throw(file_error_message(error), title=_("Cannot Import This File"))
	context = ImportContext(batch, info)
	handler = handler_for(context, write=False)
	handler.prepare()
	rows = []
	hashes = RowHashes()
	for number, cells in iter_rows(info):
		if is_example_cells(cells):
			continue
		row = context.source_row(number, cells, hashes)
		context.normalise(row)
		rows.append(row)
		if len(rows) >= PREVIEW_ROWS:
			break
	handler.process(rows)

	mapping = context.mapping
	batch.column_mapping = json.dumps(mapping.as_overrides(info.header), ensure_ascii=False, indent=1)
	missing = [
		context.labels[name]
		for name, spec in context.specs.items()
		if spec.required and name not in context.fields.values() and batch.import_type != "Update"
	]
	summary = {
		"sheet": info.sheet_name,
		"rows": max(0, info.row_bound - info.header_row),
		"mapped": {info.header[index]: name for index, name in mapping.fields.items()},
		"unmapped": [header for _index, header in mapping.unmapped],
		"ignored": [header for _index, header in mapping.ignored],
		"duplicates": [header for _index, header, _name in mapping.duplicates],
		"missing_required": missing,
		"other_sheets": info.other_sheets,
		"rows_with_problems": sum(1 for row in rows if row.status == FAILED),
	}
	batch.preview_html = render(context, rows, summary)
	batch.status = "Previewed"
	batch.save()
	return summary


def render(context: ImportContext, rows, summary: dict) -> str:
	e = escape_html
	labels = {**context.labels, ROW_REF_FIELD: _("Import Row ID"), REASON_FIELD: _("Reason")}
	parts = [
		'<div class="cims-import-preview">',
		"<p>"
		+ e(
			_("Sheet {0}: about {1} data rows. {2} columns mapped.").format(
				summary["sheet"], summary["rows"], len(summary["mapped"])
			)
		)
		+ "</p>",
	]
	warnings = []
	if summary["unmapped"]:
		warnings.append(
			_(
				"Columns not imported because no field matches them: {0}. Map them in Column Mapping or leave them out on purpose."
			).format(", ".join(summary["unmapped"]))
		)
	if summary["ignored"]:
		warnings.append(_("Columns left out by the mapping: {0}").format(", ".join(summary["ignored"])))
	if summary["duplicates"]:
		warnings.append(
			_("Columns not imported because an earlier column fills the same field: {0}").format(
				", ".join(summary["duplicates"])
			)
		)
	if summary["missing_required"]:
		warnings.append(
			_("Required fields without a column: {0}").format(", ".join(summary["missing_required"]))
		)
	if summary["other_sheets"]:
		warnings.append(
			_("Only the first sheet is imported; these sheets are not: {0}").format(
				", ".join(summary["other_sheets"])
			)
		)
	if context.wan_fields:
		warnings.append(
			_("Amounts in 万元 in the columns: {0}").format(
				", ".join(labels[name] for name in sorted(context.wan_fields))
			)
		)
	for warning in warnings:
		parts.append(
			f'<div class="alert alert-warning" style="padding:6px 10px;margin:4px 0">{e(warning)}</div>'
		)

	parts.append('<table class="table table-bordered table-sm" style="font-size:12px"><thead><tr>')
	parts.append(f"<th>{e(_('Column'))}</th><th>{e(_('Field'))}</th></tr></thead><tbody>")
	for index, header in enumerate(context.info.header):
		if header in (None, ""):
			continue
		fieldname = context.mapping.fields.get(index)
		target = (
			e(labels.get(fieldname, fieldname))
			if fieldname
			else f'<span class="text-danger">{e(_("not imported"))}</span>'
		)
		parts.append(f"<tr><td>{e(str(header))}</td><td>{target}</td></tr>")
	parts.append("</tbody></table>")

	parts.append('<table class="table table-bordered table-sm" style="font-size:12px"><thead><tr>')
	parts.append(
		f"<th>{e(_('Row'))}</th><th>{e(_('Result'))}</th><th>{e(_('Problems'))}</th></tr></thead><tbody>"
	)
	for row in rows:
		problems = context.error_text(row) if row.status == FAILED else ""
		result = _("Fails") if row.status == FAILED else (row.plan or row.message or "")
		css = ' class="text-danger"' if row.status == FAILED else ""
		parts.append(f"<tr><td>{row.number}</td><td{css}>{e(result)}</td><td>{e(problems)}</td></tr>")
	parts.append("</tbody></table></div>")
	return "".join(parts)
