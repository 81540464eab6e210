"""The outreach pages: a coordinator sees their own program's members found in claims,
with reasons in plain words and evidence, and accepts or dismisses them; another
program's coordinator sees none of it; other roles are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consilium.apps.access.actors import Actor
from consilium.apps.cases.models import Case
from consilium.apps.outreach import services
from consilium.apps.outreach.models import OutreachCandidate, OutreachSettings

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def imported(world, scans):
    return services.import_output(Actor(world.coordinator, "cli"), scans.a, world.program)


def current(pid):
    return OutreachCandidate.objects.get(person_id=pid, current=True)


def test_worklist_shows_reasons_and_evidence_highest_score_first(client, world, imported):
    client.force_login(world.coordinator)
    page = client.get(reverse("outreach:worklist")).content.decode()
    assert page.index("Ann Avery") < page.index("Eve Evans") < page.index("Bob Brown")
    assert "Member MP4" in page  # no name in eligibility: the member number stands in
    assert "Metastatic disease." in page and "secondary (metastatic) cancer code" in page
    assert "claim A-P1-2 on 2025-06-20 (C787)" in page
    assert "Cy Cole" not in page  # not enrolled: reported, not on the worklist
    assert "Accept: open a proactive case" in page and 'href="/outreach/scans/"' in page
    assert "Outreach" in page and reverse("outreach:scans") in page  # the nav links


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("trigger=metastatic", ["Ann Avery"], ["Eve Evans", "Bob Brown"]),
        ("group=prostate", ["Bob Brown"], ["Ann Avery"]),
        ("status=not_enrolled", ["Cy Cole"], ["Ann Avery"]),
        ("status=all", ["Cy Cole", "Ann Avery", "Bob Brown"], []),
    ],
)
def test_filters(client, world, imported, query, shown, hidden):
    client.force_login(world.coordinator)
    page = client.get(reverse("outreach:worklist") + "?" + query, **HTMX).content.decode()
    assert all(name in page for name in shown) and not any(name in page for name in hidden)


def test_one_scans_members(client, world, imported):
    client.force_login(world.coordinator)
    page = client.get(reverse("outreach:worklist") + f"?scan={imported.scan.pk}").content
    assert b"Cy Cole" in page and b"Every member found by scan #" in page


def test_accept_with_htmx_returns_the_card_with_its_case(client, world, imported):
    client.force_login(world.coordinator)
    pk = current("P1").pk
    response = client.post(reverse("outreach:accept", args=[pk]), **HTMX)
    case = Case.objects.get(origin=Case.Origin.PROACTIVE)
    body = response.content.decode()
    assert response.status_code == 200 and case.reference in body and "Accepted" in body
    assert reverse("cases:detail", args=[case.pk]) in body
    again = client.post(reverse("outreach:accept", args=[pk]), **HTMX).content.decode()
    assert "not pending any more" in again and Case.objects.count() == 3  # 2 from the world


def test_accept_without_htmx_redirects_with_a_message(client, world, imported):
    client.force_login(world.coordinator)
    response = client.post(reverse("outreach:accept", args=[current("P5").pk]), follow=True)
    assert "Proactive case CR-" in response.content.decode()


def test_dismiss_needs_a_reason(client, world, imported):
    client.force_login(world.coordinator)
    pk = current("P2").pk
    body = client.post(reverse("outreach:dismiss", args=[pk]), {"reason": " "}, **HTMX)
    assert "Say why this member needs no outreach" in body.content.decode()
    assert current("P2").status == "pending"
    body = client.post(reverse("outreach:dismiss", args=[pk]), {"reason": "In hospice"}, **HTMX)
    assert "Dismissed" in body.content.decode() and "In hospice" in body.content.decode()
    c = current("P2")
    assert (c.status, c.reason, c.decided_by) == ("dismissed", "In hospice", world.coordinator)


def test_another_programs_coordinator_sees_and_touches_nothing(client, world, imported):
    client.force_login(world.other_coordinator)
    for name in ("outreach:worklist", "outreach:scans"):
        page = client.get(reverse(name) + "?status=all").content.decode()
        assert "Ann Avery" not in page and "Cy Cole" not in page and "scan #" not in page
    pk = current("P1").pk
    assert client.post(reverse("outreach:accept", args=[pk])).status_code == 404
    assert client.post(reverse("outreach:dismiss", args=[pk]), {"reason": "x"}).status_code == 404
    assert current("P1").status == "pending" and not Case.objects.filter(origin="proactive")


@pytest.mark.parametrize("role", ["member", "physician", "expert", "admin"])
def test_other_roles_are_refused(client, world, imported, role):
    client.force_login(world.users()[role])
    for name in ("outreach:worklist", "outreach:scans"):
        response = client.get(reverse(name))
        assert response.status_code == 403 and b"Ann Avery" not in response.content
    pk = current("P1").pk
    assert client.post(reverse("outreach:accept", args=[pk])).status_code == 403
    assert client.post(reverse("outreach:run_scan"), {"delivery": "x"}).status_code == 403
    assert current("P1").status == "pending"


def test_the_admin_sets_the_programs_auto_open_score(client, world):
    client.force_login(world.admin)
    assert client.get(reverse("outreach:settings")).status_code == 200
    client.post(reverse("outreach:settings"), {"auto_open_score": "7"})
    assert OutreachSettings.objects.get(program=world.program).auto_open_score == 7
    assert services.auto_open_threshold(world.program) == 7
    client.post(reverse("outreach:settings"), {"auto_open_score": ""})
    assert services.auto_open_threshold(world.program) is None
    client.force_login(world.coordinator)
    assert client.get(reverse("outreach:settings")).status_code == 404
