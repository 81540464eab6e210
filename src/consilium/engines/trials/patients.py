"""MatchMiner-style patient documents: one clinical document per sample and any number of
genomic documents (variants, copy-number calls, structural variants, signatures, MMR
status) joined to it by SAMPLE_ID."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class PatientDataError(ValueError):
    """A patient file that cannot be used; the message names the file and the problem."""


@dataclass
class Patient:
    sample_id: str
    clinical: dict[str, Any]
    genomic: list[dict[str, Any]] = field(default_factory=list)
    birth_date: dt.date | None = None
    # genomic documents by TRUE_HUGO_SYMBOL, so a gene criterion looks at that gene only
    by_gene: dict[Any, list[dict[str, Any]]] = field(default_factory=dict)

    def index(self) -> None:
        self.by_gene = {}
        for doc in self.genomic:
            self.by_gene.setdefault(doc.get("TRUE_HUGO_SYMBOL"), []).append(doc)

    @property
    def deceased(self) -> bool:
        status = self.clinical.get("VITAL_STATUS")
        return isinstance(status, str) and status.strip().lower() == "deceased"


def parse_date(value: Any) -> dt.date | None:
    """YYYY-MM-DD, an ISO date-time, YYYYMMDD as a number, or a Mongo export
    ``{"$date": ...}``; None when absent; ValueError when present but unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, dict) and "$date" in value:
        value = value["$date"]
        if isinstance(value, int | float):
            return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC).date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and 10000101 <= value <= 99991231:
        return dt.date(value // 10000, value // 100 % 100, value % 100)
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            pass
        for fmt in ("%a, %d %b %Y %H:%M:%S %Z", "%m/%d/%Y", "%Y%m%d"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    raise ValueError(f"unreadable date {value!r}")


def _documents(path: Path, what: str) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PatientDataError(f"{path}: cannot read the {what} file: {exc}") from None
    decoder = json.JSONDecoder()
    docs: list[Any] = []
    pos, end = 0, len(text)
    try:
        while True:
            while pos < end and text[pos].isspace():
                pos += 1
            if pos >= end:
                break
            doc, pos = decoder.raw_decode(text, pos)
            docs.extend(doc if isinstance(doc, list) else [doc])
    except json.JSONDecodeError as exc:
        raise PatientDataError(f"{path}: the {what} file is not valid JSON: {exc}") from None
    for i, doc in enumerate(docs):
        if not isinstance(doc, dict):
            raise PatientDataError(
                f"{path}: {what} document {i}: expected an object, got {type(doc).__name__}"
            )
        sample = doc.get("SAMPLE_ID")
        if sample is None or str(sample).strip() == "":
            raise PatientDataError(f"{path}: {what} document {i} has no SAMPLE_ID")
    return docs


def build_patients(
    clinical: Iterable[dict[str, Any]],
    genomic: Iterable[dict[str, Any]],
    clinical_source: str = "clinical",
    genomic_source: str = "genomic",
) -> tuple[list[Patient], list[str]]:
    """Patients in clinical-file order, and warnings (genomic documents of unknown
    samples are left out)."""
    patients: dict[str, Patient] = {}
    for i, doc in enumerate(clinical):
        sample = str(doc["SAMPLE_ID"])
        if sample in patients:
            raise PatientDataError(
                f"{clinical_source}: clinical document {i}: SAMPLE_ID {sample} appears twice"
            )
        raw_birth = doc.get("BIRTH_DATE")
        if raw_birth in (None, ""):
            raw_birth = doc.get("BIRTH_DATE_INT")
        try:
            birth = parse_date(raw_birth)
        except ValueError as exc:
            raise PatientDataError(
                f"{clinical_source}: clinical document {i} (SAMPLE_ID {sample}): BIRTH_DATE: {exc}"
            ) from None
        patients[sample] = Patient(sample, doc, [], birth)
    orphans: dict[str, int] = {}
    for doc in genomic:
        sample = str(doc["SAMPLE_ID"])
        patient = patients.get(sample)
        if patient is None:
            orphans[sample] = orphans.get(sample, 0) + 1
        else:
            patient.genomic.append(doc)
    for patient in patients.values():
        patient.index()
    warnings = [
        f"{genomic_source}: {n} genomic document(s) for SAMPLE_ID {s}, "
        "which has no clinical document: ignored"
        for s, n in orphans.items()
    ]
    return list(patients.values()), warnings


def load_patients(
    clinical_path: Path | str, genomic_path: Path | str
) -> tuple[list[Patient], list[str]]:
    clinical_path, genomic_path = Path(clinical_path), Path(genomic_path)
    clinical = _documents(clinical_path, "clinical")
    genomic = _documents(genomic_path, "genomic")
    return build_patients(clinical, genomic, str(clinical_path), str(genomic_path))
