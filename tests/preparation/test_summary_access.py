"""Who may see and change a case's facts through the pages: another program's case is
404 (like a missing one), a visible case with a forbidden action is 403, and every
refusal is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consilium.apps.access.models import AuditEvent
from consilium.apps.preparation import services
from consilium.apps.preparation.models import CaseFact, FactReview
from tests import factories as f

ROLES = ["member", "physician", "expert", "coordinator", "admin"]
# page -> roles allowed on their own case (others: 403 if they see the case, else 404)
READS = {
    "preparation:summary": {"physician", "expert", "coordinator"},
    "preparation:panel": {"physician", "expert", "coordinator"},
    "preparation:checklist": {"physician", "expert", "coordinator"},
}
SEES_CASE = {"member", "physician", "expert", "coordinator"}


@pytest.fixture
def facts(world):
    out = {}
    for case in (world.case, world.other_case):
        doc = f.pathology(case)
        services.abstract_document(doc)
        out[case.pk] = CaseFact.objects.filter(document=doc, name="ER").get()
    return out


def _expected(allowed: set[str], role: str) -> int:
    if role in allowed:
        return 200
    return 403 if role in SEES_CASE else 404


@pytest.mark.parametrize("page", sorted(READS))
@pytest.mark.parametrize("role", ROLES)
def test_reading_pages(world, facts, client, page, role):
    client.force_login(world.users()[role])
    own = client.get(reverse(page, args=[world.case.pk]))
    assert own.status_code == _expected(READS[page], role)
    other = client.get(reverse(page, args=[world.other_case.pk]))
    assert other.status_code == 404
    assert world.other_member.last_name not in other.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_reviewing_a_fact(world, facts, client, role):
    user = world.users()[role]
    client.force_login(user)
    fact = facts[world.case.pk]
    url = reverse("preparation:review", args=[world.case.pk, fact.pk])
    response = client.post(url, {"action": "confirm"})
    if role in ("expert", "coordinator"):
        assert response.status_code == 302
        assert FactReview.objects.filter(fact=fact, by=user).exists()
    else:
        assert response.status_code == (403 if role in SEES_CASE else 404)
        assert not FactReview.objects.filter(fact=fact).exists()
        assert AuditEvent.objects.filter(
            actor_id=user.pk, action="facts.review", outcome="denied"
        ).exists()


def test_another_programs_coordinator_cannot_touch_the_facts(world, facts, client):
    client.force_login(world.other_coordinator)
    fact = facts[world.case.pk]
    for url, data in [
        (reverse("preparation:review", args=[world.case.pk, fact.pk]), {"action": "confirm"}),
        (reverse("preparation:add_fact", args=[world.case.pk]), {"name": "CEA", "value": "1"}),
        (reverse("preparation:rerun", args=[world.case.pk]), {}),
    ]:
        assert client.post(url, data).status_code == 404
    # Their own case's fact id under this case is not found either.
    theirs = facts[world.other_case.pk]
    client.force_login(world.coordinator)
    url = reverse("preparation:review", args=[world.case.pk, theirs.pk])
    assert client.post(url, {"action": "confirm"}).status_code == 404
    fact.refresh_from_db()
    theirs.refresh_from_db()
    assert fact.review_status == theirs.review_status == "proposed"


def test_only_the_coordinator_reruns(world, facts, client):
    for role, expected in [("expert", 403), ("physician", 403), ("coordinator", 302)]:
        client.force_login(world.users()[role])
        response = client.post(reverse("preparation:rerun", args=[world.case.pk]))
        assert response.status_code == expected, role
