"""Record routes of the JSON API: upload, list, metadata with text, and the file itself."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from consilium.apps.access.audit import audited
from consilium.apps.cases.api import ERRORS, actor_of, not_found
from consilium.apps.cases.lookup import get_case
from consilium.apps.records.models import Document
from consilium.apps.records.schemas import DocumentDetail, DocumentKind, DocumentOut
from consilium.apps.records.services import RejectedFile, add_document, open_document, read_upload

router = Router(tags=["records"])


def _document(actor, case, doc_id: int, action: str = "document.view") -> Document:
    doc = case.documents.filter(pk=doc_id).first()
    if doc is None:
        not_found(actor, action, case, f"no document {doc_id}")
    return doc


@router.post(
    "/{case_id}/documents", response={201: DocumentOut, **ERRORS}, summary="Add a record to a case"
)
def upload_document(
    request, case_id: int, file: File[UploadedFile], kind: Form[DocumentKind], title: Form[str] = ""
):
    """Multipart upload (``file``, ``kind``, ``title``). The file is recognized by its
    content. A refused file (empty, over the size limit, not a supported type, or named
    like another type than it holds) answers **422** with ``{"detail": reason}``: the
    input is at fault, as with any invalid field, and nothing is stored. A rule of the
    case (e.g. it is closed) answers 409. A scan (a PNG, JPEG or TIFF filed as a report,
    a PDF page without a text layer) answers with ``text_status`` "ocr_queued": its text
    is read by OCR in the background (``GET`` the record for its progress and outcome)."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "document.upload")
    data = read_upload(file)
    try:
        doc = add_document(actor, case, data=data, filename=file.name or "", kind=kind, title=title)
    except RejectedFile as exc:
        return Status(422, {"detail": exc.message})
    return Status(201, doc)


@router.get(
    "/{case_id}/documents", response={200: list[DocumentOut], **ERRORS}, summary="Records of a case"
)
def list_documents(request, case_id: int):
    actor = actor_of(request)
    case = get_case(actor, case_id, "document.view")
    with audited(actor, "document.view", case) as audit:
        audit.detail = "list"
        return list(case.documents.all())


@router.get(
    "/{case_id}/documents/{doc_id}",
    response={200: DocumentDetail, **ERRORS},
    summary="A record's details and extracted text",
)
def get_document(request, case_id: int, doc_id: int):
    actor = actor_of(request)
    case = get_case(actor, case_id, "document.view")
    doc = _document(actor, case, doc_id)
    with audited(actor, "document.view", case, obj=doc):
        return DocumentDetail(
            **DocumentOut.model_validate(doc, from_attributes=True).model_dump(),
            kind_label=doc.get_kind_display(),
            text=doc.text,
            text_detail=doc.text_detail,
            ocr=doc.ocr or None,
        )


@router.get(
    "/{case_id}/documents/{doc_id}/content",
    response={200: None, **ERRORS},
    summary="Download a record's file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as uploaded.",
                "content": {"application/octet-stream": {}},
            }
        }
    },
)
def download_document(request, case_id: int, doc_id: int):
    actor = actor_of(request)
    case = get_case(actor, case_id, "document.view")
    doc = _document(actor, case, doc_id)
    data = open_document(actor, case, doc)
    response = HttpResponse(data, content_type=doc.media_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=doc.original_name
    )
    response["Content-Length"] = str(len(data))
    return response
