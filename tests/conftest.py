"""Shared test set-up.

- Every test gets its own record storage directory.
- CONSILIUM_STRICT=1 (set by .ci/run) turns any skip into a failure: on a newcomer's
  laptop a test that needs chromium, PostgreSQL or ../shared/data skips with its reason;
  in CI nothing may skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from pytest_django.plugin import blocking_manager_key

from tests import factories
from tests.browser_support import (  # noqa: F401 (fixture, helper)
    GATE,
    OneRequestAtATime,
    browser,
    needs_chromium,
)

# The live server for browser tests answers each request in a thread of its own; a
# persistent connection left behind by such a thread would keep PostgreSQL from dropping
# the test database at the end. Tests open connections per request instead.
settings.DATABASES["default"]["CONN_MAX_AGE"] = 0

# Background tasks run inline, at the moment they are enqueued (after the commit: use
# django_capture_on_commit_callbacks(execute=True) in a test that needs them to run).
from huey.contrib.djhuey import HUEY  # noqa: E402

HUEY.immediate = True

# The live server answers one request at a time, and none between tests: see
# tests/browser_support.Gate for why.
from django.test.testcases import LiveServerThread  # noqa: E402

LiveServerThread.server_class = OneRequestAtATime

STRICT = os.environ.get("CONSILIUM_STRICT") == "1"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CONSILIUM_STRICT=1 (CI must run every test): {reason}"


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.STORAGE_DIR = tmp_path / "records"
    # Argon2 is deliberately slow; tests create many users. Production hashing is
    # checked in tests/access/test_settings_hardening.py.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@pytest.fixture
def world(db):
    return factories.World()


# --- transactional tests and the append-only audit table -------------------------------
# A transactional test (the live server for browser tests) empties the database after
# itself; the audit triggers refuse that unless the maintenance table holds a row. The
# fixture adds the row just before the flush, and the hook below removes it after.


def _maintenance(sql: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
    # Outside a request nothing else closes this connection, and an open one would keep
    # PostgreSQL from dropping the test database at the end of the run.
    connection.close()


@pytest.fixture
def audit_flushable(transactional_db):
    # A reused test database may keep a row from an interrupted run: start locked.
    _maintenance("DELETE FROM access_audit_maintenance")
    yield
    _maintenance("INSERT INTO access_audit_maintenance (reason) VALUES ('test flush')")


@pytest.fixture(autouse=True)
def _live_server_gate(request):
    if "live_server" in request.fixturenames:
        GATE.open = True
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # Before any fixture is torn down (the browser, then the database flush), let the
    # live server finish the request it is answering and refuse the rest.
    GATE.close()
    yield
    # After the last test the test database is already gone (and with it the row).
    if nextitem is not None and "audit_flushable" in getattr(item, "fixturenames", ()):
        with item.config.stash[blocking_manager_key].unblock():
            _maintenance("DELETE FROM access_audit_maintenance")
