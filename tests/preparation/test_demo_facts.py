"""The demo's case summaries show facts: every seeded record with text is abstracted
inside the seed, reviewed cases have confirmed facts, and conflicts are there to see."""

from __future__ import annotations

from django.urls import reverse

from consilium.apps.demo import seed
from consilium.apps.demo.facts import IN_REVIEW_OR_LATER
from consilium.apps.preparation import services
from consilium.apps.preparation.models import AbstractionRun, CaseFact, FactReview
from consilium.apps.records.models import Document


def test_the_seeded_records_have_facts_some_confirmed_and_a_conflict(db, client):
    result = seed.seed()
    program = result.demo.program
    docs = Document.objects.filter(case__program=program).exclude(text="")
    runs = AbstractionRun.objects.filter(case__program=program)
    assert runs.count() == docs.count() and set(runs.values_list("status", flat=True)) == {"done"}
    assert CaseFact.objects.filter(case__program=program).count() > 10 * docs.count() // 2
    assert docs.filter(record_date__isnull=False).count() == docs.count()

    confirmed = CaseFact.objects.filter(case__program=program, review_status="confirmed")
    assert confirmed.exists()
    assert FactReview.objects.filter(fact__in=confirmed).count() == confirmed.count()
    for fact in confirmed.select_related("case", "reviewed_by"):
        assert fact.case.status in IN_REVIEW_OR_LATER
        assert fact.reviewed_by == fact.case.expert.user

    summaries = {case: services.prepare(case).summary for case in program.cases.all()}
    conflicted = [case for case, summary in summaries.items() if summary.open_conflicts]
    assert conflicted, "the demo should show at least one open conflict between records"
    assert any(m.resolved for summary in summaries.values() for m in summary.conflicts), (
        "and one an expert has settled"
    )

    # The coordinator's summary page of a conflicted case renders with the flag.
    coordinator = program.staff.filter(role="coordinator").first()
    client.force_login(coordinator)
    body = client.get(reverse("preparation:summary", args=[conflicted[0].pk])).content.decode()
    assert "Conflict" in body


def _counts() -> tuple[int, int, int]:
    return AbstractionRun.objects.count(), CaseFact.objects.count(), FactReview.objects.count()


def test_reseeding_changes_nothing(db):
    seed.seed(seed=11, cases=12)
    counts = _counts()
    assert counts[0] and counts[1]
    assert seed.seed(seed=11, cases=12).created is False
    assert _counts() == counts
