"""`bench --site SITE cims-import FILE` runs the same import from the shell and prints progress and counts."""

import re
import subprocess
from pathlib import Path

import frappe

from tests.integration.conftest import BENCH, SITE
from tests.integration.import_helpers import Imports, workbook_bytes
from tests.integration.support import unique_suffix, valid_mobile


def test_cims_import_command_imports_a_file_and_prints_the_counts(tmp_path):
	suffix = unique_suffix()
	path = tmp_path / "shell.xlsx"
	path.write_bytes(
		workbook_bytes(
			["客户名称", "联系人", "手机", "合同金额"],
			[
				[f"命令行{suffix}甲有限公司", "甲", valid_mobile(), "5"],
				[f"命令行{suffix}乙有限公司", "乙", "bad", ""],
			],
		)
	)
	tracker = Imports()
	try:
		output = subprocess.run(
			[
				str(Path(BENCH) / "env" / "bin" / "bench"),
				"--site",
				SITE,
				"cims-import",
				str(path),
				"--import-type",
				"Merge",
				"--amounts-in-wan",
				"--source-label",
				"shell test",
			],
			cwd=BENCH,
			capture_output=True,
			text=True,
			timeout=600,
		)
		batch = re.search(r"Batch (IMP-\S+):", output.stdout)
		assert batch, output.stdout + output.stderr
		tracker.batches.append(batch.group(1))
		assert "2/" in output.stdout
		assert (
			"Partially Completed: 2 rows read, 1 inserted, 0 updated, 0 merged, 0 skipped, 1 failed"
			in output.stdout
		)
		assert "Failed rows with their reasons" in output.stdout
		frappe.db.rollback()
		assert (
			frappe.db.get_value(
				"CIMS Customer", {"customer_name": f"命令行{suffix}甲有限公司"}, "contract_amount"
			)
			== 50000
		)
		assert frappe.db.get_value(
			"CIMS Import Batch", batch.group(1), ["import_type", "source_label", "amounts_in_wan"]
		) == (
			"Merge",
			"shell test",
			1,
		)
	finally:
		tracker.cleanup()
