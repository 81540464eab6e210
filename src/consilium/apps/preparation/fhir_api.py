"""FHIR routes of the JSON API: import into a case, the mCODE summary, the signed opinion."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import Router

from consilium.apps.cases.api import ERRORS, actor_of, invalid
from consilium.apps.cases.lookup import get_case
from consilium.apps.preparation import fhir
from consilium.apps.preparation.fhir_schemas import FhirImportReport
from consilium.apps.records.services import read_upload
from consilium.engines.fhir import InputError, open_bytes
from consilium.engines.fhir.read import Input

router = Router(tags=["fhir"])

FHIR_JSON = "application/fhir+json"
JSON_TYPES = ("application/json", FHIR_JSON)
NDJSON_TYPES = ("application/x-ndjson", "application/fhir+ndjson", "application/ndjson")

_IMPORT_BODY = {
    "requestBody": {
        "description": (
            "A FHIR R4 Bundle (transaction, batch, collection or searchset) or a single "
            "resource as JSON; NDJSON (one resource a line) with an NDJSON content type; "
            "or either as the `file` field of a multipart upload."
        ),
        "content": {
            FHIR_JSON: {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
            "application/fhir+ndjson": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


def _source(request: HttpRequest) -> Input:
    limit = settings.MAX_UPLOAD_BYTES
    content_type = (request.content_type or "").lower()
    if content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise invalid("file", "No file: send the Bundle or NDJSON as the 'file' field")
        data, name = read_upload(upload), upload.name or "upload"
    elif content_type in JSON_TYPES or content_type in NDJSON_TYPES:
        try:
            data = request.body
        except RequestDataTooBig:
            # Over the in-memory form limit: read the stream up to the upload limit.
            data = request.read(limit + 1)
        name = "request body" + (".ndjson" if content_type in NDJSON_TYPES else "")
    else:
        raise invalid(
            "body",
            f"Send FHIR JSON ({FHIR_JSON}), NDJSON (application/fhir+ndjson) or a "
            f"multipart 'file'; got {content_type or 'no content type'}",
        )
    if len(data) > limit:
        raise invalid("body", f"Over the {settings.MAX_UPLOAD_MB} MB limit")
    try:
        return open_bytes(data, name)
    except InputError as exc:
        raise invalid("body", str(exc)) from None


@router.post(
    "/{case_id}/fhir",
    response={200: FhirImportReport, **ERRORS},
    summary="Import FHIR R4 resources into a case",
    openapi_extra=_IMPORT_BODY,
)
def import_fhir(request, case_id: int):
    """Reads a Bundle, a resource or NDJSON, and imports the member's resources:
    Condition, Observation, DiagnosticReport, DocumentReference (attachments become
    records), MedicationRequest, MedicationAdministration and Procedure, recognizing
    mCODE profiles (or their codes). The report counts what was imported by type, the
    facts and records added, and lists each invalid resource with its reason; nothing is
    dropped without a count and a reason. Importing the same resources again adds
    nothing. **409** when no Patient in the input is the case's member (name and birth
    date) or the case is closed; **422** when the input cannot be read at all."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "fhir.import")
    source = _source(request)
    return fhir.import_fhir(actor, case, source)


def _fhir_response(bundle: dict, filename: str) -> HttpResponse:
    response = HttpResponse(json.dumps(bundle, ensure_ascii=False), content_type=FHIR_JSON)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


_FHIR_OK = {"responses": {200: {"description": "A FHIR Bundle.", "content": {FHIR_JSON: {}}}}}


@router.get(
    "/{case_id}/fhir/summary",
    response=ERRORS,
    summary="The case as an mCODE STU4 Bundle",
    openapi_extra=_FHIR_OK,
)
def summary(request, case_id: int):
    """A collection Bundle (mCODE patient bundle) from the case's current facts:
    CancerPatient, PrimaryCancerCondition, TNM stage group and categories,
    TumorMarkerTest and GenomicVariant observations, CancerRelatedMedicationRequest,
    CancerRelatedSurgicalProcedure. Importing it into a case of the same member gives
    back the same facts."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "fhir.export")
    return _fhir_response(fhir.export_summary(actor, case), f"{case.reference}-mcode.json")


@router.get(
    "/{case_id}/fhir/opinion",
    response=ERRORS,
    summary="The signed opinion as a FHIR document",
    openapi_extra=_FHIR_OK,
)
def opinion(request, case_id: int):
    """A document Bundle: Composition (the opinion's sections), Patient, the expert as
    Practitioner, and a DiagnosticReport with the conclusion and the rendered report.
    **409** until the opinion is signed (for the treating physician: until the report
    is delivered)."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "fhir.export")
    return _fhir_response(fhir.export_opinion(actor, case), f"{case.reference}-opinion.json")
