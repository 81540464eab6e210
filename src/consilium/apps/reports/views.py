"""Reading reports (HTML and PDF) and follow-up questions after delivery.

The stored report is a standalone HTML document (the same one the PDF is printed from),
so the HTML view returns it as the page, with a small navigation bar placed just inside
its <body>; the stored document itself is never changed.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from consilium.apps.access.actors import Actor
from consilium.apps.cases.lookup import get_case
from consilium.apps.cases.services import RuleError
from consilium.apps.cases.views import refused
from consilium.apps.reports import services
from consilium.apps.reports.models import FollowUpQuestion, Report

_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)
ACTIONS = {Report.Kind.PHYSICIAN: "report.physician.view", Report.Kind.MEMBER: "report.member.view"}
PDF_NAMES = {Report.Kind.PHYSICIAN: "expert-report", Report.Kind.MEMBER: "review-summary"}


def _kind(kind: str) -> str:
    if kind not in Report.Kind.values:
        raise Http404("No such report")
    return kind


def _read(request: HttpRequest, pk: int, kind: str):
    actor = Actor.from_request(request)
    case = get_case(actor, pk, ACTIONS[Report.Kind(kind)])
    return actor, case, services.read_report(actor, case, kind)


@login_required
def view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    kind = _kind(kind)
    try:
        actor, case, report = _read(request, pk, kind)
    except RuleError as exc:
        refused(request, exc)
        return redirect(reverse("cases:detail", args=[pk]) + "#reports")
    bar = render_to_string(
        "reports/pages/bar.html", {"case": case, "report": report}, request=request
    )
    html = report.html
    match = _BODY.search(html)
    html = html[: match.end()] + bar + html[match.end() :] if match else bar + html
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@login_required
def pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    kind = _kind(kind)
    try:
        _actor, case, report = _read(request, pk, kind)
    except RuleError as exc:
        refused(request, exc)
        return redirect(reverse("cases:detail", args=[pk]) + "#reports")
    data = services.pdf_bytes(report)
    response = HttpResponse(data, content_type="application/pdf")
    filename = f"{case.reference}-{PDF_NAMES[Report.Kind(kind)]}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_POST
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "followup.ask")
    try:
        services.ask_followup(actor, case, request.POST.get("text", ""))
    except RuleError as exc:
        refused(request, exc)
    else:
        messages.success(
            request, "Your question was sent to the expert. You will see the answer on this page."
        )
    return redirect(reverse("cases:detail", args=[case.pk]) + "#questions")


@login_required
@require_POST
def answer(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "followup.answer")
    question = get_object_or_404(FollowUpQuestion, pk=qid, case=case)
    try:
        services.answer_followup(actor, case, question, request.POST.get("answer", ""))
    except RuleError as exc:
        refused(request, exc)
    else:
        messages.success(request, "Answer sent.")
    return redirect(reverse("cases:detail", args=[case.pk]) + "#questions")
