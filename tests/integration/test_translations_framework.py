"""The app's Chinese never changes what the framework's Chinese says (SPEC §1.5).

Translations are global on a site: a row of cims_app/translations/zh.csv for a string Frappe already
translates replaces Frappe's Chinese everywhere (List views, other apps' forms). So such a row must
carry exactly the framework's translation. Rows with a context (a label on one of the app's own
DocTypes) are keyed `source:DocType` and never replace the framework's global string.
"""

import frappe
import pytest
from frappe.translate import get_translations_from_apps

from tests.unit.translation_sources import FRAMEWORK_KEEPS_ENGLISH, read_rows

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def framework_zh():
	translations = get_translations_from_apps("zh", apps=["frappe"])
	assert len(translations) > 1000, "the framework's zh translations did not load"
	return translations


def test_app_rows_for_framework_strings_carry_the_framework_translation(framework_zh):
	different = [
		(source, zh, framework_zh[source])
		for source, zh, context in read_rows()
		if not context and source in framework_zh and framework_zh[source] != zh
	]
	assert not different, "rows giving a framework string another Chinese (source, ours, framework's):\n" + (
		"\n".join(map(repr, different))
	)


def test_strings_kept_in_english_are_the_ones_the_framework_keeps_in_english(framework_zh):
	assert {s: framework_zh.get(s) for s in FRAMEWORK_KEEPS_ENGLISH} == {
		s: s for s in FRAMEWORK_KEEPS_ENGLISH
	}


def test_context_rows_do_not_shadow_framework_context_rows(framework_zh):
	clashing = [
		(source, context)
		for source, zh, context in read_rows()
		if context and f"{source}:{context}" in framework_zh and framework_zh[f"{source}:{context}"] != zh
	]
	assert not clashing, clashing


def test_site_serves_the_app_translation_and_keeps_the_framework_one():
	"""On the site itself: an app string comes out in Chinese, a framework string as Frappe says it."""
	frappe.local.lang = "zh"
	frappe.translate.clear_cache()
	try:
		assert frappe._("Lifecycle Stage") == "生命周期阶段"
		assert frappe._("Potential Customer") == "潜在客户"
		framework = get_translations_from_apps("zh", apps=["frappe"])
		assert frappe._("Status") == framework["Status"]
		assert frappe._("Phone", context="CIMS Customer") == "固定电话"
		assert frappe._("Phone") == framework["Phone"]
	finally:
		frappe.local.lang = "en"
