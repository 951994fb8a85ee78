"""In CI (CI=true), an integration or browser test that cannot run is a failure, not a skip: a missing
site, browser or tool there is a broken install step, and must not land unnoticed."""

import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent
MUST_RUN = (HERE / "integration", HERE / "e2e")


def _in_ci() -> bool:
	return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _must_run(path) -> bool:
	return any(Path(str(path)).is_relative_to(folder) for folder in MUST_RUN)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
	outcome = yield
	report = outcome.get_result()
	if report.skipped and _in_ci() and _must_run(item.fspath) and not hasattr(report, "wasxfail"):
		report.outcome = "failed"
		reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
		report.longrepr = f"skipped in CI, where every test must run: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
	outcome = yield
	report = outcome.get_result()
	if report.skipped and _in_ci() and _must_run(collector.path):
		report.outcome = "failed"
		reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
		report.longrepr = f"skipped in CI, where every test must run: {reason}"
