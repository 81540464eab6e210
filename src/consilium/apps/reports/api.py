"""Report routes of the JSON API: the delivered reports (HTML in JSON, or PDF) and the
member's follow-up questions to the expert."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import Router, Status

from consilium.apps.access.audit import audited
from consilium.apps.cases.api import ERRORS, actor_of, not_found
from consilium.apps.cases.lookup import get_case
from consilium.apps.reports import services
from consilium.apps.reports.models import FollowUpQuestion, Report
from consilium.apps.reports.schemas import AnswerIn, QuestionOut, ReportKind, ReportOut, TextIn

router = Router(tags=["reports"])


def _view_action(kind: str) -> str:
    return f"report.{kind}.view"  # report.physician.view / report.member.view


def _read(request, case_id: int, kind: str):
    actor = actor_of(request)
    case = get_case(actor, case_id, _view_action(kind))
    return case, services.read_report(actor, case, kind)


@router.get(
    "/{case_id}/reports/{kind}",
    response={200: ReportOut, **ERRORS},
    summary="A report (physician: the expert report; member: the plain summary)",
)
def get_report(request, case_id: int, kind: ReportKind):
    """Members and physicians read a report once it is delivered (409 before)."""
    _, report = _read(request, case_id, kind)
    return ReportOut(
        kind=report.kind,
        title=report.get_kind_display(),
        html=report.html,
        generated_at=report.generated_at,
        delivered_at=report.delivered_at,
        delivered_to=report.delivered_to,
    )


@router.get(
    "/{case_id}/reports/{kind}/pdf",
    response=ERRORS,
    summary="A report as PDF",
    openapi_extra={
        "responses": {
            200: {"description": "The report as a PDF.", "content": {"application/pdf": {}}}
        }
    },
)
def get_report_pdf(request, case_id: int, kind: ReportKind):
    case, report = _read(request, case_id, kind)
    name = "expert-report" if kind == Report.Kind.PHYSICIAN else "member-summary"
    response = HttpResponse(services.pdf_bytes(report), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{case.reference}-{name}.pdf"
    )
    return response


def _question_out(q: FollowUpQuestion) -> QuestionOut:
    return QuestionOut(
        id=q.pk,
        text=q.text,
        asked_at=q.asked_at,
        asked_by_role=q.asked_by.role,
        answered=q.is_answered,
        answer=q.answer,
        answered_at=q.answered_at,
        answered_by=q.answered_by.display_name if q.answered_by else None,
    )


@router.get(
    "/{case_id}/questions",
    response={200: list[QuestionOut], **ERRORS},
    summary="Follow-up questions of a case",
)
def list_questions(request, case_id: int):
    actor = actor_of(request)
    case = get_case(actor, case_id, "followup.view")
    with audited(actor, "followup.view", case):
        qs = case.followups.select_related("asked_by", "answered_by")
        return [_question_out(q) for q in qs]


@router.post(
    "/{case_id}/questions",
    response={201: QuestionOut, **ERRORS},
    summary="Ask the expert a follow-up question (member)",
)
def ask_question(request, case_id: int, payload: TextIn):
    """After delivery, until the case closes; a member may ask a limited number of
    questions per case (the one over the limit is a 409)."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "followup.ask")
    return Status(201, _question_out(services.ask_followup(actor, case, payload.text)))


@router.post(
    "/{case_id}/questions/{question_id}/answer",
    response={200: QuestionOut, **ERRORS},
    summary="Answer a follow-up question (the assigned expert)",
)
def answer_question(request, case_id: int, question_id: int, payload: AnswerIn):
    actor = actor_of(request)
    case = get_case(actor, case_id, "followup.answer")
    question = case.followups.select_related("asked_by").filter(pk=question_id).first()
    if question is None:
        not_found(actor, "followup.answer", case, f"no question {question_id}")
    return _question_out(services.answer_followup(actor, case, question, payload.text))
