"""Keeping the registry current from the ClinicalTrials.gov API v2.

``CtgovClient`` asks ``GET {base}/studies`` for cancer studies updated since a date
(``filter.advanced=AREA[LastUpdatePostDate]RANGE[date,MAX]``), page by page
(``pageToken``), and retries with exponential back-off on 429, 5xx, timeouts and broken
connections (honouring ``Retry-After``). ``run_sync`` imports each page in its own
transaction together with the cursor, so a sync that stops half way resumes from the
page it reached; a completed sync moves the high-water mark to the latest update date it
saw, and the next sync starts from there (the boundary day is fetched again; import is
idempotent).

Base URL: ``--url``, else ``CONSILIUM_CTGOV_URL``, else https://clinicaltrials.gov/api/v2.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
from django.db import transaction
from django.utils import timezone

from consilium.apps.trials import services
from consilium.apps.trials.models import RegistryRun, SyncState
from consilium.engines.trials import ctgov

DEFAULT_URL = "https://clinicaltrials.gov/api/v2"
# The registry's condition search for cancer: the words its own "cancer" searches expand
# to, as a condition query (the API's query.cond field).
CANCER_QUERY = (
    "cancer OR neoplasm OR tumor OR carcinoma OR malignancy OR lymphoma OR leukemia "
    "OR myeloma OR sarcoma OR melanoma OR glioma OR blastoma"
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def base_url(explicit: str | None = None) -> str:
    return (explicit or os.environ.get("CONSILIUM_CTGOV_URL") or DEFAULT_URL).rstrip("/")


class SyncError(Exception):
    """The registry could not be read: the message says what answered what."""


@dataclass(frozen=True)
class FetchedPage:
    number: int
    records: list
    next_page_token: str | None
    total: int | None
    token: str | None  # the token this page was asked for with (None for the first)


class CtgovClient:
    def __init__(
        self,
        base: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        page_size: int = 100,
        timeout: float = 30.0,
        max_retries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        sleep: Callable[[float], None] | None = None,
        query: str = CANCER_QUERY,
    ):
        self.base = base_url(base)
        self.page_size = page_size
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        # Looked up at each wait (not bound here), so a test can replace time.sleep.
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))
        self.query = query
        self.waits: list[float] = []  # every back-off taken, for the log and tests
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": "consilium-trials-sync"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CtgovClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def params(self, since: dt.date | None, page_token: str | None) -> dict[str, str]:
        params = {"format": "json", "pageSize": str(self.page_size), "query.cond": self.query}
        if since is not None:
            params["filter.advanced"] = f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]"
        if page_token:
            params["pageToken"] = page_token
        else:
            params["countTotal"] = "true"
        return params

    def get_page(self, since: dt.date | None, page_token: str | None) -> dict:
        url = f"{self.base}/studies"
        params = self.params(since, page_token)
        attempt = 0
        while True:
            try:
                response = self._http.get(url, params=params)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
                retry_after = None
            else:
                if response.status_code == 200:
                    try:
                        return response.json()
                    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                        raise SyncError(
                            f"{url} answered 200 with something not JSON: {exc}"
                        ) from None
                if response.status_code not in RETRY_STATUSES:
                    raise SyncError(
                        f"{url} answered {response.status_code}: {response.text[:300].strip()}"
                    )
                problem = f"HTTP {response.status_code}"
                retry_after = _retry_after(response.headers.get("Retry-After"))
            if attempt >= self.max_retries:
                raise SyncError(f"{url}: gave up after {attempt + 1} attempts ({problem})")
            wait = min(
                self.max_backoff,
                retry_after if retry_after is not None else self.backoff * (2**attempt),
            )
            self.waits.append(wait)
            self.sleep(wait)
            attempt += 1

    def pages(self, since: dt.date | None, page_token: str | None = None) -> Iterator[FetchedPage]:
        number = 0
        token = page_token
        while True:
            number += 1
            data = self.get_page(since, token)
            try:
                page = ctgov.records_of(data)
            except ctgov.RecordError as exc:
                raise SyncError(f"page {number} is not a studies page: {exc}") from None
            yield FetchedPage(number, page.records, page.next_page_token, page.total, token)
            if not page.next_page_token:
                return
            token = page.next_page_token


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to the back-off schedule


@dataclass
class SyncOutcome:
    since: dt.date | None
    resumed: bool
    pages: int
    fetched: int
    result: services.ImportResult
    high_water: dt.date | None


def run_sync(
    client: CtgovClient,
    *,
    since: dt.date | None = None,
    run: RegistryRun | None = None,
    report: Callable[[str], None] | None = None,
) -> SyncOutcome:
    """Fetch and import every page. Without ``since``: resume an interrupted sync, or
    start from the last completed one's high-water mark (everything the first time)."""
    state, _ = SyncState.objects.get_or_create(name="ctgov")
    resumed = False
    token = None
    high_water = None
    if since is None and state.resume_page_token and state.base_url == client.base:
        since, token, high_water = (
            state.resume_since,
            state.resume_page_token,
            state.resume_high_water,
        )
        resumed = True
    elif since is None:
        since = state.last_synced_date
    say = report or (lambda _msg: None)
    say(
        ("Resuming" if resumed else "Syncing")
        + f" from {client.base} (updated since {since.isoformat() if since else 'the beginning'})"
    )
    outcome = SyncOutcome(since, resumed, 0, 0, services.ImportResult(), high_water)
    if run is not None:
        run.status, run.started_at, run.since = RegistryRun.Status.RUNNING, timezone.now(), since
        run.source = client.base
        run.save(update_fields=["status", "started_at", "since", "source"])
    for page in client.pages(since, token):
        parsed = list(ctgov.parse_records(page.records, f"{client.base} page {page.number}"))
        dates = [p.study.last_update for p in parsed if p.study and p.study.last_update]
        if dates:
            top = max(dates)
            outcome.high_water = max(outcome.high_water, top) if outcome.high_water else top
        with transaction.atomic():
            result = services.import_parsed(parsed, source=f"sync {client.base}")
            state.base_url = client.base
            state.resume_since = since
            state.resume_page_token = page.next_page_token or ""
            state.resume_high_water = outcome.high_water
            state.save()
        outcome.pages += 1
        outcome.fetched += len(page.records)
        outcome.result.add(result)
        total = f" of {page.total}" if page.total is not None else ""
        say(f"page {page.number}: {len(page.records)} studies{total}: {result.summary()}")
        if run is not None:
            _record(run, outcome)
    state.last_synced_date = (
        max(d for d in (state.last_synced_date, outcome.high_water) if d)
        if (state.last_synced_date or outcome.high_water)
        else None
    )
    state.last_completed_at = timezone.now()
    state.resume_page_token = ""
    state.resume_since = None
    state.resume_high_water = None
    state.base_url = client.base
    state.save()
    return outcome


def _record(run: RegistryRun, outcome: SyncOutcome) -> None:
    r = outcome.result
    run.pages, run.fetched = outcome.pages, outcome.fetched
    run.new, run.updated, run.unchanged, run.refused = r.new, r.updated, r.unchanged, len(r.refused)
    run.problems = [str(p) for p in r.refused[:500]]
    run.save(
        update_fields=[
            "pages",
            "fetched",
            "new",
            "updated",
            "unchanged",
            "refused",
            "problems",
        ]
    )


def sync_run(run_id: int, url: str | None = None, since: dt.date | None = None) -> RegistryRun:
    """Run a queued sync and record how it went on the run (the page shows it)."""
    run = RegistryRun.objects.get(pk=run_id)
    try:
        with CtgovClient(url or run.source or None) as client:
            outcome = run_sync(client, since=since or run.since, run=run)
    except (SyncError, httpx.HTTPError) as exc:
        run.status, run.message = RegistryRun.Status.FAILED, str(exc)[:2000]
    except Exception as exc:  # recorded for the page; the worker logs the trace too
        run.status, run.message = RegistryRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "message", "finished_at"])
        raise
    else:
        _record(run, outcome)
        run.status = RegistryRun.Status.DONE
        run.message = (
            f"{outcome.pages} page(s), {outcome.fetched} studies: {outcome.result.summary()}"
        )
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "message", "finished_at"])
    return run
