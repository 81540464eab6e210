"""Case operations: open a case, intake steps and lifecycle transitions.

Each function authorizes and audits through ``access``, asks the casework engine what
the rules allow, and writes everything in one transaction with its timeline event.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from consilium.apps.access.audit import audited
from consilium.apps.cases.models import Case, Consent, CoverageCheck, TimelineEvent
from consilium.engines.casework import lifecycle
from consilium.engines.casework.calendar import add_business_days
from consilium.engines.casework.coverage import check_coverage
from consilium.engines.casework.lifecycle import CaseFacts, Status
from consilium.engines.knowledge.cancer_types import by_code


class RuleError(Exception):
    """The request breaks a rule of the program; ``reasons`` say which, for the user."""

    def __init__(self, message: str, reasons: tuple[str, ...] | list[str] = ()):
        super().__init__(message)
        self.message = message
        self.reasons = tuple(reasons) or (message,)


def log(case: Case, kind: str, summary: str, actor=None, *, detail: str = "", **fields):
    user = getattr(actor, "user", None)
    user = user if getattr(user, "is_authenticated", False) else None
    return TimelineEvent.objects.create(
        case=case,
        kind=kind,
        summary=summary,
        detail=detail,
        actor=user,
        actor_role=user.role if user else "",
        **fields,
    )


def facts_for(case: Case) -> CaseFacts:
    from consilium.apps.records.models import Document

    opinion = getattr(case, "opinion", None) if case.pk else None
    return CaseFacts(
        status=case.status_enum,
        consent_active=case.consents.filter(
            scope=Consent.Scope.EXPERT_REVIEW, revoked_at__isnull=True
        ).exists(),
        coverage_passed=bool(
            (latest := case.coverage_checks.order_by("-checked_at", "-pk").first())
            and latest.covered
        ),
        has_pathology_report=case.documents.filter(kind=Document.Kind.PATHOLOGY).exists(),
        expert_assigned=case.expert_id is not None,
        opinion_complete=bool(opinion and opinion.is_complete),
        opinion_signed=bool(opinion and opinion.is_signed),
        reports_ready=case.reports.count() >= 2,
        open_followup_questions=case.followups.filter(answered_at__isnull=True).count(),
    )


@dataclass
class NewCase:
    member: object
    origin: str
    cancer_type_code: str = ""
    questions: list[str] | None = None
    clinical_summary: str = ""
    physician: object = None
    urgent: bool = False


_OPEN_ACTION = {
    Case.Origin.MEMBER_REQUEST: "case.request",
    Case.Origin.PHYSICIAN_REFERRAL: "case.refer",
    Case.Origin.PROACTIVE: "case.open",
}


def open_case(actor, new: NewCase) -> Case:
    """Open a case: a member for themself, a physician for a patient, or a coordinator."""
    from consilium.apps.access.policy import role_of
    from consilium.engines.casework.roles import Role

    role = role_of(actor.user)
    action = "case.open" if role is Role.COORDINATOR else _OPEN_ACTION[Case.Origin(new.origin)]
    with audited(actor, action) as audit:
        if role is Role.MEMBER and new.member.user_id != actor.user.pk:
            raise RuleError("A member can request a review only for themself")
        if role is Role.COORDINATOR and new.member.program_id != actor.user.program_id:
            raise RuleError("The member belongs to another program")
        if new.cancer_type_code and by_code(new.cancer_type_code) is None:
            raise RuleError(f"Unknown cancer type code {new.cancer_type_code!r}")
        questions = [q.strip() for q in (new.questions or []) if q and q.strip()]
        cancer = by_code(new.cancer_type_code) if new.cancer_type_code else None
        with transaction.atomic():
            case = Case.objects.create(
                program=new.member.program,
                member=new.member,
                origin=new.origin,
                requested_by=actor.user if actor.user.is_authenticated else None,
                physician=new.physician,
                cancer_type_code=cancer.code if cancer else "",
                cancer_type_label=cancer.name if cancer else "",
                questions=questions,
                clinical_summary=new.clinical_summary.strip(),
                urgent=new.urgent,
            )
            origin_label = Case.Origin(new.origin).label.lower()
            log(
                case,
                TimelineEvent.Kind.CREATED,
                f"Case opened ({origin_label})",
                actor,
                to_status=Status.REQUESTED.value,
            )
        audit.obj = audit.case = case
    return case


def transition(actor, case: Case, name: str, reason: str = "", *, as_effect: bool = False) -> Case:
    """Make a lifecycle transition if the table allows it for the actor's role.

    An implicit transition (signing the opinion) is only made as the effect of its action
    (``as_effect=True`` from reviews.services.sign), never as a bare status change.
    """
    with audited(actor, "case.transition", case) as audit:
        audit.detail = name
        try:
            spec = lifecycle.get(name)
        except lifecycle.UnknownTransition:
            raise RuleError(f"Unknown transition {name!r}") from None
        if spec.implicit and not as_effect:
            raise RuleError(f"'{spec.label}' happens by its own action, not as a status change")
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case.pk)
            verdict = lifecycle.evaluate(spec, actor.role, facts_for(case))
            if not verdict.allowed:
                raise RuleError(f"Cannot {spec.label.lower()}", verdict.reasons)
            if spec.needs_reason and not reason.strip():
                raise RuleError(f"'{spec.label}' needs a reason")
            _apply(actor, case, spec, reason.strip())
        audit.detail = f"{name}: {spec.target.value}"
    return case


def _apply(actor, case: Case, spec: lifecycle.Transition, reason: str) -> None:
    previous = case.status
    now = timezone.now()
    case.status = spec.target.value
    case.status_changed_at = now
    if spec.target is Status.READY_FOR_REVIEW and case.due_date is None:
        case.ready_at = now
        case.due_date = add_business_days(
            timezone.localdate(now), case.program.review_due_business_days
        )
    if spec.target in (Status.CLOSED, Status.WITHDRAWN, Status.DECLINED):
        case.closed_reason = reason
    if spec.name == "return_to_queue" and actor.role is not None and actor.role.value == "expert":
        case.expert = None  # the expert handed the case back: a coordinator reassigns it
    case.save()
    log(
        case,
        TimelineEvent.Kind.STATUS,
        f"{Status(previous).label} → {spec.target.label}",
        actor,
        detail=reason,
        from_status=previous,
        to_status=spec.target.value,
    )
    if spec.name == "deliver_report":
        from consilium.apps.reports.services import mark_delivered

        mark_delivered(actor, case)


def sign_consent(actor, case: Case, scope: str, signed_by_name: str, method: str) -> Consent:
    from consilium.engines.casework.roles import Role

    action = "consent.sign" if actor.role is Role.MEMBER else "consent.record"
    with audited(actor, action, case) as audit:
        if case.status_enum.is_terminal:
            raise RuleError("The case is closed")
        if not signed_by_name.strip():
            raise RuleError("Consent needs the name of the person signing")
        if actor.role is Role.MEMBER:
            method = Consent.Method.ELECTRONIC
        elif method == Consent.Method.ELECTRONIC:
            raise RuleError("Only the member can sign electronically; record paper or verbal")
        with transaction.atomic():
            consent = Consent.objects.create(
                case=case,
                scope=Consent.Scope(scope),
                signed_by_name=signed_by_name.strip(),
                method=method,
                recorded_by=actor.user,
            )
            log(
                case,
                TimelineEvent.Kind.CONSENT,
                f"Consent signed: {consent.get_scope_display()}",
                actor,
                detail=consent.get_method_display(),
            )
        audit.obj = consent
    return consent


def revoke_consent(actor, case: Case, consent: Consent, reason: str) -> Consent:
    with audited(actor, "consent.revoke", case, obj=consent):
        if consent.case_id != case.pk:
            raise RuleError("That consent belongs to another case")
        if not consent.active:
            raise RuleError("That consent is already revoked")
        with transaction.atomic():
            consent.revoked_at = timezone.now()
            consent.revoked_by = actor.user
            consent.revoke_reason = reason.strip()
            consent.save()
            log(
                case,
                TimelineEvent.Kind.CONSENT,
                f"Consent revoked: {consent.get_scope_display()}",
                actor,
                detail=reason,
            )
    return consent


def run_coverage_check(actor, case: Case) -> CoverageCheck:
    with audited(actor, "coverage.check", case) as audit:
        decision = check_coverage(case.member.span_data(), case.request_date)
        with transaction.atomic():
            check = CoverageCheck.objects.create(
                case=case,
                checked_for=case.request_date,
                covered=decision.covered,
                reason=decision.reason,
                checked_by=actor.user,
            )
            log(
                case,
                TimelineEvent.Kind.COVERAGE,
                "Coverage confirmed" if decision.covered else "Coverage not confirmed",
                actor,
                detail=decision.reason,
                member_visible=False,
            )
        audit.obj = check
    return check


def assign_expert(actor, case: Case, expert) -> Case:
    with audited(actor, "case.assign", case, obj=expert):
        if case.status_enum not in (Status.INTAKE, Status.READY_FOR_REVIEW, Status.REQUESTED):
            raise RuleError(
                f"An expert can be assigned during intake or while ready for review, "
                f"not in {case.status_enum.label.lower()}"
            )
        if not expert.active:
            raise RuleError(f"{expert} is not taking cases")
        with transaction.atomic():
            case.expert = expert
            case.save(update_fields=["expert"])
            log(
                case,
                TimelineEvent.Kind.ASSIGNMENT,
                f"Expert assigned: {expert}",
                actor,
                member_visible=False,
            )
    return case


def update_details(
    actor,
    case: Case,
    *,
    cancer_type_code: str | None = None,
    questions: list[str] | None = None,
    physician=None,
) -> Case:
    with audited(actor, "case.edit", case):
        if case.status_enum.is_terminal:
            raise RuleError("The case is closed")
        if cancer_type_code is not None:
            cancer = by_code(cancer_type_code) if cancer_type_code else None
            if cancer_type_code and cancer is None:
                raise RuleError(f"Unknown cancer type code {cancer_type_code!r}")
            case.cancer_type_code = cancer.code if cancer else ""
            case.cancer_type_label = cancer.name if cancer else ""
        if questions is not None:
            case.questions = [q.strip() for q in questions if q.strip()]
        if physician is not None:
            case.physician = physician
        case.save()
    return case
