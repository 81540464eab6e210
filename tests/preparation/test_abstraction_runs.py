"""Abstraction runs in the background after upload, records its status on the run, and
is idempotent: the same text and engine version never run twice; a new engine version
replaces the proposals nobody reviewed and keeps the reviewed ones."""

from __future__ import annotations

import pytest

from consilium.apps.access.models import AuditEvent
from consilium.apps.preparation import services
from consilium.apps.preparation.models import AbstractionRun, CaseFact
from consilium.apps.records.services import add_document
from tests import factories as f

Run = AbstractionRun.Status


def upload(world, text=f.PATHOLOGY_TEXT, name="path.txt", kind="pathology_report"):
    return add_document(
        f.actor(world.coordinator), world.case, data=text.encode(), filename=name, kind=kind
    )


def test_upload_queues_a_run_that_the_background_worker_finishes_after_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        doc = upload(world)
    run = AbstractionRun.objects.get(document=doc)
    assert run.status == Run.QUEUED and not CaseFact.objects.filter(document=doc).exists()
    assert len(callbacks) == 1

    for callback in callbacks:  # the commit: the task runs (inline in tests)
        callback()
    run.refresh_from_db()
    assert run.status == Run.DONE and run.started_at and run.finished_at
    facts = {(x.name, x.value) for x in CaseFact.objects.filter(document=doc)}
    assert {("cancer_type", "IDC"), ("ER", "positive"), ("HER2", "negative")} <= facts
    assert run.fact_count == CaseFact.objects.filter(document=doc).count()
    fact = CaseFact.objects.get(document=doc, name="ER")
    assert doc.text[fact.start : fact.end] == "ER"
    assert fact.sentence.startswith("ER positive") and fact.source == "text"
    assert AuditEvent.objects.filter(
        action="abstraction.run", channel="task", outcome="allowed", case_id=world.case.pk
    ).exists()


def test_a_record_without_text_gets_no_task(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        doc = add_document(
            f.actor(world.coordinator),
            world.case,
            data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
            filename="scan.png",
            kind="image",
        )
    assert callbacks == []
    assert not AbstractionRun.objects.filter(document=doc).exists()


def test_a_scanned_pdf_without_a_text_layer_shows_no_text(world):
    doc = f.pathology(world.case)
    doc.text, doc.text_status, doc.text_detail = "", "empty", "no text layer (needs OCR)"
    doc.save()
    run = services.queue_abstraction(doc)
    assert run.status == Run.NO_TEXT and "OCR" in run.error
    assert services.queue_abstraction(doc).pk == run.pk  # not repeated


def test_the_same_text_and_engine_never_run_twice(world, django_capture_on_commit_callbacks):
    doc = f.pathology(world.case)
    first = services.abstract_document(doc)
    count = CaseFact.objects.filter(document=doc).count()
    assert first.status == Run.DONE and count > 5
    again = services.abstract_document(doc)
    assert again.pk == first.pk
    assert AbstractionRun.objects.filter(document=doc).count() == 1
    assert CaseFact.objects.filter(document=doc).count() == count

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.rerun_abstraction(f.actor(world.coordinator), world.case)
    assert (result.queued, result.up_to_date) == (0, 1) and callbacks == []
    assert AbstractionRun.objects.filter(document=doc).count() == 1


def test_a_new_engine_version_replaces_unreviewed_proposals_and_keeps_reviewed_ones(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    doc = f.pathology(world.case)
    services.abstract_document(doc)
    er = CaseFact.objects.get(document=doc, name="ER")
    pr = CaseFact.objects.get(document=doc, name="PR")
    services.review_fact(f.actor(world.coordinator), world.case, er, "confirm")
    old_ids = set(CaseFact.objects.filter(document=doc).values_list("pk", flat=True))

    monkeypatch.setattr(services, "engine_version", lambda: "abstraction-next")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.rerun_abstraction(f.actor(world.coordinator), world.case)
    assert result.queued == 1
    runs = list(AbstractionRun.objects.filter(document=doc).order_by("pk"))
    assert [r.engine_version for r in runs][-1] == "abstraction-next"
    assert runs[-1].status == Run.DONE

    now = CaseFact.objects.filter(document=doc)
    assert er.pk in set(now.values_list("pk", flat=True))  # the reviewed fact stays
    assert not now.filter(pk=pr.pk).exists()  # the unreviewed proposal was replaced
    assert now.filter(name="PR", run=runs[-1]).exists()
    assert now.filter(name="ER").count() == 1  # the new proposal repeating it is not added
    assert not (set(now.values_list("pk", flat=True)) - {er.pk}) & old_ids


def test_a_failing_engine_marks_the_run_failed_with_the_reason(world, monkeypatch):
    doc = f.pathology(world.case)

    def boom(text, document_id=None):
        raise RuntimeError("lexicon missing")

    monkeypatch.setattr(services, "abstract", boom)
    run = services.abstract_document(doc)
    assert run.status == Run.FAILED and "lexicon missing" in run.error
    assert not CaseFact.objects.filter(document=doc).exists()
    assert AuditEvent.objects.filter(action="abstraction.run", outcome="failed").exists()
    # A failed run is retried by the next request.
    monkeypatch.undo()
    assert services.abstract_document(doc).status == Run.DONE


def test_rerun_needs_the_coordinator_and_an_open_case(world):
    from consilium.apps.access.policy import Forbidden
    from consilium.apps.cases.services import RuleError

    with pytest.raises(Forbidden):
        services.rerun_abstraction(f.actor(world.expert.user), world.case)
    world.case.status = "CLOSED"
    world.case.save()
    with pytest.raises(RuleError, match="closed"):
        services.rerun_abstraction(f.actor(world.coordinator), world.case)
