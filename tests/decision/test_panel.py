"""The decision-support panel on the case page and the opinion page: computed from the
current facts on every load (so a changed fact changes it), audited, shown only to those
the policy lets see decision support."""

from __future__ import annotations

import pytest

from consilium.apps.access.models import AuditEvent
from consilium.apps.preparation.models import CaseFact
from tests.decision.conftest import add_fact

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def panel(client, user, case, **params):
    client.force_login(user)
    return client.get(f"/cases/{case.pk}/decision/", params, **HTMX)


def test_the_panel_shows_gaps_therapies_and_trials_with_reasons_and_sources(
    client, world, lung, trials
):
    add_fact(lung, "EGFR", "positive", detail={"variant": "L858R"})
    add_fact(lung, "KRAS", "pending", assertion="pending")
    response = panel(client, world.expert.user, lung)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ROS1 rearrangement" in html and "Not stated" in html
    assert "KRAS mutation (G12C)" in html and "Pending" in html
    assert "CAP/IASLC/AMP molecular testing guideline" in html
    assert "osimertinib" in html and "Tier 1" in html and "EGFR L858R" in html
    assert "FDA label: Tagrisso (osimertinib)" in html
    assert "Approved for this biomarker in another cancer type" in html  # the legend
    assert "NCT01234567" in html and "12 km" in html and "Trial Office, 555-0100" in html
    assert "ECOG not stated" in html
    assert trials == [(lung.pk, 10)]


def test_the_panel_follows_the_facts_when_they_change(client, world, lung, no_trials):
    user = world.expert.user
    assert "EGFR mutation" in panel(client, user, lung).content.decode()
    fact = add_fact(lung, "EGFR", "negative")
    html = panel(client, user, lung).content.decode()
    assert "EGFR mutation</strong>" not in html.split("Recommended tests already done")[0]
    assert "nsclc-egfr-sensitizing" not in html
    # A person corrects the result: the therapy appears on the next load.
    fact.review_status = CaseFact.Review.CORRECTED
    fact.corrected_value = "exon 19 deletion"
    fact.save()
    html = panel(client, user, lung).content.decode()
    assert "therapy:nsclc-egfr-sensitizing" in html
    assert "exon 19 deletion" in html
    # Rejected: the gap is back.
    fact.review_status = CaseFact.Review.REJECTED
    fact.save()
    html = panel(client, user, lung).content.decode()
    assert "therapy:nsclc-egfr-sensitizing" not in html
    assert "test:egfr" in html


def test_each_view_is_audited_as_decision_view(client, world, lung, no_trials):
    panel(client, world.coordinator, lung)
    event = AuditEvent.objects.filter(action="decision.view", case_id=lung.pk).last()
    assert event.outcome == "allowed" and event.actor_id == world.coordinator.pk


def test_trial_matching_not_installed_is_said_plainly(client, world, lung, no_trials):
    html = panel(client, world.coordinator, lung).content.decode()
    assert "Trial matching is not available." in html


def test_a_failing_trial_ranking_is_shown_and_the_rest_still_works(
    client, world, lung, monkeypatch
):
    from consilium.apps.decision import services

    def broken(case, limit=10):
        raise RuntimeError("registry index missing")

    monkeypatch.setattr(services, "_rank_for_case", lambda: broken)
    html = panel(client, world.coordinator, lung).content.decode()
    assert "Trial matching failed: registry index missing" in html
    assert "ROS1 rearrangement" in html


@pytest.mark.parametrize(
    "who,status",
    [("coordinator", 200), ("expert", 200), ("member", 403), ("physician", 403), ("admin", 404)],
)
def test_who_may_see_the_panel(client, world, lung, no_trials, who, status):
    assert panel(client, world.users()[who], lung).status_code == status


def test_another_programs_case_is_not_found(client, world, no_trials):
    assert panel(client, world.coordinator, world.other_case).status_code == 404
    assert panel(client, world.other_expert.user, world.case).status_code == 404


def test_the_case_page_loads_the_panel_for_staff_but_not_for_the_member(
    client, world, lung, no_trials
):
    client.force_login(world.coordinator)
    assert f"/cases/{lung.pk}/decision/" in client.get(f"/cases/{lung.pk}/").content.decode()
    client.force_login(world.member.user)
    page = client.get(f"/cases/{lung.pk}/")
    assert page.status_code == 200
    assert "/decision/" not in page.content.decode()


def test_the_opinion_page_loads_the_panel_for_the_expert(client, world, lung, no_trials):
    client.force_login(world.expert.user)
    html = client.get(f"/cases/{lung.pk}/opinion/").content.decode()
    assert f"/cases/{lung.pk}/decision/?in=opinion" in html


def test_without_htmx_the_panel_is_a_page_of_its_own(client, world, lung, no_trials):
    client.force_login(world.coordinator)
    response = client.get(f"/cases/{lung.pk}/decision/")
    assert response.status_code == 200
    assert "<title>Decision support" in response.content.decode()
