"""Listing cases: only the visible ones, filtered, overdue first, paged, in a fixed number
of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from consilium.apps.access.models import AuditEvent
from consilium.engines.casework.lifecycle import Status
from tests import factories as f
from tests.api.conftest import API, token_client


def _refs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["reference"] for c in response.json()["items"]]


@pytest.mark.parametrize("role", ["member", "physician", "expert", "coordinator"])
def test_each_role_lists_only_its_visible_cases(world, role):
    f.case(world.other_program)  # more of the other program's cases
    f.case(world.program)  # a case of the same program without this member/physician/expert
    response = token_client(world.users()[role]).get(f"{API}/cases")
    refs = _refs(response)
    assert world.case.reference in refs
    assert world.other_case.reference not in refs
    expected = 2 if role == "coordinator" else 1
    assert response.json()["count"] == len(refs) == expected
    assert AuditEvent.objects.filter(action="case.list", outcome="allowed").count() == 1


def test_admin_may_not_list_cases(world):
    response = token_client(world.admin).get(f"{API}/cases")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        action="case.list", outcome="denied", actor_id=world.admin.pk
    ).exists()


def test_overdue_first_then_by_due_date(world):
    today = timezone.localdate()
    later = f.case(
        world.program, status=Status.READY_FOR_REVIEW, due_date=today + timedelta(days=9)
    )
    sooner = f.case(
        world.program, status=Status.READY_FOR_REVIEW, due_date=today + timedelta(days=2)
    )
    overdue = f.case(world.program, status=Status.IN_REVIEW, due_date=today - timedelta(days=1))
    # past its date but delivered: the clock has stopped, so not overdue
    done = f.case(world.program, status=Status.REPORT_DELIVERED, due_date=today - timedelta(days=5))
    undated = f.case(world.program)  # not ready yet: no due date, listed last
    world.case.due_date = today + timedelta(days=5)
    world.case.save()
    response = token_client(world.coordinator).get(f"{API}/cases")
    assert _refs(response) == [
        overdue.reference,
        done.reference,
        sooner.reference,
        world.case.reference,
        later.reference,
        undated.reference,
    ]
    flags = {c["reference"]: c["overdue"] for c in response.json()["items"]}
    assert flags[overdue.reference] is True
    assert flags[done.reference] is False


def test_filters(world):
    today = timezone.localdate()
    client = token_client(world.coordinator)
    lung = f.case(world.program, status=Status.INTAKE, origin="proactive")
    lung.cancer_type_code, lung.cancer_type_label = "LUAD", "Lung Adenocarcinoma"
    lung.save()
    late = f.case(world.program, status=Status.IN_REVIEW, due_date=today - timedelta(days=3))
    get = lambda **q: _refs(client.get(f"{API}/cases", q))  # noqa: E731

    assert get(status="INTAKE") == [lung.reference]
    assert get(cancer_type="luad") == [lung.reference]
    assert get(origin="proactive") == [lung.reference]
    assert get(overdue="true") == [late.reference]
    assert late.reference not in get(overdue="false")
    assert get(expert_id=world.expert.pk) == [world.case.reference]
    assert get(q=world.case.reference) == [world.case.reference]
    assert get(q=world.member.last_name) == [world.case.reference]
    assert get(q=world.member.member_number) == [world.case.reference]


def test_pagination_and_count(world):
    for _ in range(4):
        f.case(world.program)
    client = token_client(world.coordinator)
    first = client.get(f"{API}/cases", {"limit": 2}).json()
    second = client.get(f"{API}/cases", {"limit": 2, "offset": 2}).json()
    third = client.get(f"{API}/cases", {"limit": 2, "offset": 4}).json()
    assert first["count"] == second["count"] == third["count"] == 5
    assert (first["limit"], second["offset"]) == (2, 2)
    ids = [c["id"] for page in (first, second, third) for c in page["items"]]
    assert len(ids) == len(set(ids)) == 5


def test_query_count_does_not_grow_with_the_page(world, django_assert_max_num_queries):
    client = token_client(world.coordinator)
    client.get(f"{API}/cases")  # warm up the token's last-used stamp
    for _ in range(30):
        f.case(world.program, mem=world.member, exp=world.expert)
    with django_assert_max_num_queries(6):
        response = client.get(f"{API}/cases")
    assert response.json()["count"] == 31
