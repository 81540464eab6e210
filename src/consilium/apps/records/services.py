"""Adding records to a case: check, store, extract text, then commit the row; reading a
scanned record's text by OCR in the background afterwards."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consilium.apps.access.audit import ALLOWED, FAILED, audited, record
from consilium.apps.cases.models import Case, TimelineEvent
from consilium.apps.cases.services import RuleError, log
from consilium.apps.preparation.services import queue_abstraction, system_actor
from consilium.apps.records import storage
from consilium.apps.records.models import Document
from consilium.background import after_commit
from consilium.engines.records.filetypes import FileType, Rejected, recognize
from consilium.engines.records.metadata import describe as describe_record
from consilium.engines.records.ocr import OcrSettings
from consilium.engines.records.text import SCANNED, Extraction, extract_text, read_with_ocr

logger = logging.getLogger(__name__)
Text = Document.TextStatus
QUEUED_DETAIL = "waiting for OCR to read the scanned pages"
PICTURE_DETAIL = (
    "filed as an image, so its text is not read; add a scanned report under its own kind "
    "to have it read by OCR"
)
# An OCR still queued or running after this long lost its worker (a restart); asking
# again (re-running the abstraction) starts it over. Generous: a long scan at a few
# seconds a page, behind other work in the queue.
OCR_STALE_AFTER = timedelta(hours=2)


class RejectedFile(RuleError):
    """The file itself is at fault (type, size, empty): the API answers 422 for it."""


def read_upload(upload) -> bytes:
    """Read an uploaded file, stopping early once it is over the limit."""
    limit = settings.MAX_UPLOAD_BYTES
    chunks, size = [], 0
    for chunk in upload.chunks():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)


def add_document(
    actor, case: Case, *, data: bytes, filename: str, kind: str, title: str = ""
) -> Document:
    """Accept a record or raise ``RuleError`` with the reason; a refusal stores nothing."""
    with audited(actor, "document.upload", case) as audit:
        audit.detail = filename[:200]
        if case.status_enum.is_terminal:
            raise RuleError("Records cannot be added to a closed case")
        if kind not in Document.Kind.values:
            raise RuleError(f"Unknown record kind {kind!r}")
        try:
            found = recognize(data, filename, settings.MAX_UPLOAD_BYTES)
        except Rejected as exc:
            raise RejectedFile(str(exc)) from None
        extraction = extract_text(found.type, data)
        text_status, text_detail = extraction.status, extraction.detail
        needs_ocr = extraction.status == "needs_ocr"
        if needs_ocr and found.type in SCANNED and kind == Document.Kind.IMAGE:
            # A picture (a photograph, a slide), not a document: nothing to read.
            needs_ocr, text_status, text_detail = False, Text.NOT_APPLICABLE, PICTURE_DETAIL
        elif needs_ocr:
            # Seconds per page: the background reads it once the row is committed.
            text_status, text_detail = Text.OCR_QUEUED, QUEUED_DETAIL
        described = describe_record(found.type, data, extraction.text, timezone.localdate())
        metadata = dict(described.metadata)
        if needs_ocr:
            metadata["ocr_queued_at"] = timezone.now().isoformat()
        sha, created = storage.put(data)
        try:
            with transaction.atomic():
                document = Document.objects.create(
                    case=case,
                    kind=kind,
                    title=title.strip()[:200],
                    original_name=(filename or "upload")[:255],
                    file_type=found.type.value,
                    media_type=found.media_type,
                    sha256=sha,
                    size=len(data),
                    text=extraction.text,
                    text_status=text_status,
                    text_detail=text_detail,
                    record_date=described.record_date,
                    metadata=metadata,
                    uploaded_by=actor.user,
                )
                log(
                    case,
                    TimelineEvent.Kind.DOCUMENT,
                    f"{document.get_kind_display()} added: {document}",
                    actor,
                )
                # Its facts are read in the background once the row is committed (for a
                # scan, once OCR has read its text).
                if needs_ocr:
                    after_commit(_ocr_task(), document.pk)
                else:
                    queue_abstraction(document)
        except BaseException:
            # Keep the blob if another document already held the same bytes.
            if created and not Document.objects.filter(sha256=sha).exists():
                storage.discard(sha)
            raise
        audit.obj = document
    return document


def open_document(actor, case: Case, document: Document) -> bytes:
    with audited(actor, "document.view", case, obj=document):
        return storage.read(document.sha256)


# --- OCR of scanned records (in the background) ---------------------------------------------


def _ocr_task():
    from consilium.apps.records.tasks import read_scanned_task

    return read_scanned_task


def ocr_settings() -> OcrSettings:
    """The engine's settings with the deployment's values (settings.OCR)."""
    return OcrSettings(**getattr(settings, "OCR", {}))


def ocr_stale(document: Document) -> bool:
    """Queued or running for so long that its worker must be gone."""
    if not document.ocr_pending:
        return False
    try:
        queued = datetime.fromisoformat((document.metadata or {}).get("ocr_queued_at", ""))
    except ValueError:
        return True
    return timezone.now() - queued > OCR_STALE_AFTER


def retry_ocr(document: Document) -> None:
    """Queue OCR again for a scan it could not read (Tesseract was missing or failed) or
    whose worker was lost; the text, status and facts follow once it has run."""
    document.text_status, document.text_detail = Text.OCR_QUEUED, QUEUED_DETAIL
    document.metadata = {**(document.metadata or {}), "ocr_queued_at": timezone.now().isoformat()}
    document.save(update_fields=["text_status", "text_detail", "metadata"])
    after_commit(_ocr_task(), document.pk)


def read_scanned(document_id: int) -> Document | None:
    """Read a queued scan's text by OCR and store it, then queue its abstraction. The
    record shows each step (running, "reading scanned pages 2/5", the outcome); nothing
    here loses the record: a failure is its status, with the reason. None when the record
    is gone or another worker took it."""
    claimed = Document.objects.filter(pk=document_id, text_status=Text.OCR_QUEUED).update(
        text_status=Text.OCR_RUNNING, text_detail="reading the scanned pages"
    )
    if not claimed:
        return None
    document = Document.objects.select_related("case").get(pk=document_id)
    kind = FileType(document.file_type)

    def progress(page: int, total: int) -> None:
        Document.objects.filter(pk=document.pk, text_status=Text.OCR_RUNNING).update(
            text_detail=f"reading scanned pages {page}/{total}"
        )

    data = b""
    try:
        data = storage.read(document.sha256)
        extraction = read_with_ocr(kind, data, settings=ocr_settings(), progress=progress)
    except Exception as exc:  # noqa: BLE001 - the engine never raises; storage may
        logger.exception("OCR of record %s failed", document.pk)
        extraction = Extraction(
            document.text, Text.OCR_FAILED, f"OCR failed: {type(exc).__name__}: {exc}"[:500]
        )
    read = extraction.status in (Text.OCR, Text.EXTRACTED, Text.EMPTY)
    with transaction.atomic():
        # Read the row again: its metadata may have gained keys while OCR ran (a FHIR
        # import notes the resource it came from right after adding the record).
        document = Document.objects.select_for_update().get(pk=document.pk)
        metadata = dict(document.metadata or {})
        metadata.pop("ocr_queued_at", None)
        if extraction.ocr is not None:
            spans = [list(span) for span in extraction.ocr_spans]
            metadata["ocr"] = {**extraction.ocr.to_metadata(), "spans": spans}
        document.text = extraction.text
        document.text_status = extraction.status
        document.text_detail = extraction.detail[:500]
        document.metadata = metadata
        if document.record_date is None and extraction.text and data:
            document.record_date = describe_record(
                kind, data, extraction.text, timezone.localdate()
            ).record_date
        document.save(
            update_fields=["text", "text_status", "text_detail", "metadata", "record_date"]
        )
        record(
            system_actor(),
            "document.ocr",
            ALLOWED if read else FAILED,
            case=document.case,
            obj=document,
            detail=document.text_detail or extraction.status,
        )
    queue_abstraction(document)
    return document
