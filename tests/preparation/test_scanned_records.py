"""A scanned record's text is read by OCR in the background after upload, never in the
upload request; its facts are abstracted from that text, the record says it was read by
OCR and with what confidence, shows its progress while OCR runs, and keeps the upload
(with the reason) when Tesseract is missing or fails."""

from __future__ import annotations

import stat
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from consilium.apps.access.models import AuditEvent
from consilium.apps.preparation import services
from consilium.apps.preparation.models import AbstractionRun, CaseFact
from consilium.apps.records import services as records
from consilium.apps.records import storage
from consilium.apps.records.models import Document
from consilium.apps.records.services import add_document
from tests import factories as f
from tests import ocr_support as scans

Run = AbstractionRun.Status
Text = Document.TextStatus
MISSING = {"tesseract": "/nonexistent/bin/tesseract"}


def upload(world, data, name="outside-pathology.pdf", kind="pathology_report"):
    return add_document(f.actor(world.coordinator), world.case, data=data, filename=name, kind=kind)


def _words(text: str) -> str:
    return " ".join(text.split())


def test_a_scanned_pdf_is_read_by_ocr_in_the_background_then_abstracted(
    world, client, django_capture_on_commit_callbacks
):
    scans.needs_tesseract()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        doc = upload(world, scans.scanned_pdf(scans.REPORT))
    # The upload itself read nothing: it queued the OCR, and no abstraction yet.
    assert (doc.text, doc.text_status) == ("", Text.OCR_QUEUED)
    assert not AbstractionRun.objects.filter(document=doc).exists()
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:  # the commit: OCR runs, then queues the abstraction
            callback()
    doc.refresh_from_db()
    assert doc.text_status == Text.OCR and doc.read_by_ocr
    text = _words(doc.text)
    assert "Invasive ductal carcinoma" in text and "Estrogen receptor: positive" in text
    assert 50 < doc.ocr_confidence <= 100
    assert doc.ocr["pages"][0]["status"] == "read" and doc.ocr["spans"] == [[0, len(doc.text)]]
    assert doc.text_detail.startswith("text read by OCR, mean word confidence")

    run = AbstractionRun.objects.get(document=doc)
    assert run.status == Run.DONE
    facts = {(x.name, x.value) for x in CaseFact.objects.filter(document=doc)}
    assert {("cancer_type", "IDC"), ("ER", "positive")} <= facts
    assert AuditEvent.objects.filter(
        action="document.ocr", channel="task", outcome="allowed", object_id=str(doc.pk)
    ).exists()

    # The coordinator sees that the text came from OCR, with its confidence.
    client.force_login(world.coordinator)
    viewer = client.get(reverse("records:view", args=[world.case.pk, doc.pk])).content.decode()
    assert f"Text read by OCR, mean word confidence {doc.ocr_confidence}%." in viewer
    assert "scanned pages read by OCR" in viewer
    case_page = client.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    assert f"Read by OCR · {doc.ocr_confidence}%" in case_page
    summary = client.get(reverse("preparation:summary", args=[world.case.pk])).content.decode()
    assert f"Text read by OCR, confidence {doc.ocr_confidence}%: check it against the scan" in (
        summary
    )


def test_while_ocr_runs_the_record_shows_which_page_it_is_on(
    world, client, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []

    def slow_ocr(kind, data, *, settings, progress):
        for page in (1, 2):
            progress(page, 2)
            seen.append(Document.objects.get(pk=doc.pk).text_detail)
            panel = client.get(reverse("preparation:panel", args=[world.case.pk]))
            seen.append(panel.content.decode())
        return records.Extraction("Pathology: invasive ductal carcinoma, ER positive.", "ocr")

    monkeypatch.setattr(records, "read_with_ocr", slow_ocr)
    client.force_login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        doc = upload(world, scans.image(), name="photo.png")
    panel = client.get(reverse("preparation:panel", args=[world.case.pk])).content.decode()
    assert "Waiting for OCR" in panel and 'hx-trigger="every 3s"' in panel  # it polls
    for callback in callbacks:
        callback()
    assert seen[0] == "reading scanned pages 1/2" and seen[2] == "reading scanned pages 2/2"
    assert "Reading scanned pages 2/2</span> photo.png" in seen[3]
    doc.refresh_from_db()
    assert doc.text_status == Text.OCR


def test_without_tesseract_the_upload_is_kept_and_says_why(
    world, client, settings, django_capture_on_commit_callbacks
):
    settings.OCR = {**settings.OCR, **MISSING}
    data = scans.scanned_pdf(scans.REPORT)
    with django_capture_on_commit_callbacks(execute=True):
        doc = upload(world, data)
    doc.refresh_from_db()
    assert doc.text_status == Text.OCR_UNAVAILABLE and doc.text == ""
    why = "OCR unavailable: tesseract is not installed (Debian package tesseract-ocr)"
    assert doc.text_detail == why
    assert storage.read(doc.sha256) == data  # the file is kept as uploaded
    run = AbstractionRun.objects.get(document=doc)
    assert run.status == Run.NO_TEXT and run.error == why
    assert AuditEvent.objects.filter(
        action="document.ocr", channel="task", outcome="failed", object_id=str(doc.pk)
    ).exists()

    client.force_login(world.coordinator)
    case_page = client.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    assert "OCR unavailable" in case_page and why in case_page
    viewer = client.get(reverse("records:view", args=[world.case.pk, doc.pk])).content.decode()
    assert why in viewer and "The file is kept as uploaded" in viewer


def test_a_mixed_pdf_without_tesseract_still_abstracts_its_text_layer_page(
    world, settings, django_capture_on_commit_callbacks
):
    settings.OCR = {**settings.OCR, **MISSING}
    typed = "Clinical note. Invasive ductal carcinoma of the left breast, ER positive."
    with django_capture_on_commit_callbacks(execute=True):
        doc = upload(world, scans.mixed_pdf(typed, scans.REPORT))
    doc.refresh_from_db()
    assert doc.text_status == Text.OCR_UNAVAILABLE and typed in _words(doc.text)
    assert "page 2 not read" in doc.text_detail
    assert AbstractionRun.objects.get(document=doc).status == Run.DONE
    assert CaseFact.objects.filter(document=doc, name="ER", value="positive").exists()


def test_rerunning_the_abstraction_retries_ocr_once_it_works(
    world, settings, django_capture_on_commit_callbacks
):
    scans.needs_tesseract()
    installed = settings.OCR
    settings.OCR = {**installed, **MISSING}
    with django_capture_on_commit_callbacks(execute=True):
        doc = upload(world, scans.scanned_pdf(scans.REPORT))
    doc.refresh_from_db()
    assert doc.text_status == Text.OCR_UNAVAILABLE

    settings.OCR = installed  # tesseract-ocr installed since
    with django_capture_on_commit_callbacks(execute=True):
        result = services.rerun_abstraction(f.actor(world.coordinator), world.case)
    assert result.ocr_queued == 1 and "1 scanned record(s) queued for OCR" in result.message
    doc.refresh_from_db()
    assert doc.text_status == Text.OCR and "Invasive ductal carcinoma" in _words(doc.text)
    assert CaseFact.objects.filter(document=doc, name="ER", value="positive").exists()


def test_an_ocr_whose_worker_was_lost_is_started_again_by_a_rerun(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        doc = upload(world, scans.image(), name="photo.png")
    actor = f.actor(world.coordinator)
    fresh = services.rerun_abstraction(actor, world.case)
    assert (fresh.ocr_queued, fresh.in_progress) == (0, 1)  # queued a moment ago: waiting

    # Its worker died mid-way hours ago: the record would say "running" for ever.
    hours_ago = (timezone.now() - timedelta(hours=3)).isoformat()
    Document.objects.filter(pk=doc.pk).update(
        text_status=Text.OCR_RUNNING, metadata={"ocr_queued_at": hours_ago}
    )
    monkeypatch.setattr(
        records, "read_with_ocr", lambda *a, **k: records.Extraction("ER positive.", "ocr")
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.rerun_abstraction(actor, world.case)
    assert result.ocr_queued == 1
    doc.refresh_from_db()
    assert (doc.text_status, doc.text) == (Text.OCR, "ER positive.")
    assert "ocr_queued_at" not in doc.metadata


def test_a_failing_tesseract_keeps_the_record_with_the_reason(
    world, tmp_path, settings, django_capture_on_commit_callbacks
):
    fake = tmp_path / "tesseract"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--list-langs" ]; then printf "List of languages:\\neng\\n"; exit 0; fi\n'
        'echo "Error in pixReadStream: cannot read the page" >&2\nexit 1\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    settings.OCR = {**settings.OCR, "tesseract": str(fake)}
    with django_capture_on_commit_callbacks(execute=True):
        doc = upload(world, scans.fax_tiff(), name="fax.tif")
    doc.refresh_from_db()
    assert doc.file_type == "tiff" and doc.text_status == Text.OCR_FAILED
    assert doc.text_detail == (
        "OCR failed on page 1: tesseract failed: Error in pixReadStream: cannot read the page"
    )
    assert Document.objects.filter(pk=doc.pk).exists()
    assert AbstractionRun.objects.get(document=doc).status == Run.NO_TEXT


def test_an_image_filed_as_a_picture_is_not_read(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        doc = upload(world, scans.image(), name="lesion.png", kind="image")
    assert callbacks == []
    assert doc.text_status == Text.NOT_APPLICABLE and "not read" in doc.text_detail
