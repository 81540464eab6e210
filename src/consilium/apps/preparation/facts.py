"""The case's current facts as plain data, for decision support and exports.

Only a caller that has passed the access policy (``facts.view`` or ``decision.view``)
may call this; it does not audit by itself because its callers do.
"""

from __future__ import annotations

from typing import Any

from consilium.apps.preparation.models import CaseFact
from consilium.engines.abstraction.merge import SeriesPoint
from consilium.engines.decision.profile import PatientProfile, profile_from_facts


def _plain(f: CaseFact) -> dict[str, Any]:
    return {
        "id": f.pk,
        "name": f.name,
        "value": f.current_value,
        "assertion": f.assertion,
        "basis": f.basis,
        "detail": f.detail,
        "confidence": f.confidence,
        "review_status": f.review_status,
        "effective_date": f.effective_date,
        "source": f.source,
    }


def current_facts(case) -> list[dict[str, Any]]:
    """Every fact not rejected, with its current value, most recent first."""
    rows = (
        CaseFact.objects.filter(case=case)
        .exclude(review_status=CaseFact.Review.REJECTED)
        .order_by("-effective_date", "-created_at", "-pk")
    )
    return [_plain(f) for f in rows]


def patient_profile(case, home: tuple[float, float] | None = None) -> PatientProfile:
    """The profile decision support reads, from the same merged answers the case summary
    page shows (a person's confirmation first; weak guesses left out)."""
    member = case.member
    return profile_from_facts(
        merged_facts(case),
        cancer_type=case.cancer_type_code or None,
        birth_date=member.date_of_birth,
        sex=member.sex if member.sex in ("female", "male") else None,
        home=home,
    )


def merged_facts(case) -> list[dict[str, Any]]:
    """The current facts ordered by the case summary's merge rules
    (engines/abstraction/merge.py): for each name the summary's answer comes first (a
    person's word, then the record with authority, the most recent, the most specific),
    and names the summary holds "not stated" (weak evidence only) are left out. Same
    shape as ``current_facts``, so ``profile_from_facts`` reads it unchanged and agrees
    with the case summary page."""
    from consilium.apps.preparation.services import as_record, case_fact_rows
    from consilium.engines.abstraction.merge import merge

    rows = [f for f in case_fact_rows(case) if f.review_status != CaseFact.Review.REJECTED]
    summary = merge(as_record(f) for f in rows)
    rank: dict[int, tuple[int, int]] = {}
    for merged in summary.facts.values():
        if merged.chosen is None:
            continue
        ordered = [f.id for g in merged.values for f in g.facts]
        for i, fact_id in enumerate(ordered):
            rank[fact_id] = (0 if i == 0 else 1, i)
    kept = [f for f in rows if f.pk in rank or f.name == "treatment"]
    kept.sort(key=lambda f: (rank.get(f.pk, (2, 0)), f.name))
    return [_plain(f) for f in kept]


def lab_series(case) -> dict[str, tuple[SeriesPoint, ...]]:
    """The case summary's lab series (the serum tumour markers) by fact name: every value
    with the date it was taken, latest first, as the summary page shows them. A name
    whose facts are all too weak to answer has an empty series."""
    from consilium.apps.preparation.services import as_record, case_fact_rows
    from consilium.engines.abstraction.merge import merge

    summary = merge(as_record(f) for f in case_fact_rows(case))
    return {name: m.series for name, m in summary.facts.items() if m.is_series}
