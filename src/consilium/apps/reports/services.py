"""Rendering, delivering and reading reports; follow-up questions after delivery."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from consilium.apps.access.audit import audited
from consilium.apps.cases.models import Case, TimelineEvent
from consilium.apps.cases.services import RuleError, log
from consilium.apps.reports.models import FollowUpQuestion, Report
from consilium.engines.casework.lifecycle import Status

TEMPLATES = {
    Report.Kind.PHYSICIAN: "reports/physician_report.html",
    Report.Kind.MEMBER: "reports/member_summary.html",
}
DELIVERED = (Status.REPORT_DELIVERED, Status.CLOSED)


def report_context(case: Case) -> dict:
    opinion = case.opinion
    return {
        "case": case,
        "member": case.member,
        "opinion": opinion,
        "expert": opinion.author,
        "recommendations": list(opinion.recommendations.all()),
        "addenda": list(opinion.addenda.select_related("author")),
        "documents": list(case.documents.order_by("uploaded_at")),
        "age": case.member.age_on(case.request_date),
        "generated_at": timezone.now(),
    }


def render(case: Case, kind: str) -> str:
    return render_to_string(TEMPLATES[Report.Kind(kind)], report_context(case))


def generate_reports(case: Case) -> list[Report]:
    """Render both reports from the signed opinion (re-rendered when an addendum comes)."""
    reports = []
    for kind in Report.Kind:
        report, _ = Report.objects.update_or_create(
            case=case,
            kind=kind,
            defaults={
                "opinion": case.opinion,
                "html": render(case, kind),
                "generated_at": timezone.now(),
            },
        )
        reports.append(report)
    return reports


def mark_delivered(actor, case: Case) -> None:
    """Called by the deliver_report transition, inside its transaction."""
    now = timezone.now()
    for report in case.reports.all():
        if report.kind == Report.Kind.PHYSICIAN:
            to = case.physician.name if case.physician else "Kept on file (no treating physician)"
        else:
            to = case.member.full_name
        report.delivered_at, report.delivered_to, report.delivered_by = now, to, actor.user
        report.save()
        log(
            case,
            TimelineEvent.Kind.REPORT,
            f"{report.get_kind_display()} delivered",
            actor,
            detail=f"to {to}",
        )


def _action(kind: str) -> str:
    return "report.physician.view" if kind == Report.Kind.PHYSICIAN else "report.member.view"


def read_report(actor, case: Case, kind: str) -> Report:
    """The report as delivered. Members and physicians see it only once delivered."""
    from consilium.engines.casework.roles import Role

    with audited(actor, _action(kind), case) as audit:
        report = case.reports.filter(kind=kind).first()
        audit.obj = report
        before_delivery = report is None or report.delivered_at is None
        if report is None or (before_delivery and actor.role in (Role.MEMBER, Role.PHYSICIAN)):
            raise RuleError("The report is not available yet")
    return report


def pdf_bytes(report: Report) -> bytes:
    from weasyprint import HTML

    return HTML(string=report.html, base_url=str(settings.BASE_DIR)).write_pdf()


def ask_followup(actor, case: Case, text: str) -> FollowUpQuestion:
    with audited(actor, "followup.ask", case) as audit:
        text = text.strip()
        if case.status_enum is not Status.REPORT_DELIVERED:
            raise RuleError(
                "Follow-up questions can be asked once the report is delivered, "
                "until the case is closed"
            )
        if not text:
            raise RuleError("The question is empty")
        if len(text) > 2000:
            raise RuleError("Please keep a question under 2,000 characters")
        limit = settings.FOLLOWUP_QUESTION_LIMIT
        with transaction.atomic():
            Case.objects.select_for_update().filter(pk=case.pk).first()
            asked = case.followups.filter(asked_by=actor.user).count()
            if asked >= limit:
                raise RuleError(f"You have asked the {limit} follow-up questions this case allows")
            question = FollowUpQuestion.objects.create(case=case, asked_by=actor.user, text=text)
            log(case, TimelineEvent.Kind.QUESTION, "Follow-up question asked", actor)
        audit.obj = question
    return question


def answer_followup(actor, case: Case, question: FollowUpQuestion, text: str) -> FollowUpQuestion:
    with audited(actor, "followup.answer", case, obj=question):
        if question.case_id != case.pk:
            raise RuleError("That question belongs to another case")
        if question.is_answered:
            raise RuleError("That question is already answered")
        if not text.strip():
            raise RuleError("The answer is empty")
        with transaction.atomic():
            question.answer = text.strip()
            question.answered_by = actor.user
            question.answered_at = timezone.now()
            question.save()
            log(case, TimelineEvent.Kind.QUESTION, "Follow-up question answered", actor)
    return question
