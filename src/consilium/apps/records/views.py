"""Record pages: upload, the in-browser viewer, and the download that streams stored bytes.

Every byte read goes through ``records.services.open_document`` (policy + audit); the
viewer page itself is audited as a ``document.view`` of the record's metadata and text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import audited
from consilium.apps.cases.lookup import get_case
from consilium.apps.cases.services import RuleError
from consilium.apps.records import services
from consilium.apps.records.forms import UploadForm
from consilium.apps.records.models import Document
from consilium.engines.records.filetypes import FileType

# Types a browser shows itself; anything else is always a download.
INLINE_TYPES = frozenset({FileType.PDF, FileType.PNG, FileType.JPEG, FileType.TEXT})
IMAGE_TYPES = frozenset({FileType.PNG, FileType.JPEG})
# Scans a browser does not show (a fax): offered for download, with their OCR text.
SCAN_TYPES = frozenset({FileType.TIFF})


def _document(case, doc_id: int) -> Document:
    doc = Document.objects.select_related("uploaded_by").filter(pk=doc_id, case=case).first()
    if doc is None:
        raise Http404("No such record")
    return doc


@login_required
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "document.upload")
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            try:
                doc = services.add_document(
                    actor,
                    case,
                    data=services.read_upload(upload_file),
                    filename=upload_file.name,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                )
            except RuleError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, f"{doc.get_kind_display()} added: {doc}.")
                return redirect(reverse("cases:detail", args=[case.pk]) + "#documents")
        status = 400
    else:
        form = UploadForm(initial={"kind": request.GET.get("kind", "")})
    with audited(actor, "case.view", case) as audit:
        audit.detail = "upload form"
        response = render(
            request,
            "records/upload.html",
            {
                "case": case,
                "form": form,
                "max_upload_mb": settings.MAX_UPLOAD_MB,
            },
            status=status,
        )
    return response


@dataclass(frozen=True)
class Marked:
    """A record's text cut around a span (and the sentence holding it), for the viewer
    to mark; each part is plain text, escaped by the template."""

    before: str
    lead: str  # the sentence before the span ("" when no sentence is given)
    span: str
    tail: str  # the sentence after the span
    after: str
    sentence: bool


def _pair(value: str | None) -> tuple[int, int] | None:
    start, sep, end = (value or "").partition("-")
    if not sep or not start.isdigit() or not end.isdigit():
        return None
    return int(start), int(end)


def highlight(text: str, hl: str | None, sentence: str | None = None) -> Marked | None:
    """``?hl=START-END`` (character offsets) marks where a fact was read, and
    ``&s=START-END`` the sentence around it; None when the span is absent or does not fit
    the text. A sentence that does not hold the span is ignored."""
    span = _pair(hl)
    if not text or span is None:
        return None
    a, b = span
    if not 0 <= a < b <= len(text):
        return None
    around = _pair(sentence)
    if around is not None and 0 <= around[0] <= a and b <= around[1] <= len(text):
        s, e = around
        return Marked(text[:s], text[s:a], text[a:b], text[b:e], text[e:], True)
    return Marked(text[:a], "", text[a:b], "", text[b:], False)


@login_required
def viewer(request: HttpRequest, pk: int, doc_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "document.view")
    doc = _document(case, doc_id)
    file_type = FileType(doc.file_type)
    marked = highlight(doc.text, request.GET.get("hl"), request.GET.get("s"))
    with audited(actor, "document.view", case, obj=doc) as audit:
        audit.detail = "viewer" + (f" (highlight {request.GET['hl'][:40]})" if marked else "")
        response = render(
            request,
            "records/viewer.html",
            {
                "case": case,
                "doc": doc,
                "is_pdf": file_type is FileType.PDF,
                "is_image": file_type in IMAGE_TYPES,
                "is_text": file_type is FileType.TEXT,
                "is_scan": file_type in SCAN_TYPES,
                "file_type_label": file_type.label,
                "is_member": actor.role is not None and actor.role.value == "member",
                "marked": marked,
                "dicom": (doc.metadata or {}).get("dicom"),
            },
        )
    return response


@login_required
def download(request: HttpRequest, pk: int, doc_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "document.view")
    doc = _document(case, doc_id)
    data = services.open_document(actor, case, doc)
    inline = request.GET.get("inline") == "1" and FileType(doc.file_type) in INLINE_TYPES
    response = HttpResponse(data, content_type=doc.media_type)
    response["Content-Disposition"] = content_disposition_header(not inline, doc.original_name)
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    if FileType(doc.file_type) is not FileType.PDF:
        # A stored record is never a page: it may not run script or load anything. (PDFs
        # keep the site policy: Chromium's viewer refuses to run in a sandboxed frame.)
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
