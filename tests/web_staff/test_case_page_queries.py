"""The case page costs the same number of queries with 2 records as with 25 (no N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consilium.apps.cases.services import log
from tests import factories as f


def _count(client, case) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    return len(ctx.captured_queries)


def _grow(case, n):
    for i in range(n):
        f.pathology(case)
        log(case, "document", f"Record {i} added")


def test_constant_queries_as_records_and_timeline_grow(world, client):
    client.force_login(world.coordinator)
    case = world.case
    _grow(case, 2)
    _count(client, case)  # the first view after sign-in also renews the session
    few = _count(client, case)
    _grow(case, 23)
    assert _count(client, case) == few


def test_constant_queries_for_the_member_too(world, client):
    client.force_login(world.member.user)
    case = world.case
    _grow(case, 2)
    _count(client, case)
    few = _count(client, case)
    _grow(case, 23)
    assert _count(client, case) == few
