"""Why a member was found, in plain words: the shape the API and the case page share.

The wording (each trigger's label and why it matters) lives in the claims engine's data
file; this module only pairs it with a candidate's stored evidence claims, and finds the
candidate a proactive case came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from consilium.apps.outreach.models import OutreachCandidate
from consilium.engines.claims.outreach import describe, evidence_of, wording

# The statuses of the finding that opened its case (a "case_open" finding only linked a
# case that was already open).
OPENED = (OutreachCandidate.Status.ACCEPTED, OutreachCandidate.Status.AUTO_OPENED)


def reasons_of(c: OutreachCandidate) -> list[dict]:
    """The candidate's triggers, heaviest first, each with its evidence claims."""
    return [
        {
            "trigger": r.trigger,
            "label": r.label,
            "because": r.because,
            "evidence": [
                {
                    "claim_id": e.claim_id,
                    "date": e.date,
                    "detail": e.detail,
                    "text": describe(e),
                }
                for e in r.evidence
            ],
        }
        for r in wording().reasons(c.triggers, [evidence_of(e) for e in c.evidence])
    ]


@dataclass
class CaseOrigin:
    """The outreach finding that opened a proactive case, and later scans' findings."""

    candidate: OutreachCandidate
    reasons: list[dict]
    opened_automatically: bool
    later: list[OutreachCandidate]

    @property
    def cancer_group(self) -> str:
        return self.candidate.cancer_group.replace("_", " ").capitalize()


def case_origin(case) -> CaseOrigin | None:
    """The finding a proactive case was opened from (None: opened another way)."""
    linked = list(
        OutreachCandidate.objects.filter(case=case)
        .select_related("scan", "decided_by")
        .order_by("scan__as_of", "created_at", "pk")
    )
    opening = next((c for c in linked if c.status in OPENED), None)
    if opening is None:
        return None
    later = [c for c in linked if c.pk != opening.pk and c.created_at >= opening.created_at]
    for c in later:
        c.reason_labels = [wording().label(t) for t in c.triggers]
    return CaseOrigin(
        candidate=opening,
        reasons=reasons_of(opening),
        opened_automatically=opening.status == OutreachCandidate.Status.AUTO_OPENED,
        later=later,
    )
