"""The case page's POST endpoints: each happy path, and a refusal that shows the rule's
reasons and changes nothing."""

from __future__ import annotations

from django.urls import reverse

from consilium.apps.cases.models import Case, Consent, CoverageCheck, TimelineEvent
from consilium.engines.casework.lifecycle import Status
from tests import factories as f
from tests.web_staff.conftest import messages_of


def post(client, name, case, data=None, **kw):
    return client.post(
        reverse(f"cases:{name}", args=[case.pk, *kw.values()]), data or {}, follow=True
    )


def test_transition_happy_path(world, as_user):
    case = f.ready_case(world.program, exp=world.expert)
    response = post(as_user(world.coordinator), "transition", case, {"name": "mark_ready"})
    case.refresh_from_db()
    assert case.status == Status.READY_FOR_REVIEW
    assert response.redirect_chain[-1][0] == reverse("cases:detail", args=[case.pk])
    assert "Done. The case is now ready for review." in messages_of(response)


def test_refused_transition_lists_the_reasons_and_changes_nothing(world, as_user):
    case = f.case(world.program, status=Status.INTAKE)
    response = post(as_user(world.coordinator), "transition", case, {"name": "mark_ready"})
    case.refresh_from_db()
    assert case.status == Status.INTAKE
    html = response.content.decode()
    assert "Cannot ready for review" in html
    assert "<li>the member&#x27;s consent is not signed</li>" in html
    assert "<li>no pathology report among the records</li>" in html


def test_a_reason_is_required_where_the_table_says_so(world, as_user):
    response = post(
        as_user(world.coordinator),
        "transition",
        world.case,
        {"name": "return_to_queue", "reason": "  "},
    )
    world.case.refresh_from_db()
    assert world.case.status == Status.IN_REVIEW
    assert "&#x27;Return to queue&#x27; needs a reason" in response.content.decode()


def test_transition_redirects_to_a_local_next_only(world, as_user):
    client = as_user(world.coordinator)
    case = f.case(world.program)
    response = client.post(
        reverse("cases:transition", args=[case.pk]),
        {"name": "start_intake", "next": "https://evil.example/"},
    )
    assert response.url == reverse("cases:detail", args=[case.pk])


def test_transition_needs_post(world, as_user):
    response = as_user(world.coordinator).get(reverse("cases:transition", args=[world.case.pk]))
    assert response.status_code == 405


def test_member_signs_consent(world, as_user):
    case = f.case(world.program, mem=world.member, status=Status.INTAKE)
    response = post(
        as_user(world.member.user),
        "consent",
        case,
        {"scopes": ["expert_review", "share_with_physician"], "signed_by_name": "Maria Lopez"},
    )
    consents = case.consents.order_by("scope")
    assert [c.scope for c in consents] == ["expert_review", "share_with_physician"]
    assert all(c.method == Consent.Method.ELECTRONIC for c in consents)
    assert any("Consent recorded" in m for m in messages_of(response))


def test_consent_without_a_name_is_refused(world, as_user):
    case = f.case(world.program, mem=world.member, status=Status.INTAKE)
    response = post(
        as_user(world.member.user),
        "consent",
        case,
        {"scopes": ["expert_review"], "signed_by_name": ""},
    )
    assert not case.consents.exists()
    assert response.status_code == 200 and messages_of(response)


def test_coordinator_records_paper_consent_and_revokes_it(world, as_user):
    client = as_user(world.coordinator)
    case = f.case(world.program, status=Status.INTAKE)
    post(
        client,
        "consent",
        case,
        {"scopes": ["expert_review"], "signed_by_name": "M L", "method": "paper"},
    )
    consent = case.consents.get()
    assert consent.method == Consent.Method.PAPER
    response = post(
        client, "consent_revoke", case, {"reason": "Asked by phone"}, consent_id=consent.pk
    )
    consent.refresh_from_db()
    assert not consent.active and consent.revoke_reason == "Asked by phone"
    assert "Consent revoked" in " ".join(messages_of(response))
    # revoking twice is refused with the service's words
    response = post(client, "consent_revoke", case, {}, consent_id=consent.pk)
    assert "That consent is already revoked" in messages_of(response)


def test_coordinator_must_say_how_consent_was_given(world, as_user):
    case = f.case(world.program, status=Status.INTAKE)
    post(
        as_user(world.coordinator),
        "consent",
        case,
        {"scopes": ["expert_review"], "signed_by_name": "M L"},
    )
    assert not case.consents.exists()


def test_coverage_check(world, as_user):
    case = f.case(world.program, status=Status.INTAKE)
    response = post(as_user(world.coordinator), "coverage", case)
    check = CoverageCheck.objects.get(case=case)
    assert check.covered
    assert any(m.startswith("Covered:") for m in messages_of(response))


def test_coverage_not_covered_offers_decline_with_the_reason(world, as_user):
    m = f.member(world.program, benefit=False)
    case = f.case(world.program, mem=m, status=Status.INTAKE)
    response = post(as_user(world.coordinator), "coverage", case)
    check = CoverageCheck.objects.get(case=case)
    assert not check.covered
    html = response.content.decode()
    assert "Decline the case" in html
    assert f"Not covered: {check.reason}" in html.replace("&#x27;", "'")


def test_coverage_is_not_for_members(world, as_user):
    response = as_user(world.member.user).post(reverse("cases:coverage", args=[world.case.pk]))
    assert response.status_code == 403
    assert not CoverageCheck.objects.filter(case=world.case).exists()


def test_assign_expert(world, as_user):
    case = f.case(world.program, status=Status.INTAKE)
    response = post(as_user(world.coordinator), "assign", case, {"expert": world.expert.pk})
    case.refresh_from_db()
    assert case.expert == world.expert
    assert TimelineEvent.objects.filter(case=case, kind="assignment").exists()
    assert any("is assigned" in m for m in messages_of(response))


def test_assign_refused_in_review(world, as_user):
    other = f.expert()
    response = post(as_user(world.coordinator), "assign", world.case, {"expert": other.pk})
    world.case.refresh_from_db()
    assert world.case.expert == world.expert
    assert any("not in in review" in m for m in messages_of(response))


def test_assign_lists_matching_experts_first(world, as_user):
    lung = f.expert(tissues=("Lung",))
    breast = f.expert(tissues=("Breast",))
    case = f.case(world.program, status=Status.INTAKE)  # IDC: Breast
    response = as_user(world.coordinator).get(reverse("cases:detail", args=[case.pk]))
    ranked = [c.expert for c in response.context["candidates"]]
    assert ranked.index(breast) < ranked.index(lung)
    assert ranked.index(world.expert) < ranked.index(lung)
    assert response.context["tissue"] == "Breast"
    assert "1 of 5 open" in response.content.decode()  # world.expert holds world.case


def test_edit_details(world, as_user):
    client = as_user(world.coordinator)
    url = reverse("cases:edit", args=[world.case.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"cancer_type_code": "LUAD", "questions": "One?\n\n Two? ", "physician": ""}
    )
    assert response.status_code == 302
    world.case.refresh_from_db()
    assert world.case.cancer_type_label == "Lung Adenocarcinoma"
    assert world.case.questions == ["One?", "Two?"]
    assert world.case.physician == world.physician  # "none" keeps the physician


def test_edit_refused_on_a_closed_case(world, as_user):
    case = f.case(world.program, status=Status.CLOSED)
    response = as_user(world.coordinator).post(
        reverse("cases:edit", args=[case.pk]), {"cancer_type_code": "LUAD", "questions": "x"}
    )
    case.refresh_from_db()
    assert case.cancer_type_code == "IDC"
    assert "The case is closed" in response.content.decode()


def test_member_cannot_edit(world, as_user):
    response = as_user(world.member.user).get(reverse("cases:edit", args=[world.case.pk]))
    assert response.status_code == 403
    assert Case.objects.get(pk=world.case.pk).questions == world.case.questions
