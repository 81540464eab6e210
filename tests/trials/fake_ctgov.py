"""A local stand-in for the ClinicalTrials.gov API v2 ``/studies`` endpoint: serves pages
of studies by ``pageToken`` on 127.0.0.1, records each request, and answers with chosen
errors first (503, 429...) so retries can be seen. Never the internet."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeRegistry:
    def __init__(self, pages: list[list[dict]], errors: list[tuple[int, dict]] | None = None):
        """``pages``: the studies of each page; ``errors``: (status, headers) answered, in
        order, to the first requests before any page."""
        self.pages = pages
        self.errors = list(errors or [])
        self.requests: list[dict[str, str]] = []
        self.fail_page: int | None = None  # a page that always answers 500

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        self.requests.append({"path": path, **query})
        if path != "/api/v2/studies":
            return 404, {}, b'{"error": "not found"}'
        if self.errors:
            status, headers = self.errors.pop(0)
            return status, headers, b'{"error": "try later"}'
        token = query.get("pageToken")
        number = int(token.removeprefix("page-")) if token else 1
        if self.fail_page == number:
            return 500, {}, b"internal error"
        body: dict = {"studies": self.pages[number - 1]}
        if number < len(self.pages):
            body["nextPageToken"] = f"page-{number + 1}"
        if not token:
            body["totalCount"] = sum(len(p) for p in self.pages)
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


@contextmanager
def serve(registry: FakeRegistry) -> Iterator[str]:
    """Run the fake API on a free port; yields its base URL (…/api/v2)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            url = urlparse(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            status, headers, body = registry.answer(url.path, query)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, str(value))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep test output clean
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v2"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
