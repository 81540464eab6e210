"""The expert's work on a case: draft the structured opinion, sign it, add addenda."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from consilium.apps.access.audit import audited
from consilium.apps.cases.models import Case, TimelineEvent
from consilium.apps.cases.services import RuleError, log, transition
from consilium.apps.reviews.models import Addendum, Opinion, Recommendation
from consilium.engines.casework.lifecycle import Status


@dataclass
class OpinionDraft:
    diagnosis_assessment: str = ""
    diagnosis_comment: str = ""
    treatment_assessment: str = ""
    treatment_comment: str = ""
    discrepancy: str = ""
    narrative: str = ""
    member_summary: str = ""
    answers: list[str] = field(default_factory=list)  # one per case question, in order
    recommendations: list[dict] = field(default_factory=list)  # {kind, text, rationale}


def _check_choice(value: str, choices, label: str) -> list[str]:
    return (
        []
        if not value or value in choices
        else [f"{label}: {value!r} is not one of {list(choices)}"]
    )


def save_draft(actor, case: Case, draft: OpinionDraft) -> Opinion:
    with audited(actor, "opinion.write", case) as audit:
        if case.status_enum is not Status.IN_REVIEW:
            raise RuleError(
                "The opinion can be written while the case is in review; "
                f"this case is {case.status_enum.label.lower()}"
            )
        problems = (
            _check_choice(
                draft.diagnosis_assessment, Opinion.Diagnosis.values, "diagnosis_assessment"
            )
            + _check_choice(
                draft.treatment_assessment, Opinion.Treatment.values, "treatment_assessment"
            )
            + _check_choice(draft.discrepancy, Opinion.Discrepancy.values, "discrepancy")
        )
        for i, rec in enumerate(draft.recommendations):
            if rec.get("kind") not in Recommendation.Kind.values:
                problems.append(
                    f"recommendations[{i}].kind: {rec.get('kind')!r} is not one of "
                    f"{list(Recommendation.Kind.values)}"
                )
            if not (rec.get("text") or "").strip():
                problems.append(f"recommendations[{i}].text: a recommendation needs its text")
        if problems:
            raise RuleError("The opinion has invalid fields", problems)
        with transaction.atomic():
            opinion = Opinion.objects.select_for_update().filter(case=case).first()
            if opinion is not None and opinion.is_signed:
                raise RuleError("The opinion is signed and cannot change; add an addendum")
            if opinion is None:
                opinion = Opinion(case=case, author=case.expert)
            for name in (
                "diagnosis_assessment",
                "diagnosis_comment",
                "treatment_assessment",
                "treatment_comment",
                "discrepancy",
                "narrative",
                "member_summary",
            ):
                setattr(opinion, name, getattr(draft, name).strip())
            answers = list(draft.answers) + [""] * (len(case.questions) - len(draft.answers))
            opinion.answers = [
                {"question": q, "answer": (a or "").strip()}
                for q, a in zip(case.questions, answers, strict=False)
            ]
            opinion.author = case.expert
            opinion.updated_at = timezone.now()
            opinion.save()
            opinion.recommendations.all().delete()
            Recommendation.objects.bulk_create(
                Recommendation(
                    opinion=opinion,
                    kind=rec["kind"],
                    text=rec["text"].strip(),
                    rationale=(rec.get("rationale") or "").strip(),
                    position=i,
                )
                for i, rec in enumerate(draft.recommendations)
            )
        audit.obj = opinion
    return opinion


def sign(actor, case: Case) -> Opinion:
    """Sign the opinion: it is frozen, the case moves to OPINION_SIGNED and the reports
    are rendered, all in one transaction."""
    from consilium.apps.reports.services import generate_reports

    with audited(actor, "opinion.write", case) as audit:
        audit.detail = "sign"
        opinion = Opinion.objects.filter(case=case).first()
        if opinion is None:
            raise RuleError("There is no opinion to sign yet")
        audit.obj = opinion
        if opinion.is_signed:
            raise RuleError("The opinion is already signed")
        with transaction.atomic():
            # The transition below checks the table (role, state, completeness); if it
            # refuses, the signature rolls back with it.
            opinion.signed_at = timezone.now()
            opinion.signed_by = actor.user
            opinion.save()
            case = transition(actor, case, "sign_opinion", as_effect=True)
            log(case, TimelineEvent.Kind.OPINION, "Opinion signed", actor, member_visible=False)
            generate_reports(case)
    return opinion


def add_addendum(actor, case: Case, text: str) -> Addendum:
    from consilium.apps.reports.services import generate_reports

    with audited(actor, "opinion.write", case) as audit:
        audit.detail = "addendum"
        opinion = Opinion.objects.filter(case=case).first()
        if opinion is None or not opinion.is_signed:
            raise RuleError("An addendum follows a signed opinion; edit the draft instead")
        if not text.strip():
            raise RuleError("The addendum is empty")
        with transaction.atomic():
            addendum = Addendum.objects.create(
                opinion=opinion, text=text.strip(), author=actor.user
            )
            generate_reports(case)  # reports carry the addendum; delivery stays as it was
            log(case, TimelineEvent.Kind.OPINION, "Addendum added to the opinion", actor)
        audit.obj = addendum
    return addendum


def add_recommendation(
    actor, case: Case, kind: str, text: str, rationale: str = ""
) -> tuple[Recommendation, bool]:
    """Add one recommendation to the draft opinion (creating the draft if there is none
    yet), e.g. from decision support in one click. Idempotent: a recommendation of the
    same kind and text is returned as it is, not added twice. Returns (it, created)."""
    with audited(actor, "opinion.write", case) as audit:
        audit.detail = "add recommendation"
        if case.status_enum is not Status.IN_REVIEW:
            raise RuleError(
                "Recommendations are added while the case is in review; "
                f"this case is {case.status_enum.label.lower()}"
            )
        if kind not in Recommendation.Kind.values:
            raise RuleError(f"kind: {kind!r} is not one of {list(Recommendation.Kind.values)}")
        text, rationale = text.strip(), (rationale or "").strip()
        if not text:
            raise RuleError("A recommendation needs its text")
        with transaction.atomic():
            opinion = Opinion.objects.select_for_update().filter(case=case).first()
            if opinion is not None and opinion.is_signed:
                raise RuleError("The opinion is signed and cannot change; add an addendum")
            if opinion is None:
                opinion = Opinion.objects.create(case=case, author=case.expert)
            existing = opinion.recommendations.filter(kind=kind, text=text).first()
            if existing is not None:
                audit.obj = existing
                audit.detail = "add recommendation: already there"
                return existing, False
            last = opinion.recommendations.order_by("-position").first()
            rec = Recommendation.objects.create(
                opinion=opinion,
                kind=kind,
                text=text,
                rationale=rationale,
                position=(last.position + 1) if last else 0,
            )
            opinion.updated_at = timezone.now()
            opinion.save(update_fields=["updated_at"])
        audit.obj = rec
    return rec, True
