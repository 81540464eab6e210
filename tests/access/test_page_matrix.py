"""The access matrix over the pages: each role against each case page, for its own case
and for another program's case. Another program's case is always 404, the same page as a
case that does not exist; a visible case with a forbidden action is 403. Pages not about
one case (outreach, the trial registry) are checked per role."""

import re

import pytest
from django.urls import reverse

from consilium.apps.access.models import AuditEvent
from tests import factories as f

ROLES = ["member", "physician", "expert", "coordinator", "admin"]
ALL_CASE_ROLES = {"member", "physician", "expert", "coordinator"}

# page -> {role: expected status on the role's own case}; roles not listed get 404 when
# they cannot see the case at all (admin) and 403 when they can see it but not this page.
PAGES = {
    "cases:detail": {r: 200 for r in ALL_CASE_ROLES},
    "cases:edit": {"coordinator": 200},
    "records:view": {r: 200 for r in ALL_CASE_ROLES},
    "records:download": {r: 200 for r in ALL_CASE_ROLES},
    "reviews:opinion": {"expert": 200, "coordinator": 200},  # coordinators read it
    "reports:view:physician": {"physician": 200, "expert": 200, "coordinator": 200},
    "reports:view:member": {r: 200 for r in ALL_CASE_ROLES},
    "reports:pdf:physician": {"physician": 200, "expert": 200, "coordinator": 200},
    # case preparation: the summary page, its panel on the case page, the intake checklist
    "preparation:summary": {"physician": 200, "expert": 200, "coordinator": 200},
    "preparation:panel": {"physician": 200, "expert": 200, "coordinator": 200},
    "preparation:checklist": {"physician": 200, "expert": 200, "coordinator": 200},
    # FHIR: the import form (treating physician, coordinators) and the two exports
    "fhir:import": {"physician": 200, "coordinator": 200},
    "fhir:summary": {"physician": 200, "expert": 200, "coordinator": 200},
    "fhir:opinion": {"physician": 200, "expert": 200, "coordinator": 200},
    # decision support: the assigned expert and the coordinators
    "decision:panel": {"expert": 200, "coordinator": 200},
}

# Pages not about one case -> {role: expected status}. Outreach shows only the
# coordinator's own program (its tests check that); its settings page is an admin page,
# not found for any other role, as the other admin pages.
PROGRAM_PAGES = {
    "outreach:worklist": {"coordinator": 200},
    "outreach:scans": {"coordinator": 200},
    "outreach:settings": {"admin": 200, **{r: 404 for r in ALL_CASE_ROLES}},
    "trials:registry": {"expert": 200, "coordinator": 200, "admin": 200},
    "trials:runs": {"expert": 200, "coordinator": 200, "admin": 200},
    "trials:detail": {"expert": 200, "coordinator": 200, "admin": 200},
}


def _url(name: str, case, doc) -> str:
    if name.startswith("records:"):
        return reverse(name, args=[case.pk, doc.pk])
    if name.startswith("reports:"):
        _, view, kind = name.split(":")
        return reverse(f"reports:{view}", args=[case.pk, kind])
    return reverse(name, args=[case.pk])


@pytest.fixture
def setup(world):
    f.delivered(world.case)
    f.delivered(world.other_case)
    return world, {c.pk: f.pathology(c) for c in (world.case, world.other_case)}


def _expected(page: str, role: str) -> int:
    allowed = PAGES[page]
    if role in allowed:
        return allowed[role]
    return 404 if role not in ALL_CASE_ROLES else 403


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_own_case(client, setup, page, role):
    world, docs = setup
    client.force_login(world.users()[role])
    response = client.get(_url(page, world.case, docs[world.case.pk]))
    assert response.status_code == _expected(page, role)


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_other_programs_case_is_not_found_and_audited(client, setup, page, role):
    world, docs = setup
    user = world.users()[role]
    client.force_login(user)
    response = client.get(_url(page, world.other_case, docs[world.other_case.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(actor_id=user.pk, outcome="denied").exists()
    body = response.content.decode()
    assert world.other_member.last_name not in body


@pytest.mark.parametrize("page", sorted(PROGRAM_PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_program_pages(client, world, page, role):
    from consilium.apps.trials.demo import ensure_demo_registry

    ensure_demo_registry()  # a trial for the trial page
    user = world.users()[role]
    client.force_login(user)
    args = ["NCT09900001"] if page == "trials:detail" else []
    response = client.get(reverse(page, args=args))
    expected = PROGRAM_PAGES[page].get(role, 403)
    assert response.status_code == expected
    if expected == 403:
        assert AuditEvent.objects.filter(actor_id=user.pk, outcome="denied").exists()


def test_missing_and_hidden_cases_look_the_same(client, setup):
    world, _ = setup
    client.force_login(world.coordinator)
    hidden = client.get(reverse("cases:detail", args=[world.other_case.pk]))
    missing = client.get(reverse("cases:detail", args=[999_999]))
    assert hidden.status_code == missing.status_code == 404
    # Identical but for the per-response CSRF token.
    token = re.compile(rb'"X-CSRFToken": "[^"]+"|value="[A-Za-z0-9]{64}"')
    assert token.sub(b"", hidden.content) == token.sub(b"", missing.content)


@pytest.mark.parametrize(
    "name",
    [
        "cases:worklist",
        "cases:open",
        "reviews:workspace",
        "portal:home",
        "physician:home",
        "accounts:users",
        "access:audit",
        "outreach:worklist",
        "outreach:scans",
        "outreach:settings",
        "trials:registry",
        "trials:runs",
    ],
)
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
