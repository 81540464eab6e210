"""Adding records to a case: check, store, extract text, then commit the row."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consilium.apps.access.audit import audited
from consilium.apps.cases.models import Case, TimelineEvent
from consilium.apps.cases.services import RuleError, log
from consilium.apps.preparation.services import queue_abstraction
from consilium.apps.records import storage
from consilium.apps.records.models import Document
from consilium.engines.records.filetypes import Rejected, recognize
from consilium.engines.records.metadata import describe as describe_record
from consilium.engines.records.text import extract_text


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
        described = describe_record(found.type, data, extraction.text, timezone.localdate())
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
                    text_status=extraction.status,
                    text_detail=extraction.detail,
                    record_date=described.record_date,
                    metadata=described.metadata,
                    uploaded_by=actor.user,
                )
                log(
                    case,
                    TimelineEvent.Kind.DOCUMENT,
                    f"{document.get_kind_display()} added: {document}",
                    actor,
                )
                # Its facts are read in the background once the row is committed.
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
