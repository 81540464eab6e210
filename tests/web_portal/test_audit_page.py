"""Admins read the audit trail with filters; reading it is itself audited."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from consilium.apps.access.models import AuditEvent


def _event(**fields):
    defaults = {
        "actor_username": "someone",
        "actor_role": "coordinator",
        "action": "case.view",
        "outcome": "allowed",
        "channel": "web",
        "client_address": "10.0.0.7",
    }
    return AuditEvent.objects.create(**{**defaults, **fields})


def _rows(response) -> str:
    return response.content.decode().split("<tbody>")[1].split("</tbody>")[0]


def test_filters_narrow_the_trail(client, world):
    _event(actor_username="alice", action="case.view", case_id=world.case.pk)
    _event(actor_username="bob", action="document.view", outcome="denied", actor_role="member")
    _event(actor_username="carol", action="case.view", at=timezone.now() - timedelta(days=40))
    client.force_login(world.admin)
    url = reverse("access:audit")

    by_actor = _rows(client.get(url, {"actor": "alice"}))
    assert "alice" in by_actor and "bob" not in by_actor

    denied = _rows(client.get(url, {"outcome": "denied"}))
    assert "bob" in denied and "alice" not in denied

    by_case = _rows(client.get(url, {"case": world.case.reference}))
    assert "alice" in by_case and "bob" not in by_case

    by_role = _rows(client.get(url, {"role": "member"}))
    assert "bob" in by_role and "alice" not in by_role

    recent = _rows(
        client.get(
            url, {"action": "case.view", "date_from": (timezone.localdate() - timedelta(days=7))}
        )
    )
    assert "alice" in recent and "carol" not in recent and "bob" not in recent


def test_viewing_the_trail_is_audited(client, world):
    client.force_login(world.admin)

    client.get(reverse("access:audit"), {"outcome": "denied"})

    event = AuditEvent.objects.filter(action="audit.view", actor_id=world.admin.pk).get()
    assert event.outcome == "allowed"
    assert "outcome=denied" in event.detail


def test_the_page_offers_no_way_to_change_events(client, world):
    _event(actor_username="alice")
    client.force_login(world.admin)

    page = client.get(reverse("access:audit")).content.decode().lower()
    main = page.split('<main id="main">')[1]

    assert 'method="post"' not in main
    assert re.findall(r"<button[^>]*>(.*?)</button>", main) == ["filter"]
    assert client.post(reverse("access:audit"), {"id": "1"}).status_code == 405


def test_pages_of_100(client, world):
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(action="case.view", outcome="allowed", actor_username=f"u{i}")
            for i in range(150)
        ]
    )
    client.force_login(world.admin)

    first = client.get(reverse("access:audit"))
    assert first.context["page"].paginator.per_page == 100
    assert len(first.context["page"].object_list) == 100
    second = client.get(reverse("access:audit"), {"page": 2})
    assert len(second.context["page"].object_list) >= 50
