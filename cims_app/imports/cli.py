"""`bench --site SITE cims-import FILE`: the Excel import of a CIMS Import Batch, from the shell."""

import os
import sys

import click
import frappe
from frappe.commands import pass_context
from frappe.exceptions import SiteNotSpecifiedError

from cims_app.domain.merge_policy import POLICIES


def _(message: str) -> str:
	"""frappe._ once a site is connected; the English text while bench builds its help without one."""
	return frappe._(message) if getattr(frappe.local, "site", None) else message


@click.command(
	"cims-import", help=_("Import customers, contacts, follow-ups or opportunities from an .xlsx file")
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False), required=False)
@click.option(
	"--doctype",
	type=click.Choice(["CIMS Customer", "Contact", "CIMS Follow-Up", "CIMS Opportunity"]),
	default="CIMS Customer",
	show_default=True,
	help=_("What the rows are"),
)
@click.option(
	"--import-type",
	type=click.Choice(["Insert", "Update", "Merge"]),
	default="Insert",
	show_default=True,
	help=_(
		"Insert new records, Update existing ones, or Merge (update the ones that exist, insert the rest)"
	),
)
@click.option(
	"--conflict-policy",
	type=click.Choice([*POLICIES, "Skip"]),  # "Skip": the name before "Keep Existing"
	default="Fill Empty",
	show_default=True,
	help=_(
		"What happens to values of records that exist: fill empty fields only, overwrite, or keep the existing record and skip the row"
	),
)
@click.option("--source-label", default="", help=_("Where the file comes from (kept on the batch)"))
@click.option("--amounts-in-wan", is_flag=True, default=False, help=_("Amounts in the file are in 万元"))
@click.option(
	"--batch",
	"batch_name",
	default=None,
	help=_(
		"Run an existing batch again: with FILE, on that file; without, resume it on its own file (an interrupted import continues where it stopped)"
	),
)
@click.option(
	"--user", default="Administrator", show_default=True, help=_("Import as this user (owner of the records)")
)
@pass_context
def cims_import(
	context, file, doctype, import_type, conflict_policy, source_label, amounts_in_wan, batch_name, user
):
	if not context.sites:
		raise SiteNotSpecifiedError
	if not file and not batch_name:
		raise click.UsageError(_("Give the FILE to import, or --batch to resume an existing batch"))
	exit_code = 0
	for site in context.sites:
		frappe.init(site=site)
		frappe.connect()
		try:
			frappe.set_user(user)
			frappe.local.lang = frappe.db.get_default("lang") or "en"
			result = run_file(
				file,
				doctype=doctype,
				import_type=import_type,
				conflict_policy=conflict_policy,
				source_label=source_label,
				amounts_in_wan=amounts_in_wan,
				batch_name=batch_name,
				echo=click.echo,
			)
			if result.get("status") == "Failed":
				exit_code = 1
		finally:
			frappe.destroy()
	sys.exit(exit_code)


def run_file(
	path: str | None,
	doctype: str = "CIMS Customer",
	import_type: str = "Insert",
	conflict_policy: str = "Fill Empty",
	source_label: str = "",
	amounts_in_wan: bool = False,
	batch_name: str | None = None,
	echo=print,
) -> dict:
	"""Attach `path` to a new (or the given) batch, run it in this process and print progress and counts.
	Without `path`, the given batch runs again on its own file: an interrupted batch resumes where its
	ledger says. A batch whose run is alive (in a worker or another shell) is refused."""
	from frappe.utils.file_manager import save_file

	from cims_app.imports.interruptions import claim_batch

	if batch_name:
		batch = frappe.get_doc("CIMS Import Batch", batch_name)
		claim_batch(batch.name)
		frappe.db.commit()
	if not path:
		echo(_("Batch {0}: resuming ({1} rows in the batch so far)").format(batch.name, batch.rows_read))
		return _run(batch, echo)
	with open(path, "rb") as handle:
		content = handle.read()
	if not batch_name:
		batch = frappe.get_doc(
			{
				"doctype": "CIMS Import Batch",
				"import_doctype": doctype,
				"import_type": import_type,
				"conflict_policy": conflict_policy,
				"source_label": source_label,
				"amounts_in_wan": 1 if amounts_in_wan else 0,
			}
		)
		batch.flags.ignore_mandatory = True
		batch.insert()
	file_doc = save_file(os.path.basename(path), content, batch.doctype, batch.name, is_private=1)
	batch.import_file = file_doc.file_url
	batch.column_mapping = None
	batch.save()
	frappe.db.commit()
	echo(
		_("Batch {0}: importing {1} into {2} ({3}, {4})").format(
			batch.name, path, _(doctype), _(batch.import_type), _(batch.conflict_policy)
		)
	)
	return _run(batch, echo)


def _run(batch, echo) -> dict:
	from cims_app.imports.engine import ImportRun

	def progress(done: int, total: int, counts: dict) -> None:
		summary = ", ".join(f"{_(status)} {count}" for status, count in sorted(counts.items()))
		echo(_("{0}/{1} rows ({2})").format(done, total, summary))

	result = ImportRun(batch.name, progress=progress).run()
	batch.reload()
	if result.get("status") == "Failed" and not batch.rows_read:
		echo(batch.log.splitlines()[-1] if batch.log else result.get("message", ""))
	echo(
		_("{0}: {1} rows read, {2} inserted, {3} updated, {4} merged, {5} skipped, {6} failed").format(
			batch.status,
			batch.rows_read,
			batch.inserted,
			batch.updated,
			batch.merged,
			batch.skipped,
			batch.failed,
		)
	)
	if batch.error_file:
		echo(_("Failed rows with their reasons: {0}").format(batch.error_file))
	return result
