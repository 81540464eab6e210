"""Overdue cases come first, then by due date, then the newest; 50 to a page."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from consilium.engines.casework.lifecycle import Status
from tests import factories as f


def test_overdue_first_then_due_date_then_newest(world, as_user):
    today = timezone.localdate()
    now = timezone.now()
    m = f.member(world.program, with_login=False)
    due_later = f.case(
        world.program, mem=m, status=Status.READY_FOR_REVIEW, due_date=today + timedelta(days=5)
    )
    due_soon = f.case(
        world.program, mem=m, status=Status.IN_REVIEW, due_date=today + timedelta(days=1)
    )
    very_late = f.case(
        world.program, mem=m, status=Status.IN_REVIEW, due_date=today - timedelta(days=9)
    )
    late = f.case(
        world.program, mem=m, status=Status.READY_FOR_REVIEW, due_date=today - timedelta(days=1)
    )
    # A past due date on a signed case is not overdue: the clock has stopped.
    signed_past = f.case(
        world.program, mem=m, status=Status.OPINION_SIGNED, due_date=today - timedelta(days=20)
    )
    old_new = f.case(world.program, mem=m, created_at=now - timedelta(days=3))
    new_new = f.case(world.program, mem=m, created_at=now)
    world.case.created_at = now - timedelta(days=10)
    world.case.save()

    response = as_user(world.coordinator).get(reverse("cases:worklist"))
    order = [c.pk for c in response.context["page"]]
    assert order == [
        very_late.pk,
        late.pk,
        signed_past.pk,
        due_soon.pk,
        due_later.pk,
        new_new.pk,
        old_new.pk,
        world.case.pk,
    ]
    html = response.content.decode()
    assert html.count('<tr class="overdue">') == 2


def test_fifty_a_page(world, as_user):
    m = f.member(world.program, with_login=False)
    for _ in range(54):
        f.case(world.program, mem=m)
    client = as_user(world.coordinator)
    first = client.get(reverse("cases:worklist"))
    assert len(first.context["page"]) == 50
    assert first.context["page"].paginator.count == 55
    html = first.content.decode()
    assert "Page 1 of 2" in html and "?page=2" in html
    second = client.get(reverse("cases:worklist"), {"page": 2, "status": "REQUESTED"})
    assert len(second.context["page"]) == 4  # 54 requested; the world's case is in review
    assert "status=REQUESTED" in second.content.decode()  # filters kept in page links
