"""The case's current facts as plain data, for decision support and exports.

Only a caller that has passed the access policy (``facts.view`` or ``decision.view``)
may call this; it does not audit by itself because its callers do.
"""

from __future__ import annotations

from typing import Any

from consilium.apps.preparation.models import CaseFact
from consilium.engines.decision.profile import PatientProfile, profile_from_facts


def current_facts(case) -> list[dict[str, Any]]:
    """Every fact not rejected, with its current value, most recent first."""
    rows = (
        CaseFact.objects.filter(case=case)
        .exclude(review_status=CaseFact.Review.REJECTED)
        .order_by("-effective_date", "-created_at", "-pk")
    )
    return [
        {
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
        for f in rows
    ]


def patient_profile(case, home: tuple[float, float] | None = None) -> PatientProfile:
    member = case.member
    return profile_from_facts(
        current_facts(case),
        cancer_type=case.cancer_type_code or None,
        birth_date=member.date_of_birth,
        sex=member.sex if member.sex in ("female", "male") else None,
        home=home,
    )
