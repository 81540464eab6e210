"""People confirm, correct or reject facts: the proposal is never overwritten, every
step is kept with who, when and why, and each one is audited."""

from __future__ import annotations

from datetime import date

import pytest

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.services import RuleError
from consilium.apps.preparation import services
from consilium.apps.preparation.models import CaseFact, FactReview
from tests import factories as f


@pytest.fixture
def facts(world):
    doc = f.pathology(world.case)
    doc.text += "Pathologic stage: pT1c pN0.\n"
    doc.save()
    services.abstract_document(doc)
    found = {x.name: x for x in CaseFact.objects.filter(document=doc)}
    assert {"pT", "ER", "PR", "HER2"} <= set(found)
    return found


def test_a_correction_keeps_the_proposal_and_the_history(world, facts):
    expert = f.actor(world.expert.user)
    her2 = facts["HER2"]
    services.review_fact(
        expert, world.case, her2, "correct", value="Equivocal", note="IHC 2+ on review of slides"
    )
    her2.refresh_from_db()
    assert (her2.value, her2.corrected_value, her2.current_value) == (
        "negative",
        "equivocal",
        "equivocal",
    )
    assert her2.review_status == "corrected" and her2.reviewed_by == world.expert.user

    services.review_fact(f.actor(world.coordinator), world.case, her2, "confirm")
    her2.refresh_from_db()
    assert her2.current_value == "negative" and her2.value == "negative"
    history = list(FactReview.objects.filter(fact=her2))
    assert [(h.action, h.value, h.by) for h in history] == [
        ("corrected", "equivocal", world.expert.user),
        ("confirmed", "negative", world.coordinator),
    ]
    assert history[0].note == "IHC 2+ on review of slides"
    events = AuditEvent.objects.filter(action="facts.review", object_id=str(her2.pk))
    assert events.filter(outcome="allowed").count() == 2
    assert "negative → equivocal" in events.order_by("pk").first().detail

    summary = services.prepare(world.case).summary
    assert summary.value("HER2") == "negative"


def test_a_rejected_fact_leaves_the_summary_but_stays_on_file(world, facts):
    er = facts["ER"]
    services.review_fact(
        f.actor(world.coordinator), world.case, er, "reject", note="Read from the wrong specimen"
    )
    prep = services.prepare(world.case)
    assert prep.summary.value("ER") is None
    assert [x.id for x in prep.summary.get("ER").rejected] == [er.pk]
    assert CaseFact.objects.filter(pk=er.pk, review_status="rejected").exists()


@pytest.mark.parametrize(
    "action, value, note, message",
    [
        ("correct", "T9", "typo", "not an AJCC T category"),
        ("correct", "T2", "", "Say why"),
        ("correct", "T1c", "same", "the proposed value"),
        ("reject", "", "", "Say why"),
        ("promote", "", "", "Unknown review action"),
    ],
)
def test_bad_reviews_are_refused_with_the_reason_and_change_nothing(
    world, facts, action, value, note, message
):
    target = facts["pT"]
    with pytest.raises(services.InvalidFact, match=message):
        services.review_fact(
            f.actor(world.coordinator), world.case, target, action, value=value, note=note
        )
    target.refresh_from_db()
    assert target.review_status == "proposed" and not target.reviews.exists()
    assert AuditEvent.objects.filter(action="facts.review", outcome="failed").exists()


def test_confirming_twice_is_a_rule_refusal(world, facts):
    services.review_fact(f.actor(world.coordinator), world.case, facts["PR"], "confirm")
    with pytest.raises(RuleError, match="already confirmed"):
        services.review_fact(f.actor(world.coordinator), world.case, facts["PR"], "confirm")


def test_a_fact_entered_by_hand_is_kept_as_the_persons_word(world, facts):
    fact = services.add_manual_fact(
        f.actor(world.expert.user),
        world.case,
        name="CEA",
        value="4.2  ng/mL",
        note="Outside lab, faxed 2025-03-02",
        effective_date=date(2025, 3, 1),
    )
    assert fact.source == "manual" and fact.value == "4.2 ng/mL"
    assert fact.review_status == "confirmed" and fact.created_by == world.expert.user
    assert fact.reviews.get().note == "Outside lab, faxed 2025-03-02"
    manual_er = services.add_manual_fact(
        f.actor(world.coordinator), world.case, name="ER", value="negative", note="Repeat assay"
    )
    summary = services.prepare(world.case).summary
    assert summary.value("CEA") == "4.2 ng/mL"
    # A person's word answers before the proposal, and the disagreement stays flagged.
    er = summary.get("ER")
    assert er.chosen.id == manual_er.pk and er.conflict and er.resolved
    assert AuditEvent.objects.filter(action="facts.review", object_id=str(fact.pk)).exists()


@pytest.mark.parametrize(
    "name, value, note, field",
    [
        ("", "x", "n", "name"),
        ("pN", "N7", "n", "value"),
        ("CEA", "4", "", "note"),
    ],
)
def test_a_bad_manual_fact_names_the_field_at_fault(world, name, value, note, field):
    with pytest.raises(services.InvalidFact) as caught:
        services.add_manual_fact(
            f.actor(world.coordinator), world.case, name=name, value=value, note=note
        )
    assert caught.value.field == field
    assert not CaseFact.objects.filter(case=world.case, source="manual").exists()


def test_facts_of_a_closed_case_can_no_longer_change(world, facts):
    world.case.status = "CLOSED"
    world.case.save()
    with pytest.raises(RuleError, match="closed"):
        services.review_fact(f.actor(world.coordinator), world.case, facts["ER"], "confirm")


def test_the_merged_facts_give_decision_support_the_summarys_answer(world, facts):
    from consilium.apps.preparation.facts import merged_facts
    from consilium.engines.decision.profile import profile_from_facts

    newer = services.add_manual_fact(
        f.actor(world.coordinator), world.case, name="HER2", value="positive", note="Repeat FISH"
    )
    services.review_fact(
        f.actor(world.coordinator), world.case, newer, "reject", note="Wrong patient"
    )
    profile = profile_from_facts(merged_facts(world.case))
    assert profile.biomarker("HER2").status == "negative"
    assert profile.cancer_type == "IDC" and profile.pT == "T1c"
