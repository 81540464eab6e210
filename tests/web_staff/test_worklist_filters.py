"""The worklist filters the coordinator's program cases, with and without htmx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consilium.apps.cases.models import Case
from consilium.engines.casework.lifecycle import Status
from tests import factories as f


@pytest.fixture
def cases(world):
    today = timezone.localdate()
    lung = f.case(world.program, status=Status.INTAKE, origin=Case.Origin.PROACTIVE)
    lung.cancer_type_code, lung.cancer_type_label = "LUAD", "Lung Adenocarcinoma"
    lung.save()
    urgent = f.case(world.program, status=Status.REQUESTED, urgent=True)
    late = f.case(
        world.program,
        status=Status.READY_FOR_REVIEW,
        exp=world.expert,
        due_date=today - timedelta(days=2),
    )
    return {"lung": lung, "urgent": urgent, "late": late, "assigned": world.case}


def refs(response) -> list[str]:
    return [c.reference for c in response.context["page"]]


def test_only_the_programs_cases_are_listed(world, cases, as_user):
    response = as_user(world.coordinator).get(reverse("cases:worklist"))
    assert response.status_code == 200
    listed = refs(response)
    assert set(listed) == {c.reference for c in cases.values()}
    assert world.other_case.reference not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "INTAKE"}, {"lung"}),
        ({"cancer": "LUAD"}, {"lung"}),
        ({"origin": "proactive"}, {"lung"}),
        ({"urgent": "on"}, {"urgent"}),
        ({"overdue": "on"}, {"late"}),
        ({"expert": "none"}, {"lung", "urgent"}),
    ],
)
def test_each_filter(world, cases, as_user, query, expected):
    response = as_user(world.coordinator).get(reverse("cases:worklist"), query)
    assert set(refs(response)) == {cases[k].reference for k in expected}


def test_filter_by_expert(world, cases, as_user):
    response = as_user(world.coordinator).get(
        reverse("cases:worklist"), {"expert": world.expert.pk}
    )
    assert set(refs(response)) == {cases["late"].reference, cases["assigned"].reference}


def test_search_by_reference_name_and_number(world, cases, as_user):
    client = as_user(world.coordinator)
    late = cases["late"]
    for term in (
        late.reference,
        late.member.member_number,
        late.member.last_name,
        late.member.full_name,
    ):
        assert refs(client.get(reverse("cases:worklist"), {"q": term})) == [late.reference], term


def test_htmx_request_gets_only_the_table(world, cases, as_user):
    response = as_user(world.coordinator).get(
        reverse("cases:worklist"), {"status": "INTAKE"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<table" in html and "<html" not in html
    assert cases["lung"].reference in html
    assert cases["urgent"].reference not in html


def test_the_filter_form_is_wired_for_htmx_and_plain_get(world, cases, as_user):
    html = as_user(world.coordinator).get(reverse("cases:worklist")).content.decode()
    assert 'method="get"' in html
    assert 'hx-get="/cases/"' in html and 'hx-target="#worklist-results"' in html
    assert 'hx-push-url="true"' in html


def test_status_counts_at_the_top(world, cases, as_user):
    response = as_user(world.coordinator).get(reverse("cases:worklist"))
    counts = {c["value"]: c["n"] for c in response.context["status_counts"]}
    assert counts["INTAKE"] == 1 and counts["IN_REVIEW"] == 1 and counts["CLOSED"] == 0
    assert response.context["overdue_count"] == 1


def test_other_roles_are_sent_to_their_start_page(world, as_user):
    response = as_user(world.expert.user).get(reverse("cases:worklist"))
    assert response.status_code == 302
    assert response.url == reverse("home")
