"""The demo has one scanned record: an intake case's pathology report arrives as a fax (an
image-only PDF drawn at seed time). Seeding does not wait for OCR: the record is queued,
and the background reads it after the commit, so the case shows "Read by OCR · NN%" and
the report's facts; without Tesseract the record says why it could not be read."""

from __future__ import annotations

from django.urls import reverse

from consilium.apps.accounts.models import User
from consilium.apps.demo import seed
from consilium.apps.preparation.models import CaseFact
from consilium.apps.records import storage
from consilium.apps.records.models import Document
from consilium.engines.records.filetypes import FileType
from consilium.engines.records.text import extract_text
from tests import ocr_support as scans

Text = Document.TextStatus


def _scan(result) -> Document:
    (doc,) = Document.objects.filter(
        case__program=result.demo.program, original_name__endswith="-fax.pdf"
    )
    return doc


def test_seeding_queues_the_fax_without_reading_it(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = seed.seed(seed=7, cases=12)
    doc = _scan(result)
    assert (doc.text, doc.text_status, doc.kind) == ("", Text.OCR_QUEUED, "pathology_report")
    assert doc.case.status == "INTAKE" and "ocr_queued_at" in doc.metadata
    assert len(callbacks) == 1  # the OCR task, enqueued once the seed has committed
    data = storage.read(doc.sha256)
    assert doc.file_type == FileType.PDF and len(data) < 200_000  # a small fax-like file
    first = extract_text(FileType.PDF, data)
    assert (first.status, first.text) == ("needs_ocr", "")  # no text layer: only OCR reads it


def test_the_background_reads_the_fax_and_the_case_shows_it(
    db, client, django_capture_on_commit_callbacks
):
    scans.needs_tesseract()
    with django_capture_on_commit_callbacks(execute=True):
        result = seed.seed(seed=7, cases=12)
    doc = _scan(result)
    doc.refresh_from_db()
    assert doc.text_status == Text.OCR and 80 <= doc.ocr_confidence <= 100
    assert "SURGICAL PATHOLOGY REPORT" in doc.text and "carcinoma" in doc.text.lower()
    assert "page 1 was tilted 2.0° and levelled" in doc.text_detail
    assert CaseFact.objects.filter(document=doc, name="cancer_type").exists()

    logins = {e["role"]: e["username"] for e in result.demo.logins}
    client.force_login(User.objects.get(username=logins["coordinator"]))
    page = client.get(reverse("cases:detail", args=[doc.case.pk])).content.decode()
    assert f"Read by OCR · {doc.ocr_confidence}%" in page


def test_without_tesseract_the_demo_seeds_and_the_fax_says_why(
    db, settings, django_capture_on_commit_callbacks
):
    settings.OCR = {**settings.OCR, "tesseract": "/nonexistent/bin/tesseract"}
    with django_capture_on_commit_callbacks(execute=True):
        result = seed.seed(seed=7, cases=12)
    assert result.created
    doc = _scan(result)
    doc.refresh_from_db()
    assert doc.text_status == Text.OCR_UNAVAILABLE
    assert doc.text_detail == (
        "OCR unavailable: tesseract is not installed (Debian package tesseract-ocr)"
    )


def test_the_smallest_programs_have_their_fax_too():
    # With nine or ten cases the one intake case lacks its pathology report on purpose
    # (an intake gap), so the fax goes to the requested case.
    from datetime import datetime

    from consilium.engines.synthetic import generate

    for cases in (9, 10, 12, 50):
        program = generate(7, now=datetime(2026, 11, 1), cases=cases)
        faxed = [(case, doc) for case in program.cases for doc in case.documents if doc.as_scan]
        assert len(faxed) == 1, cases
        case, doc = faxed[0]
        assert doc.kind == "pathology_report" and doc.filename.endswith("-fax.pdf")
        assert case.status in ("INTAKE", "REQUESTED"), (cases, case.status)
