"""One click adds a gap, a therapy or a trial to the draft opinion's recommendations
(built on the server from the item, with its source); twice adds it once; only the
assigned expert, only while the opinion is a draft; what was added reaches the report."""

from __future__ import annotations

import pytest

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.services import RuleError
from consilium.apps.decision import services
from consilium.apps.reviews import services as reviews
from consilium.apps.reviews.models import Opinion, Recommendation
from tests import factories as f
from tests.decision.conftest import add_fact

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def add(client, user, case, item, **extra):
    client.force_login(user)
    return client.post(f"/cases/{case.pk}/decision/add/", {"item": item, **extra}, **HTMX)


def recs(case):
    return list(Recommendation.objects.filter(opinion__case=case))


def test_adding_a_gap_twice_adds_one_recommendation_with_its_reason_and_source(
    client, world, lung, no_trials
):
    first = add(client, world.expert.user, lung, "test:ros1")
    assert first.status_code == 200
    assert "Added to the recommendations" in first.content.decode()
    second = add(client, world.expert.user, lung, "test:ros1")
    assert "Already in the recommendations" in second.content.decode()
    [rec] = recs(lung)
    assert rec.kind == "test" and rec.text == "ROS1 rearrangement testing"
    assert "no result on file" in rec.rationale
    assert "CAP/IASLC/AMP" in rec.rationale


def test_adding_a_therapy_and_a_trial(client, world, lung, trials):
    add_fact(lung, "EGFR", "L858R")
    add(client, world.expert.user, lung, "therapy:nsclc-egfr-sensitizing")
    add(client, world.expert.user, lung, "trial:NCT01234567")
    therapy, trial = recs(lung)
    assert therapy.kind == "therapy" and therapy.text.startswith("Consider osimertinib")
    assert "Tier 1" in therapy.rationale and "Tagrisso" in therapy.rationale
    assert trial.kind == "trial" and "NCT01234567" in trial.text
    assert "University Cancer Center, Columbus, OH (12 km)" in trial.rationale
    assert "Trial Office, 555-0100" in trial.rationale
    assert "1 of 2 criteria met, 1 to confirm" in trial.rationale


def test_an_added_item_shows_as_added_in_the_panel(client, world, lung, no_trials):
    add(client, world.expert.user, lung, "test:alk")
    html = client.get(f"/cases/{lung.pk}/decision/", **HTMX).content.decode()
    row = html.split("ALK rearrangement</strong>")[1].split("</tr>")[0]
    assert "In the recommendations" in row and "Add to recommendations" not in row


def test_on_the_opinion_page_the_added_item_joins_the_form(client, world, lung, no_trials):
    response = add(client, world.expert.user, lung, "test:ros1", **{"in": "opinion"})
    html = response.content.decode()
    rec = recs(lung)[0]
    assert 'hx-swap-oob="beforeend:#recs"' in html
    assert f'name="rec-{10_000 + rec.pk}-text"' in html
    assert "ROS1 rearrangement testing" in html
    # Saving the form as posted keeps it: the row is part of what the form sends.
    again = add(client, world.expert.user, lung, "test:ros1", **{"in": "opinion"})
    assert "hx-swap-oob" not in again.content.decode()


def test_an_item_no_longer_in_the_decision_support_is_refused(client, world, lung, no_trials):
    add_fact(lung, "ROS1", "negative")
    response = add(client, world.expert.user, lung, "test:ros1")
    assert "already done" in response.content.decode()
    assert "not part of" in add(client, world.expert.user, lung, "therapy:nope").content.decode()
    assert recs(lung) == []


def test_a_pending_test_cannot_be_recommended_again(world, lung, no_trials):
    add_fact(lung, "KRAS", "pending", assertion="pending")
    with pytest.raises(services.UnknownItem, match="pending"):
        services.add_item(f.actor(world.expert.user), lung, "test:kras")


def test_only_the_assigned_expert_adds(client, world, lung, no_trials):
    assert add(client, world.coordinator, lung, "test:ros1").status_code == 403
    assert add(client, world.member.user, lung, "test:ros1").status_code == 403
    assert add(client, world.other_expert.user, lung, "test:ros1").status_code == 404
    assert recs(lung) == []


def test_nothing_is_added_once_the_opinion_is_signed(world, lung, no_trials):
    expert = f.actor(world.expert.user)
    services.add_item(expert, lung, "test:ros1")
    f.consent(lung)
    Opinion.objects.filter(case=lung).update(
        diagnosis_assessment="confirmed", treatment_assessment="agree", discrepancy="none"
    )
    reviews.sign(expert, lung)
    lung.refresh_from_db()
    with pytest.raises(RuleError):
        services.add_item(expert, lung, "test:alk")
    # What was added before signing is in the signed report.
    report = lung.reports.get(kind="physician")
    assert "ROS1 rearrangement testing" in report.html


def test_the_button_is_offered_to_the_expert_not_the_coordinator(client, world, lung, no_trials):
    client.force_login(world.expert.user)
    assert (
        "Add to recommendations"
        in client.get(f"/cases/{lung.pk}/decision/", **HTMX).content.decode()
    )
    client.force_login(world.coordinator)
    assert (
        "Add to recommendations"
        not in client.get(f"/cases/{lung.pk}/decision/", **HTMX).content.decode()
    )


def test_adding_is_audited_as_a_read_and_an_opinion_write(world, lung, no_trials):
    services.add_item(f.actor(world.expert.user), lung, "test:ros1")
    actions = list(
        AuditEvent.objects.filter(case_id=lung.pk).order_by("pk").values_list("action", flat=True)
    )
    assert actions[-2:] == ["decision.view", "opinion.write"]


def test_without_htmx_the_add_redirects_back_with_a_message(client, world, lung, no_trials):
    client.force_login(world.expert.user)
    response = client.post(
        f"/cases/{lung.pk}/decision/add/",
        {"item": "test:ros1", "next": f"/cases/{lung.pk}/#decision"},
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{lung.pk}/#decision"
    assert len(recs(lung)) == 1
