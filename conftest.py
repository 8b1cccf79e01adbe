"""pytest set-up for the addon's tests under pytest-odoo: a browser is required."""

import logging
import os
import shutil
from unittest import mock

import pytest


class _QuietTestFrameworkImport(logging.Filter):
    """pytest-odoo imports odoo.tests before test mode is on: not an error here."""

    def filter(self, record):
        return not record.getMessage().startswith("Importing test framework")


logging.getLogger("odoo.tests.common").addFilter(_QuietTestFrameworkImport())


@pytest.fixture(scope="session", autouse=True)
def worker_filestore(request):
    """Each pytest-xdist worker writes to a filestore of its own.

    pytest-odoo points every worker's database copy at the original database's
    filestore. Two workers writing the same file at once (the same invoice PDF,
    rendered in the same second) then read each other's half-written file. Each
    worker gets a hard-linked copy instead: Odoo never rewrites a stored file.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not request.config.getoption("--odoo-database", default=None):
        yield
        return
    request.getfixturevalue("load_registry")
    from odoo.tests.common import get_db_name
    from odoo.tools import config

    # get_db_name: 19.0's config["db_name"] is a list.
    name = get_db_name()
    original = name.removesuffix(f"-{worker}")
    root = os.path.join(config["data_dir"], "filestore")
    path = os.path.join(root, name)
    shutil.rmtree(path, ignore_errors=True)
    source = os.path.join(root, original)
    if os.path.isdir(source):
        shutil.copytree(source, path, copy_function=os.link)
    with mock.patch.object(config, "filestore", return_value=path):
        yield
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def browser_and_statics(request):
    """Fail at once without Chromium; load http statics in the main thread."""
    if request.config.getoption("--odoo-http", default=False):
        from odoo import http
        from odoo.tests.common import _find_executable

        _find_executable()  # raises SkipTest without Chromium: turned into a failure
        # Odoo 18.0 on Python 3.11: parallel asset requests fail at random unless the
        # statics map is built once, here, before the first tour starts its threads.
        # 19.0 has no such map: it reads each module's manifest once, under a cache.
        if hasattr(type(http.root), "statics"):
            assert http.root.statics
    return


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test skipped for want of a browser or websocket-client is a failure."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and call.excinfo is not None:
        reason = str(call.excinfo.value).lower()
        if any(word in reason for word in ("chrome", "websocket", "devtools")):
            report.outcome = "failed"
            report.longrepr = f"Browser tests cannot be skipped: {reason}"
