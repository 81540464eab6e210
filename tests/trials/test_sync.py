"""The incremental sync with the registry API: paging by pageToken, the since-last-update
filter, back-off on 429, 5xx and timeouts, resuming an interrupted sync. Tested on
recorded responses (httpx.MockTransport) and a local fake server: never the internet."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from consilium.apps.trials.models import RegistryRun, SyncState, Trial
from consilium.apps.trials.sync import CtgovClient, SyncError, base_url, run_sync, sync_run
from tests.conftest import SHARED_DATA
from tests.trials.fake_ctgov import FakeRegistry, serve
from tests.trials.registry import demo, study

pytestmark = pytest.mark.django_db
CTGOV = SHARED_DATA / "trials" / "ctgov-v2"


def _pages(size=8):
    records = demo()
    return [records[i : i + size] for i in range(0, len(records), size)]


class Recorded:
    """A MockTransport handler answering from canned responses, in order."""

    def __init__(self, responses):
        self.responses = list(responses)
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        answer = self.responses.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer
        return httpx.Response(status, json=body, headers=headers)


def _client(handler, waits=None, **kw):
    return CtgovClient(
        "https://registry.test/api/v2",
        transport=httpx.MockTransport(handler),
        sleep=(waits.append if waits is not None else lambda s: None),
        **kw,
    )


def test_pages_are_followed_and_the_since_filter_is_sent():
    pages = _pages()
    handler = Recorded(
        [
            (200, {"studies": pages[0], "nextPageToken": "t2", "totalCount": 22}, {}),
            (200, {"studies": pages[1], "nextPageToken": "t3"}, {}),
            (200, {"studies": pages[2]}, {}),
        ]
    )
    outcome = run_sync(_client(handler), since=dt.date(2025, 1, 1))
    assert (outcome.pages, outcome.fetched, outcome.result.new) == (3, 22, 22)
    first, second, _third = (r.url.params for r in handler.seen)
    assert first["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2025-01-01,MAX]"
    assert "cancer" in first["query.cond"] and first["format"] == "json"
    assert "pageToken" not in first and second["pageToken"] == "t2"
    state = SyncState.objects.get()
    assert state.last_synced_date == dt.date(2025, 5, 1)  # the latest update seen
    assert state.resume_page_token == ""


def test_the_next_sync_starts_from_the_last_high_water_mark():
    run_sync(_client(Recorded([(200, {"studies": demo()[:2]}, {})])))
    handler = Recorded([(200, {"studies": []}, {})])
    outcome = run_sync(_client(handler))
    assert outcome.since == dt.date(2025, 5, 1)
    assert "RANGE[2025-05-01,MAX]" in handler.seen[0].url.params["filter.advanced"]


def test_back_off_on_429_503_and_timeouts_then_success():
    waits: list[float] = []
    handler = Recorded(
        [
            (429, {"error": "slow down"}, {"Retry-After": "7"}),
            (503, {"error": "busy"}, {}),
            httpx.ReadTimeout("timed out"),
            (200, {"studies": demo()[:1]}, {}),
        ]
    )
    outcome = run_sync(_client(handler, waits, backoff=2.0))
    assert outcome.result.new == 1
    # Retry-After is honoured; otherwise 2 s doubled each attempt.
    assert waits == [7.0, 4.0, 8.0]


def test_giving_up_after_the_retries_and_refusing_other_errors():
    with pytest.raises(SyncError, match="gave up after 3 attempts"):
        run_sync(_client(Recorded([(503, {}, {})] * 3), max_retries=2))
    with pytest.raises(SyncError, match="answered 400"):
        run_sync(_client(Recorded([(400, {"error": "bad filter"}, {})])))


def test_an_interrupted_sync_resumes_from_the_page_it_reached():
    pages = _pages()
    failing = Recorded(
        [(200, {"studies": pages[0], "nextPageToken": "t2"}, {})] + [(500, {}, {})] * 3
    )
    with pytest.raises(SyncError):
        run_sync(_client(failing, max_retries=2), since=dt.date(2025, 1, 1))
    state = SyncState.objects.get()
    assert state.resume_page_token == "t2" and Trial.objects.count() == 8
    resumed = Recorded(
        [
            (200, {"studies": pages[1], "nextPageToken": "t3"}, {}),
            (200, {"studies": pages[2]}, {}),
        ]
    )
    outcome = run_sync(_client(resumed))
    assert outcome.resumed and outcome.since == dt.date(2025, 1, 1)
    assert resumed.seen[0].url.params["pageToken"] == "t2"
    assert Trial.objects.count() == 22
    assert SyncState.objects.get().resume_page_token == ""


def test_bad_records_in_a_page_are_refused_and_the_page_imports():
    bad = study("NCT09990009")
    bad["protocolSection"]["identificationModule"]["nctId"] = "bogus"
    outcome = run_sync(_client(Recorded([(200, {"studies": [study(), bad]}, {})])))
    assert outcome.result.new == 1
    (problem,) = outcome.result.refused
    assert "not an NCT number" in problem.message and "page 1" in problem.source


def test_base_url_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("CONSILIUM_CTGOV_URL", raising=False)
    assert base_url() == "https://clinicaltrials.gov/api/v2"
    monkeypatch.setenv("CONSILIUM_CTGOV_URL", "http://127.0.0.1:9/api/v2/")
    assert base_url() == "http://127.0.0.1:9/api/v2"
    assert base_url("http://x/api") == "http://x/api"


def test_the_fake_server_with_a_503_and_a_429():
    fake = FakeRegistry(_pages(), errors=[(503, {}), (429, {"Retry-After": "0"})])
    waits: list[float] = []
    with serve(fake) as url, CtgovClient(url, sleep=waits.append, backoff=0.5) as client:
        outcome = run_sync(client, since=dt.date(2024, 12, 31))
    assert outcome.fetched == 22 and Trial.objects.count() == 22
    assert waits == [0.5, 0.0]
    tokens = [r.get("pageToken") for r in fake.requests]
    assert tokens == [None, None, None, "page-2", "page-3"]
    assert all("RANGE[2024-12-31,MAX]" in r["filter.advanced"] for r in fake.requests)


def test_the_background_sync_records_its_run_and_a_failure(monkeypatch):
    fake = FakeRegistry(_pages())
    with serve(fake) as url:
        run = RegistryRun.objects.create(kind=RegistryRun.Kind.SYNC, source=url)
        done = sync_run(run.pk)
        assert done.status == "done" and done.new == 22 and done.pages == 3
        fake.fail_page = 1
        monkeypatch.setattr("consilium.apps.trials.sync.time.sleep", lambda s: None)
        failed = sync_run(RegistryRun.objects.create(kind=RegistryRun.Kind.SYNC, source=url).pk)
    assert failed.status == "failed" and "gave up" in failed.message


@pytest.mark.skipif(not CTGOV.is_dir(), reason=f"recorded API responses not found at {CTGOV}")
def test_recorded_api_pages_from_the_real_registry():
    """Two search responses the public API gave (saved by other projects): a page with a
    next page token, then a last page."""
    first = json.loads(
        (CTGOV / "RuhRuh66__step25_clinical_trials.json").read_text(encoding="utf-8-sig")
    )
    last = json.loads(
        (
            CTGOV
            / "genomoncology__biomcp__testdata_sources_ctgov_search_nsclc_egfr_l858r_20260811.json"
        ).read_text(encoding="utf-8-sig")
    )
    assert first.get("nextPageToken") and not last.get("nextPageToken")
    handler = Recorded([(200, first, {}), (200, last, {})])
    outcome = run_sync(_client(handler), since=dt.date(2020, 1, 1))
    assert outcome.pages == 2
    assert outcome.result.new + outcome.result.unchanged == len(first["studies"]) + len(
        last["studies"]
    )
    assert handler.seen[1].url.params["pageToken"] == first["nextPageToken"]
