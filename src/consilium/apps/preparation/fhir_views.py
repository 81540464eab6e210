"""The FHIR pages of a case: the side panel's data, the import form and its report, and
the downloads of the mCODE summary and the signed opinion."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import audited
from consilium.apps.cases.lookup import get_case
from consilium.apps.cases.services import RuleError
from consilium.apps.preparation import fhir
from consilium.apps.records.services import read_upload
from consilium.engines.fhir import InputError, open_bytes


def fhir_panel(actor, case, can) -> dict | None:
    """What the case page's FHIR section offers this user (None: no section)."""
    may_import = can("fhir.import") and not case.status_enum.is_terminal
    may_export = can("fhir.export")
    if not (may_import or may_export):
        return None
    return {
        "can_import": may_import,
        "can_export": may_export,
        "opinion": may_export and fhir.opinion_available(actor, case),
    }


def _page(request, case, *, report=None, error=None, reasons=(), status=200) -> HttpResponse:
    return render(
        request,
        "preparation/fhir_import.html",
        {
            "case": case,
            "report": report,
            "error": error,
            "reasons": [r for r in reasons if r != error],
            "max_upload_mb": settings.MAX_UPLOAD_MB,
        },
        status=status,
    )


@login_required
def import_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form. POST: import the uploaded Bundle or NDJSON and show the report."""
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "fhir.import")
    if request.method != "POST":
        with audited(actor, "case.view", case) as audit:
            audit.detail = "FHIR import form"
            return _page(request, case)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, case, error="Choose a FHIR file to import.", status=400)
    data = read_upload(upload)
    if len(data) > settings.MAX_UPLOAD_BYTES:
        error = f"The file is over the {settings.MAX_UPLOAD_MB} MB limit."
        return _page(request, case, error=error, status=400)
    try:
        source = open_bytes(data, upload.name or "upload")
    except InputError as exc:
        return _page(request, case, error=str(exc), status=400)
    try:
        report = fhir.import_fhir(actor, case, source)
    except RuleError as exc:
        return _page(request, case, error=exc.message, reasons=exc.reasons, status=409)
    return _page(request, case, report=report)


def _download(bundle: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(bundle, indent=2, ensure_ascii=False), content_type="application/fhir+json"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


@login_required
def summary_download(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "fhir.export")
    return _download(fhir.export_summary(actor, case), f"{case.reference}-mcode.json")


@login_required
def opinion_download(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "fhir.export")
    try:
        bundle = fhir.export_opinion(actor, case)
    except RuleError as exc:
        return render(
            request,
            "preparation/fhir_import.html",
            {"case": case, "error": exc.message, "reasons": [], "export_only": True},
            status=409,
        )
    return _download(bundle, f"{case.reference}-opinion.json")
