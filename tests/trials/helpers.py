"""Small builders for CTML trials and MatchMiner-style patients used by the trial tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from consilium.engines.trials.ctml import parse_trial
from consilium.engines.trials.match import Matcher
from consilium.engines.trials.patients import build_patients

AS_OF = dt.date(2025, 6, 15)


def trial(
    match: Any, *, protocol: str = "T-1", arm_suspended: str = "N", status: str | None = None
) -> dict:
    doc: dict[str, Any] = {
        "protocol_no": protocol,
        "nct_id": "NCT00000001",
        "treatment_list": {
            "step": [
                {
                    "step_code": "1",
                    "step_internal_id": 1,
                    "arm": [
                        {
                            "arm_code": "A",
                            "arm_internal_id": 2,
                            "arm_suspended": arm_suspended,
                            "match": match,
                            "dose_level": [],
                        }
                    ],
                }
            ]
        },
    }
    if status is not None:
        doc["status"] = status
    return doc


def patient(
    sample: str = "S1", *, variants: list[dict] | None = None, **clinical: Any
) -> tuple[list[dict], list[dict]]:
    doc = {"SAMPLE_ID": sample, "BIRTH_DATE": "1970-01-01", "GENDER": "Female"}
    doc.update(clinical)
    return [doc], [dict(v, SAMPLE_ID=sample) for v in (variants or [])]


def run(
    trial_docs: dict | list[dict], clinical: list[dict], genomic: list[dict], as_of: dt.date = AS_OF
) -> list[dict]:
    docs = trial_docs if isinstance(trial_docs, list) else [trial_docs]
    trials = [parse_trial(d, "test") for d in docs]
    patients, _ = build_patients(clinical, genomic)
    return Matcher(trials, as_of).match_all(patients)


def matches(
    match: Any, *, variants: list[dict] | None = None, as_of: dt.date = AS_OF, **clinical: Any
) -> bool:
    """Whether one patient meets one arm's match tree."""
    c, g = patient(variants=variants, **clinical)
    return bool(run(trial(match), c, g, as_of))


def mutation(gene: str, protein: str | None = None, **extra: Any) -> dict:
    doc = {"TRUE_HUGO_SYMBOL": gene, "VARIANT_CATEGORY": "MUTATION"}
    if protein:
        doc["TRUE_PROTEIN_CHANGE"] = protein
    doc.update(extra)
    return doc
