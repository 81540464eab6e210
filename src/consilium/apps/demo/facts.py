"""The demo's fact reviews: what an expert would have done with the abstracted facts of
the cases they have reviewed, so the case summaries show confirmed facts beside fresh
proposals and open conflicts beside settled ones.

- a case in review: the expert confirmed the headline facts the records agree on and
  has not settled the conflicts yet;
- a case whose opinion is signed: the expert also settled each conflict by confirming
  the value the summary chose (the other values stay visible as the conflict's record).

Written through the ORM in bulk, inside the seed's transaction (the seed's own audit
event covers everything it writes).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from consilium.apps.preparation.models import CaseFact, FactReview
from consilium.apps.preparation.services import as_record
from consilium.engines.abstraction.merge import merge
from consilium.engines.casework.lifecycle import Status
from consilium.engines.synthetic.model import CaseSpec

HEADLINE = ("cancer_type", "histology", "grade", "stage_group", "pT", "pN", "ER", "PR", "HER2")
IN_REVIEW_OR_LATER = {
    Status.IN_REVIEW.value,
    Status.OPINION_SIGNED.value,
    Status.REPORT_DELIVERED.value,
    Status.CLOSED.value,
}


def review_demo_facts(case, spec: CaseSpec, expert_user, now: datetime) -> int:
    """Confirm facts as the case's expert did; returns how many were confirmed."""
    if expert_user is None or spec.status not in IN_REVIEW_OR_LATER:
        return 0
    signed = spec.opinion is not None and spec.opinion.signed_at is not None
    started = spec.assigned_at or spec.ready_at or spec.created_at
    at = (
        timezone.make_aware(started + timedelta(hours=2))
        if timezone.is_naive(started)
        else (started + timedelta(hours=2))
    )
    at = min(at, now - timedelta(minutes=10))
    rows = list(CaseFact.objects.filter(case=case).select_related("document"))
    by_id = {r.pk: r for r in rows}
    summary = merge(as_record(r) for r in rows)
    confirmed, reviews = [], []
    # The headline facts the records agree on, and (once the opinion is signed) every
    # conflict, settled by confirming the value the summary chose.
    names = [n for n in HEADLINE if n in summary.facts]
    if signed:
        names += [m.name for m in summary.conflicts if m.name not in names]
    for name in names:
        merged = summary.get(name)
        if merged is None or merged.chosen is None or (merged.conflict and not signed):
            continue
        fact = by_id[merged.chosen.id]
        note = (
            "Checked against the source records; the other value is not supported."
            if merged.conflict
            else ""
        )
        fact.review_status = CaseFact.Review.CONFIRMED
        fact.reviewed_by, fact.reviewed_at, fact.review_note = expert_user, at, note
        confirmed.append(fact)
        reviews.append(
            FactReview(
                fact=fact,
                action=CaseFact.Review.CONFIRMED,
                value=fact.value,
                note=note,
                by=expert_user,
                at=at,
            )
        )
    CaseFact.objects.bulk_update(
        confirmed, ["review_status", "reviewed_by", "reviewed_at", "review_note"]
    )
    FactReview.objects.bulk_create(reviews)
    return len(confirmed)
