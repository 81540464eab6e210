"""An import is one transaction: when it stops part way (the database refuses a write, a
record file cannot be written, a bug), nothing of it is left behind (no facts, no
records, no record files, no timeline line) and the error says where it stopped. Run
again, the same file imports whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.models import TimelineEvent
from consilium.apps.preparation import fhir
from consilium.apps.preparation.models import AbstractionRun, CaseFact
from consilium.apps.records import storage
from consilium.apps.records.models import Document
from consilium.engines.fhir import importer, open_bytes
from tests.api.conftest import API, token_client
from tests.fhir import builders as b


@pytest.fixture
def small_batches(monkeypatch):
    # 8 resources give facts or records, in batches of 3: the first two batches are
    # written before the failure.
    monkeypatch.setattr(fhir, "BATCH_SIZE", 3)


def _source(world):
    # The DocumentReference comes last: its record is written in the last batch.
    data = json.dumps(b.bundle(b.breast_case_resources(world.member))).encode()
    return open_bytes(data, "x.json")


def _nothing_stored(world, events_before: int) -> None:
    assert not CaseFact.objects.filter(case=world.case).exists()
    assert not Document.objects.filter(case=world.case).exists()
    assert not AbstractionRun.objects.filter(case=world.case).exists()
    assert TimelineEvent.objects.filter(case=world.case).count() == events_before
    files = [p for p in Path(settings.STORAGE_DIR).rglob("*") if p.is_file()]
    assert files == []
    event = AuditEvent.objects.filter(action="fhir.import").latest("pk")
    assert event.outcome == "failed"


def test_a_failed_write_after_the_record_stores_nothing(
    world, coordinator_actor, small_batches, monkeypatch
):
    events = TimelineEvent.objects.filter(case=world.case).count()
    real = CaseFact.objects.bulk_create
    calls = []

    def bulk_create(rows, *args, **kwargs):
        calls.append(len(rows))
        if len(calls) == 3:  # the batch whose record is already written
            raise OperationalError("disk I/O error")
        return real(rows, *args, **kwargs)

    monkeypatch.setattr(CaseFact.objects, "bulk_create", bulk_create)
    files = []
    real_put = storage.put

    def put(data):
        files.append(real_put(data))
        return files[-1]

    monkeypatch.setattr(storage, "put", put)
    with pytest.raises(fhir.ImportFailed) as failed:
        fhir.import_fhir(coordinator_actor, world.case, _source(world))
    assert failed.value.message == (
        "The FHIR import of x.json stopped at x.json entry[8], writing the facts of the 2 "
        "resources read last: the database refused the write (disk I/O error). Nothing of "
        "it was stored; import it again"
    )
    # The facts of the first two batches and the record's file had been written...
    assert calls[:2] == [3, 3]
    assert [created for _sha, created in files] == [True]
    # ...and none of it is left.
    _nothing_stored(world, events)
    assert "disk I/O error" in AuditEvent.objects.filter(action="fhir.import").latest("pk").detail

    monkeypatch.setattr(CaseFact.objects, "bulk_create", real)
    report = fhir.import_fhir(coordinator_actor, world.case, _source(world))
    assert report["facts"]["created"] == CaseFact.objects.filter(case=world.case).count() == 7
    assert report["documents"]["created"] == 1


def test_a_record_file_that_cannot_be_written_stores_nothing(
    world, coordinator_actor, small_batches, monkeypatch
):
    events = TimelineEvent.objects.filter(case=world.case).count()

    def full(data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "put", full)
    with pytest.raises(fhir.ImportFailed) as failed:
        fhir.import_fhir(coordinator_actor, world.case, _source(world))
    assert failed.value.message == (
        "The FHIR import of x.json stopped at x.json entry[8] (DocumentReference/d1): a "
        "file could not be read or written (No space left on device). Nothing of it was "
        "stored; import it again"
    )
    _nothing_stored(world, events)


def test_an_unexpected_error_stores_nothing_and_says_where(world, coordinator_actor, monkeypatch):
    events = TimelineEvent.objects.filter(case=world.case).count()
    real = importer.extract

    def extract(resource, ref, where, ctx):
        if ref == "Procedure/s1":
            raise KeyError("code")
        return real(resource, ref, where, ctx)

    monkeypatch.setattr(importer, "extract", extract)
    with pytest.raises(KeyError) as failed:
        fhir.import_fhir(coordinator_actor, world.case, _source(world))
    assert failed.value.__notes__ == [
        "FHIR import of x.json at x.json entry[7] (Procedure/s1): nothing was stored"
    ]
    _nothing_stored(world, events)


def test_the_api_answers_409_with_the_reason(world, monkeypatch):
    def full(data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "put", full)
    client = token_client(world.coordinator)
    bundle = json.dumps(b.bundle(b.breast_case_resources(world.member)))
    r = client.post(
        f"{API}/cases/{world.case.pk}/fhir", bundle, content_type="application/fhir+json"
    )
    assert r.status_code == 409, r.content
    assert "No space left on device" in r.json()["detail"]
    assert "Nothing of it was stored" in r.json()["detail"]
    assert not CaseFact.objects.filter(case=world.case).exists()
