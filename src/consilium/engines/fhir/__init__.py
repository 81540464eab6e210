"""FHIR R4 in and out, with mCODE STU4: plain Python, no Django.

- ``read``: Bundles, single resources, NDJSON files, Bulk Data directories (streamed).
- ``validate``: each resource against the fhir.resources R4B models.
- ``patients``: whether a Patient is the case's member.
- ``mapping``: one resource to facts (the case-fact vocabulary) and documents.
- ``importer``: a whole input for one member, with a report where every resource is
  imported, an error with its reason, or skipped with its reason.
- ``write``: the mCODE summary Bundle and the signed opinion as a FHIR document.

Code tables (SNOMED CT, ICD-10-CM, LOINC, mCODE profile URLs) are data in ``data/``.
"""

from consilium.engines.fhir.importer import Importer, PatientMismatch
from consilium.engines.fhir.model import ImportReport, PlainDocument, PlainFact
from consilium.engines.fhir.patients import Person
from consilium.engines.fhir.read import InputError, open_bytes, open_path
from consilium.engines.fhir.write import OpinionData, WriteError, opinion_bundle, summary_bundle

__all__ = [
    "Importer",
    "ImportReport",
    "InputError",
    "OpinionData",
    "PatientMismatch",
    "Person",
    "PlainDocument",
    "PlainFact",
    "WriteError",
    "open_bytes",
    "open_path",
    "opinion_bundle",
    "summary_bundle",
]
