"""An import reads only a file its user may read: a batch pointing at another user's private file (by its
/private/files/... URL), or at a path no File record holds, is refused when saved, previewed or run, and
shows none of the file's rows."""

from types import SimpleNamespace
from urllib.parse import quote

import frappe
import pytest
from frappe.utils.file_manager import save_file

from cims_app.imports.engine import ImportRun
from tests.integration.conftest import SITE
from tests.integration.import_helpers import BATCH, workbook_bytes
from tests.integration.support import (
	PASSWORD,
	ApiClient,
	make_login_user,
	remove_users,
	server_messages,
	unique_suffix,
)

pytestmark = pytest.mark.integration

MANAGER = "CIMS Sales Manager"
SECRET = "机密客户"


def new_batch(**values):
	doc = frappe.get_doc(
		{
			"doctype": BATCH,
			"import_doctype": "CIMS Customer",
			"import_type": "Insert",
			"conflict_policy": "Fill Empty",
			**values,
		}
	)
	doc.flags.ignore_mandatory = True
	return doc.insert()


@pytest.fixture(scope="module")
def two_managers(role_users):
	"""Manager A with a private workbook attached to her own batch; manager B (committed)."""
	frappe.set_user("Administrator")
	token = unique_suffix()
	a, b = make_login_user(MANAGER, "cims-imp-a"), make_login_user(MANAGER, "cims-imp-b")
	frappe.db.commit()
	frappe.set_user(a)
	batch = new_batch()
	content = workbook_bytes(["客户名称", "手机"], [[f"{SECRET}{token}有限公司", "13800138000"]])
	file_doc = save_file(f"a-{token}.xlsx", content, BATCH, batch.name, is_private=1)
	batch.import_file = file_doc.file_url
	batch.save()
	frappe.set_user("Administrator")
	frappe.db.commit()
	world = SimpleNamespace(
		a=a, b=b, token=token, batch=batch.name, url=file_doc.file_url, file=file_doc.name
	)
	yield world
	frappe.set_user("Administrator")
	frappe.db.rollback()
	batches = frappe.get_all(BATCH, filters={"owner": ("in", [a, b])}, pluck="name")
	for name in frappe.get_all("File", {"attached_to_doctype": BATCH, "attached_to_name": ("in", batches)}):
		frappe.delete_doc("File", name.name, ignore_permissions=True, force=True)
	frappe.db.delete("CIMS Import Row", {"batch": ("in", batches or [""])})
	frappe.db.delete(BATCH, {"name": ("in", batches or [""])})
	remove_users([a, b])
	frappe.db.commit()


def test_private_file_of_another_user_is_refused_on_the_batch(two_managers):
	frappe.set_user(two_managers.b)
	with pytest.raises(frappe.PermissionError, match="may not read"):
		new_batch(import_file=two_managers.url)
	batch = new_batch()
	batch.import_file = two_managers.url
	with pytest.raises(frappe.PermissionError):
		batch.save()


def test_path_that_no_file_record_holds_is_refused(two_managers):
	frappe.set_user(two_managers.b)
	for url in ("/private/files/no-such-file.xlsx", "/private/files/../../site_config.json"):
		with pytest.raises(frappe.PermissionError):
			new_batch(import_file=url)


def test_preview_and_run_of_a_batch_pointing_at_another_users_file_read_nothing(two_managers):
	"""A batch saved before the rule (or written around it) still cannot read the file."""
	frappe.set_user(two_managers.b)
	batch = new_batch()
	frappe.db.set_value(BATCH, batch.name, "import_file", two_managers.url)
	batch.reload()
	with pytest.raises(frappe.PermissionError):
		batch.preview()
	assert frappe.db.get_value(BATCH, batch.name, ["status", "column_mapping"]) == ("Draft", None)
	result = ImportRun(batch.name).run()
	assert result["status"] == "Failed"
	assert frappe.db.get_value(BATCH, batch.name, "rows_read") == 0
	assert not frappe.db.exists("CIMS Customer", {"customer_name": ("like", f"{SECRET}%")})


def test_own_private_file_previews(two_managers):
	frappe.set_user(two_managers.a)
	summary = frappe.get_doc(BATCH, two_managers.batch).preview()
	assert summary["rows"] == 1
	assert summary["mapped"] == {"客户名称": "customer_name", "手机": "mobile_no"}
	assert frappe.db.get_value(BATCH, two_managers.batch, "status") == "Previewed"


def test_rest_refuses_a_batch_on_another_users_file_and_its_preview(two_managers, base_url):
	b = ApiClient(base_url, SITE).login(two_managers.b, PASSWORD)
	before = frappe.db.count(BATCH, {"owner": two_managers.b})
	response = b.post(
		f"/api/resource/{quote(BATCH)}",
		{
			"import_doctype": "CIMS Customer",
			"import_type": "Insert",
			"conflict_policy": "Fill Empty",
			"import_file": two_managers.url,
		},
	)
	assert response.status_code == 403, server_messages(response)
	assert "may not read" in server_messages(response)
	frappe.db.rollback()
	assert frappe.db.count(BATCH, {"owner": two_managers.b}) == before

	# A batch of B's that points at A's file anyway: its preview shows none of the file.
	frappe.set_user(two_managers.b)
	legacy = new_batch()
	frappe.db.set_value(BATCH, legacy.name, "import_file", two_managers.url)
	frappe.set_user("Administrator")
	frappe.db.commit()
	response = b.post("/api/method/cims_app.api.imports.preview", {"batch": legacy.name})
	assert response.status_code == 403, server_messages(response)
	assert SECRET not in response.text
	assert b.get(two_managers.url).status_code == 403, "the framework refuses B the file itself too"


def test_rest_accepts_a_batch_on_ones_own_upload(two_managers, base_url):
	a = ApiClient(base_url, SITE).login(two_managers.a, PASSWORD)
	response = a.post("/api/method/cims_app.api.imports.preview", {"batch": two_managers.batch})
	assert response.ok, server_messages(response)
	assert response.json()["message"]["rows"] == 1
