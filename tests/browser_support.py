"""Driving Debian's chromium through Playwright: the ``browser`` fixture (registered in
tests/conftest.py, so every test module may ask for it), a signed-in ``Session``, and the
live server's ``GATE``."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer

from tests import factories as f

CHROMIUM = os.environ.get("CONSILIUM_CHROMIUM", "/usr/bin/chromium")


def needs_chromium() -> str:
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(monkeypatch, django_db_setup):
    # Requesting the test database before the (session-wide) live server makes pytest tear
    # the server down first, so its thread's connection is gone when PostgreSQL drops the
    # test database.
    executable = needs_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop in this thread; the test still reads the
    # database directly between steps, which Django would otherwise refuse.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Session:
    """One person signed in, in their own browser context."""

    def __init__(self, browser, base: str, username: str):
        from playwright.sync_api import expect

        self.expect = expect
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.page.goto(f"{base}/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(f.PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()

    def click(self, name: str) -> None:
        # The case page loads its panels after the page itself; the test server shares
        # one SQLite connection between its threads, so let those requests finish first.
        self.page.wait_for_load_state("networkidle")
        self.page.get_by_role("button", name=name, exact=True).click()
        self.page.wait_for_load_state("networkidle")

    def should_see(self, text: str) -> None:
        self.expect(self.page.get_by_text(text).first).to_be_visible()

    def close(self) -> None:
        sign_out = self.page.get_by_role("button", name="Sign out")
        if not sign_out.count():  # a standalone report page has no site header
            self.page.goto(f"{self.base}/")
        sign_out.click()
        self.expect(self.page.get_by_role("heading", name="Sign in")).to_be_visible()
        self.context.close()


class Gate:
    """The live server's turn at the database, and whether it may take one.

    On SQLite the test database lives in memory, and the live server shares the test's
    one connection to it. Two requests at once on that connection interleave their
    transactions ("cannot commit transaction - SQL statements in progress"), and a
    request still running when the test ends collides with the flush that empties the
    database ("database table is locked"); under load both happened. So the server
    answers one request at a time, and between tests it answers none."""

    def __init__(self) -> None:
        self.turn = threading.Lock()
        self.open = False

    def close(self) -> None:
        """Wait for the request being answered, then refuse the rest (the test ended)."""
        with self.turn:
            self.open = False


GATE = Gate()


class OneRequestAtATime(WSGIServer):
    """Django's live server without its thread per request; a closed ``GATE`` drops
    the connection unanswered. Each response closes its connection (Django does so for
    a server without threads), so one browser tab cannot hold the server."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override

    def process_request(self, request, client_address):
        with GATE.turn:
            if GATE.open:
                super().process_request(request, client_address)
            else:
                self.shutdown_request(request)
