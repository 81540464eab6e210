"""Case summary pages: the full summary (merged facts, review forms and history, the
clinical timeline, the completeness checklist), the panel the case page loads with htmx,
the intake checklist panel, and the POST endpoints for reviews, manual facts and
re-running the abstraction.

Reads pass ``get_case(..., "facts.view")`` and are audited as ``facts.view``; writes go
through the services, which check the policy and audit.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import audited
from consilium.apps.access.policy import permits
from consilium.apps.cases.lookup import get_case
from consilium.apps.cases.services import RuleError
from consilium.apps.cases.views import refused
from consilium.apps.preparation import services
from consilium.apps.preparation.models import AbstractionRun, CaseFact, FactReview
from consilium.engines.abstraction.merge import rules

ACTIVE = (AbstractionRun.Status.QUEUED, AbstractionRun.Status.RUNNING)


def _summary_url(case, anchor: str = "") -> str:
    return reverse("preparation:summary", args=[case.pk]) + (f"#{anchor}" if anchor else "")


def _known_names() -> list[str]:
    """Fact names offered when entering a fact by hand (any other name is accepted)."""
    from consilium.engines.abstraction.lexicon import load

    names = [n for n in rules()["facts"] if n != "treatment"]
    names += [n for n in load("biomarkers")["markers"] if n not in names]
    return names


def _quote(fact: CaseFact, text: str) -> tuple[str, str, str] | None:
    """The fact's sentence split around its span, to mark the words the fact was read
    from; None when the span is not inside the sentence (the sentence is shown plain)."""
    if fact.start is None or fact.end is None or not fact.sentence or not text:
        return None
    span = text[fact.start : fact.end]
    at = fact.sentence.find(span) if span else -1
    if at < 0:
        return None
    return fact.sentence[:at], span, fact.sentence[at + len(span) :]


def _context(request: HttpRequest, actor: Actor, case) -> dict:
    prep = services.prepare(case)
    user = request.user
    weak_ids = {f.id for m in prep.summary.facts.values() for f in m.weak}
    texts = {d.pk: d.text for d in prep.documents}
    for row in prep.rows:
        row.weak = row.pk in weak_ids
        row.from_ocr = row.document is not None and row.document.from_ocr(row.start, row.end)
        row.quote = _quote(row, texts.get(row.document_id) or "")
        row.viewer_query = services.viewer_query(row, texts.get(row.document_id) or "")
    histories: dict[int, list[FactReview]] = {}
    for review in FactReview.objects.filter(fact__case=case).select_related("by"):
        histories.setdefault(review.fact_id, []).append(review)
    rows = prep.by_id
    ocr_pending = [d for d in prep.documents if d.ocr_pending]
    active = bool(ocr_pending) or any(r.status in ACTIVE for r in prep.runs.values())
    groups = []
    for key, label, items in prep.summary.by_group():
        groups.append(
            {
                "key": key,
                "label": label,
                "items": [
                    {
                        "merged": m,
                        "rows": [rows[f.id] for f in m.facts],
                        "chosen_row": rows.get(m.chosen.id) if m.chosen else None,
                        # A lab series: each value by date with the rows that say it.
                        "series": [
                            {"point": p, "rows": [rows[f.id] for f in p.facts]} for p in m.series
                        ],
                    }
                    for m in items
                ],
            }
        )
    treatments = [rows[f.id] for f in prep.summary.treatments]
    documents = [
        {"doc": d, "run": prep.runs.get(d.pk)} for d in sorted(prep.documents, key=lambda d: d.pk)
    ]
    return {
        "case": case,
        "prep": prep,
        "summary": prep.summary,
        "groups": groups,
        "treatments": treatments,
        "rejected_count": sum(1 for f in prep.rows if f.review_status == CaseFact.Review.REJECTED),
        "histories": histories,
        "checklist": prep.checklist,
        "timeline": prep.timeline,
        "documents": documents,
        "active_runs": active,
        "ocr_pending": ocr_pending,
        "can_review": permits(user, "facts.review", case) and not case.status_enum.is_terminal,
        "can_run": permits(user, "abstraction.run", case) and not case.status_enum.is_terminal,
        "known_names": _known_names(),
        "today": timezone.localdate().isoformat(),
    }


@login_required
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "facts.view")
    with audited(actor, "facts.view", case) as audit:
        audit.detail = "case summary page"
        ctx = _context(request, actor, case)
        response = render(request, "preparation/summary.html", ctx)
    return response


@login_required
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page's summary section, loaded with htmx (and polled while runs are
    queued or running, so the status moves without a reload)."""
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "facts.view")
    with audited(actor, "facts.view", case) as audit:
        audit.detail = "case page panel"
        prep = services.prepare(case)
        runs = list(prep.runs.values())
        # Scans OCR is still reading: shown with their page, and the panel keeps polling.
        ocr_pending = [d for d in prep.documents if d.ocr_pending]
        ctx = {
            "case": case,
            "summary": prep.summary,
            "checklist": prep.checklist,
            "headline": [
                m
                for name in ("cancer_type", "stage_group", "pT", "pN", "pM", "ER", "PR", "HER2")
                if (m := prep.summary.get(name)) is not None
            ],
            "fact_count": sum(1 for f in prep.rows if f.review_status != "rejected"),
            "to_review": sum(1 for f in prep.rows if f.review_status == "proposed"),
            "runs": runs,
            "run_counts": _run_counts(runs),
            "active_runs": bool(ocr_pending) or any(r.status in ACTIVE for r in runs),
            "ocr_pending": ocr_pending,
            "can_run": permits(request.user, "abstraction.run", case)
            and not case.status_enum.is_terminal,
        }
        response = render(request, "preparation/_panel.html", ctx)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def checklist_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The completeness checklist for the intake panel: what is missing for this type."""
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "facts.view")
    with audited(actor, "facts.view", case) as audit:
        audit.detail = "intake checklist"
        prep = services.prepare(case)
        response = render(
            request,
            "preparation/_checklist_intake.html",
            {"case": case, "checklist": prep.checklist},
        )
    return response


def _run_counts(runs) -> list[tuple[str, str, int]]:
    counts: dict[str, int] = {}
    for r in runs:
        counts[r.status] = counts.get(r.status, 0) + 1
    return [
        (status.value, status.label, counts[status.value])
        for status in AbstractionRun.Status
        if counts.get(status.value)
    ]


def _fact(case, fact_id: int) -> CaseFact:
    fact = CaseFact.objects.filter(pk=fact_id, case=case).first()
    if fact is None:
        raise Http404("No such fact")
    return fact


@login_required
@require_POST
def review(request: HttpRequest, pk: int, fact_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "facts.review")
    fact = _fact(case, fact_id)
    action = request.POST.get("action", "")
    try:
        services.review_fact(
            actor,
            case,
            fact,
            action,
            value=request.POST.get("value", ""),
            note=request.POST.get("note", ""),
        )
    except RuleError as exc:
        refused(request, exc)
    else:
        messages.success(
            request,
            f"{fact.name}: {fact.get_review_status_display().lower()} ({fact.current_value}).",
        )
    return redirect(_summary_url(case, f"fact-{slugify(fact.name)}"))


@login_required
@require_POST
def add_fact(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "facts.review")
    raw_date = request.POST.get("effective_date", "").strip()
    try:
        when = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        messages.error(request, f"The date {raw_date!r} is not a date (YYYY-MM-DD).")
        return redirect(_summary_url(case, "add-fact"))
    try:
        fact = services.add_manual_fact(
            actor,
            case,
            name=request.POST.get("name", ""),
            value=request.POST.get("value", ""),
            note=request.POST.get("note", ""),
            effective_date=when,
        )
    except RuleError as exc:
        refused(request, exc)
        return redirect(_summary_url(case, "add-fact"))
    messages.success(request, f"{fact.name} entered: {fact.value}.")
    return redirect(_summary_url(case, f"fact-{slugify(fact.name)}"))


@login_required
@require_POST
def rerun(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "abstraction.run")
    try:
        result = services.rerun_abstraction(actor, case)
    except RuleError as exc:
        refused(request, exc)
    else:
        messages.success(request, result.message + ".")
    target = request.POST.get("next")
    if target == "case":
        return redirect(reverse("cases:detail", args=[case.pk]) + "#case-facts")
    return redirect(_summary_url(case, "records"))
