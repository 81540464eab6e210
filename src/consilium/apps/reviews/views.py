"""The expert's pages: the workspace of assigned cases, and the opinion form beside the
records, signing and addenda. Writes go through ``reviews.services`` (policy + audit)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import audited
from consilium.apps.access.policy import permits, visible_cases
from consilium.apps.cases.lookup import get_case
from consilium.apps.cases.services import RuleError
from consilium.apps.cases.views import badge_class, is_htmx, refused
from consilium.apps.reviews import services
from consilium.apps.reviews.forms import (
    KIND_CHOICES,
    AddendumForm,
    OpinionForm,
    RecRow,
    clean_rows,
    rows_from_opinion,
    rows_from_post,
)
from consilium.apps.reviews.models import Opinion
from consilium.engines.casework.lifecycle import Status
from consilium.engines.casework.roles import Role

RECENT_DAYS = 30
_BEFORE_REVIEW = (Status.REQUESTED.value, Status.INTAKE.value)


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    if actor.role is not Role.EXPERT:
        return redirect("home")
    today = timezone.localdate()
    cutoff = timezone.now() - timedelta(days=RECENT_DAYS)
    with audited(actor, "case.list"):
        cases = list(
            visible_cases(request.user)
            .filter(
                Q(
                    status__in=[
                        *_BEFORE_REVIEW,
                        Status.READY_FOR_REVIEW.value,
                        Status.IN_REVIEW.value,
                    ]
                )
                | Q(opinion__signed_at__gte=cutoff)
            )
            .select_related("member", "opinion")
            .annotate(
                open_questions=Count("followups", filter=Q(followups__answered_at__isnull=True))
            )
            .order_by(F("due_date").asc(nulls_last=True), "created_at")
        )
        for case in cases:
            case.badge = badge_class(case.status)
            case.overdue = case.is_overdue(today)
        groups = {
            "to_start": [c for c in cases if c.status == Status.READY_FOR_REVIEW.value],
            "in_review": [c for c in cases if c.status == Status.IN_REVIEW.value],
            "upcoming": [c for c in cases if c.status in _BEFORE_REVIEW],
            "signed": sorted(
                (
                    c
                    for c in cases
                    if c.status not in _BEFORE_REVIEW
                    and c.status not in (Status.READY_FOR_REVIEW.value, Status.IN_REVIEW.value)
                ),
                key=lambda c: c.opinion.signed_at,
                reverse=True,
            ),
        }
        response = render(request, "reviews/workspace.html", {**groups, "today": today})
    return response


def _opinion_of(case) -> Opinion | None:
    return (
        Opinion.objects.filter(case=case)
        .select_related("signed_by", "author__user")
        .prefetch_related("recommendations", "addenda__author")
        .first()
    )


def _page(
    request,
    actor,
    case,
    opinion,
    *,
    form=None,
    rows=None,
    addendum_form=None,
    confirm_error="",
    status=200,
) -> HttpResponse:
    """The opinion page: the form while the expert may edit, else the read-only opinion;
    the case's records beside it. Audited as one opinion view."""
    editable = (
        permits(request.user, "opinion.write", case)
        and case.status_enum is Status.IN_REVIEW
        and not (opinion and opinion.is_signed)
    )
    if editable and form is None:
        form = OpinionForm(
            initial=OpinionForm.initial_from(opinion, case.questions), questions=case.questions
        )
        rows = rows_from_opinion(opinion)
    can_addendum = (
        permits(request.user, "opinion.write", case) and opinion is not None and opinion.is_signed
    )
    with audited(actor, "opinion.view", case, obj=opinion):
        documents = list(case.documents.all())
        response = render(
            request,
            "reviews/opinion.html",
            {
                "case": case,
                "opinion": opinion,
                "editable": editable,
                "form": form,
                "rows": rows or [],
                "next_row": (rows[-1].index + 1) if rows else 0,
                "kinds": KIND_CHOICES,
                "documents": documents,
                "can_addendum": can_addendum,
                "addendum_form": addendum_form or AddendumForm(),
                "confirm_error": confirm_error,
                "badge": badge_class(case.status),
                "can_view_decision": permits(request.user, "decision.view", case),
            },
            status=status,
        )
    return response


def _bound(request, case) -> tuple[OpinionForm, list[RecRow], list[dict] | None]:
    """The posted form and rows; the recommendations list is None when a row is invalid."""
    form = OpinionForm(request.POST, questions=case.questions)
    rows = rows_from_post(request.POST)
    recs = clean_rows(rows)
    return form, rows, (None if any(r.error for r in rows) else recs)


def _save(request, actor, case, form, recs) -> str | None:
    """Save the draft; the refusal message (with reasons) or None."""
    try:
        services.save_draft(actor, case, form.draft(recs))
    except RuleError as exc:
        form.add_error(None, exc.message)
        for reason in exc.reasons:
            if reason != exc.message:
                form.add_error(None, reason)
        return exc.message
    return None


@login_required
def opinion(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "opinion.view")
    if request.GET.get("row", "").isdigit() and is_htmx(request):
        # "Add another recommendation": a blank row, and the button moved to the next one.
        index = min(int(request.GET["row"]), 999)
        return render(
            request,
            "reviews/_rec_row.html",
            {
                "row": RecRow(index),
                "kinds": KIND_CHOICES,
                "case": case,
                "next_row": index + 1,
                "oob": True,
            },
        )
    current = _opinion_of(case)
    if request.method == "POST":
        form, rows, recs = _bound(request, case)
        if form.is_valid() and recs is not None and _save(request, actor, case, form, recs) is None:
            messages.success(request, "Draft saved.")
            return redirect("reviews:opinion", pk=case.pk)
        if recs is None:
            form.add_error(None, "A recommendation row needs fixing (see below).")
        return _page(request, actor, case, current, form=form, rows=rows, status=400)
    return _page(request, actor, case, current)


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "opinion.write")
    confirmed = request.POST.get("confirm") in ("on", "1", "yes")
    with_fields = request.POST.get("opinion_form") == "1"
    confirm_error = (
        "" if confirmed else ("Tick “I have reviewed the records and sign this opinion” to sign.")
    )
    if with_fields:
        # Signed from the form: what is on screen is saved first, so nothing is lost.
        form, rows, recs = _bound(request, case)
        if not form.is_valid() or recs is None or confirm_error:
            if recs is None:
                form.add_error(None, "A recommendation row needs fixing (see below).")
            return _page(
                request,
                actor,
                case,
                _opinion_of(case),
                form=form,
                rows=rows,
                confirm_error=confirm_error,
                status=400,
            )
        if _save(request, actor, case, form, recs) is not None:
            return _page(request, actor, case, _opinion_of(case), form=form, rows=rows, status=400)
    elif confirm_error:
        messages.error(request, confirm_error)
        return redirect("reviews:opinion", pk=case.pk)
    try:
        services.sign(actor, case)
    except RuleError as exc:
        refused(request, exc)
    else:
        messages.success(
            request,
            "Opinion signed. The expert report and the member's summary "
            "are ready for the coordinator to deliver.",
        )
    return redirect("reviews:opinion", pk=case.pk)


@login_required
@require_POST
def addendum(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "opinion.write")
    form = AddendumForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, case, _opinion_of(case), addendum_form=form, status=400)
    try:
        services.add_addendum(actor, case, form.cleaned_data["text"])
    except RuleError as exc:
        refused(request, exc)
    else:
        messages.success(request, "Addendum added; the reports now include it.")
    return redirect(reverse("reviews:opinion", args=[case.pk]) + "#addenda")
