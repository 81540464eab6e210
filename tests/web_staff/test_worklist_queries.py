"""The worklist costs the same number of queries for 5 cases as for 60 (no N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consilium.engines.casework.lifecycle import Status
from tests import factories as f


def _make(world, n):
    for i in range(n):
        m = f.member(world.program, with_login=False)
        f.case(
            world.program,
            mem=m,
            exp=world.expert if i % 2 else None,
            status=Status.IN_REVIEW if i % 3 else Status.INTAKE,
        )


def _count(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("cases:worklist"), {"q": ""}).status_code == 200
    return len(ctx.captured_queries)


def test_constant_queries(world, as_user, django_assert_max_num_queries):
    client = as_user(world.coordinator)
    _make(world, 4)  # with the world's case: 5
    _count(client)  # the first view after sign-in also renews the session
    few = _count(client)
    _make(world, 55)  # 60
    with django_assert_max_num_queries(few):
        response = client.get(reverse("cases:worklist"))
    assert len(response.context["page"]) == 50
    assert _count(client) == few
