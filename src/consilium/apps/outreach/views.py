"""Outreach pages (coordinators, their own program only): the worklist of members found
in claims with their reasons and evidence, Accept / Dismiss, the claims scans with the
deliveries waiting in the inbox and the "Run scan" button; and the admin's auto-open
setting.

Every page reads through ``audited`` ("outreach.view": coordinators only, so any other
role gets 403) and filters on the user's own program; a candidate or scan of another
program answers 404, like a missing one.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import audited
from consilium.apps.access.policy import NotFound, require
from consilium.apps.cases.services import RuleError
from consilium.apps.cases.views import is_htmx, refused
from consilium.apps.outreach import services
from consilium.apps.outreach.forms import (
    CandidateFilter,
    DismissForm,
    OutreachSettingsForm,
    RunScanForm,
)
from consilium.apps.outreach.models import ClaimsScan, OutreachCandidate, OutreachSettings
from consilium.engines.claims.outreach import describe, evidence_of, wording

PAGE_SIZE = 50
STATUS_BADGE = {
    "pending": "warn",
    "accepted": "ok",
    "auto_opened": "ok",
    "dismissed": "grey",
    "case_open": "",
    "not_enrolled": "grey",
    "superseded": "grey",
    "queued": "grey",
    "running": "warn",
    "done": "ok",
    "failed": "bad",
    "duplicate": "grey",
}


def _decorate(c: OutreachCandidate, today) -> OutreachCandidate:
    """What the card shows: the reasons in plain words with their evidence lines."""
    words = wording()
    c.reasons = [
        {
            "label": r.label,
            "because": r.because,
            "evidence": [describe(e) for e in r.evidence],
        }
        for r in words.reasons(c.triggers, [evidence_of(e) for e in c.evidence])
    ]
    c.badge = STATUS_BADGE.get(c.status, "")
    c.age = (
        today.year
        - c.birth_date.year
        - ((today.month, today.day) < (c.birth_date.month, c.birth_date.day))
        if c.birth_date
        else None
    )
    c.group_label = c.cancer_group.replace("_", " ").capitalize()
    c.show_tissue = c.oncotree_tissue.lower() != c.group_label.lower()
    return c


def _card(request, c: OutreachCandidate, error: str = "") -> HttpResponse:
    c = _decorate(c, timezone.localdate())
    return render(
        request,
        "outreach/_candidate.html",
        {"c": c, "error": error, "dismiss_form": DismissForm()},
    )


# --- worklist ------------------------------------------------------------------------------


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    with audited(actor, "outreach.view") as audit:
        program_id = request.user.program_id
        mine = OutreachCandidate.objects.filter(program_id=program_id)
        groups = list(
            mine.filter(current=True)
            .order_by("cancer_group")
            .values_list("cancer_group", flat=True)
            .distinct()
        )
        form = CandidateFilter(request.GET or None, groups=groups)
        ordered = form.filter(mine).order_by("-score", "person_id", "pk")
        page = Paginator(ordered.values_list("pk", flat=True), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        ids = list(page.object_list)
        loaded = OutreachCandidate.objects.select_related("scan", "case", "decided_by").in_bulk(ids)
        today = timezone.localdate()
        page.object_list = [_decorate(loaded[pk], today) for pk in ids]
        scan = None
        if form.is_bound and form.is_valid() and form.cleaned_data.get("scan"):
            scan = ClaimsScan.objects.filter(
                pk=form.cleaned_data["scan"], program_id=program_id
            ).first()
        audit.detail = f"outreach worklist page {page.number} of {page.paginator.num_pages}"
        context = {"form": form, "page": page, "dismiss_form": DismissForm(), "scan": scan}
        if is_htmx(request):
            response = render(request, "outreach/_worklist_results.html", context)
        else:
            counts = dict(
                mine.filter(current=True)
                .order_by()
                .values_list("status")
                .annotate(n=models.Count("pk"))
            )
            context["status_counts"] = [
                {"value": value, "label": label, "n": counts.get(value, 0)}
                for value, label in form.fields["status"].choices
                if value != "all"
            ]
            context["latest_scan"] = (
                ClaimsScan.objects.filter(program_id=program_id, status=ClaimsScan.Status.DONE)
                .order_by("-imported_at")
                .first()
            )
            context["threshold"] = (
                services.auto_open_threshold(request.user.program) if program_id else None
            )
            response = render(request, "outreach/worklist.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith(reverse("outreach:worklist")):
        return redirect(target)
    return redirect("outreach:worklist")


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    try:
        c = services.accept(actor, pk)
    except RuleError as exc:
        if is_htmx(request):
            return _card(request, services.candidate_for(actor, pk), exc.message)
        refused(request, exc)
        return _back(request)
    if c.case_id and c.status == OutreachCandidate.Status.ACCEPTED:
        text = f"Proactive case {c.case.reference} opened for {c.display_name}."
    else:
        text = f"{c.display_name}: {c.reason}; no second case opened."
    if is_htmx(request):
        return _card(request, c)
    messages.success(request, text)
    return _back(request)


@login_required
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    form = DismissForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        c = services.dismiss(actor, pk, reason)
    except RuleError as exc:
        if is_htmx(request):
            return _card(request, services.candidate_for(actor, pk), exc.message)
        refused(request, exc)
        return _back(request)
    if is_htmx(request):
        return _card(request, c)
    messages.success(request, f"{c.display_name} dismissed.")
    return _back(request)


# --- scans ---------------------------------------------------------------------------------


def _n(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _scans_context(program) -> dict:
    scans = list(
        ClaimsScan.objects.filter(program=program)
        .select_related("requested_by", "duplicate_of")
        .order_by("-created_at", "-pk")[:100]
    )
    for s in scans:
        s.badge = STATUS_BADGE.get(s.status, "")
        s.percent = round(100 * (s.progress or 0))
        s.rows_lines = [(file, _n(n)) for file, n in (s.rows_read or {}).items()]
        s.lines_text, s.quarantined_text = _n(s.lines_processed), _n(s.total_quarantined)
        s.qualified_text, s.enrolled_text = _n(s.members_qualified), _n(s.members_enrolled)
        s.speed_text = _n(s.lines_per_second)
        s.quarantine_lines = [
            (file, reason, _n(n))
            for file, reasons in sorted((s.quarantine_reasons or {}).items())
            for reason, n in sorted(reasons.items())
        ]
        skipped = ((s.import_counts or {}).get("skipped") or {}).items()
        s.skipped = sorted((why, _n(n)) for why, n in skipped)
        s.skipped_total = _n(sum(n for _why, n in skipped))
    deliveries = services.inbox(program) if program else []
    for d in deliveries:
        d.modified_at = timezone.make_aware(datetime.fromtimestamp(d.modified))
        d.form = RunScanForm(initial={"delivery": d.name})
    return {
        "scans": scans,
        "polling": any(s.active for s in scans),
        "deliveries": deliveries,
        "inbox": services.program_inbox(program) if program else None,
    }


@login_required
def scans(request: HttpRequest) -> HttpResponse:
    # Scans carry counts and file names, no member: the policy decides who sees them, and
    # the page's poll every 2 s while a scan runs does not fill the audit trail.
    require(Actor.from_request(request), "outreach.view")
    program = request.user.program
    context = _scans_context(program)
    if is_htmx(request):
        response = render(request, "outreach/_scans_table.html", context)
    else:
        context["threshold"] = services.auto_open_threshold(program) if program else None
        response = render(request, "outreach/scans.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def run_scan(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    form = RunScanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a delivery and a valid as-of date (or leave it empty).")
        return redirect("outreach:scans")
    try:
        scan = services.request_scan(
            actor, form.cleaned_data["delivery"], form.cleaned_data["as_of"]
        )
    except RuleError as exc:
        refused(request, exc)
    else:
        messages.success(
            request, f"{scan.label.capitalize()} of {scan.delivery_name} queued; it runs now."
        )
    return redirect("outreach:scans")


@login_required
@require_POST
def rerun_scan(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    scan = ClaimsScan.objects.filter(pk=pk, program_id=request.user.program_id).first()
    if scan is None:
        raise NotFound("No such scan")
    try:
        services.rerun_scan(actor, scan)
    except RuleError as exc:
        refused(request, exc)
    else:
        messages.success(request, f"{scan.label.capitalize()} queued again.")
    return redirect("outreach:scans")


# --- the admin's setting -------------------------------------------------------------------


@login_required
def outreach_settings(request: HttpRequest) -> HttpResponse:
    from consilium.apps.accounts.views import admin_only

    actor = admin_only(request, "program.settings")  # 404 for other roles, as admin pages
    program = request.user.program
    own = OutreachSettings.objects.filter(program=program).first() if program else None
    form = OutreachSettingsForm(
        request.POST or None, initial={"auto_open_score": own.auto_open_score if own else None}
    )
    if request.method == "POST" and program is not None and form.is_valid():
        try:
            services.save_settings(actor, form.cleaned_data["auto_open_score"])
        except RuleError as exc:
            refused(request, exc)
        else:
            messages.success(request, "Outreach settings saved.")
            return redirect("outreach:settings")
    return render(
        request,
        "outreach/settings.html",
        {"form": form, "program": program, "site_default": settings.OUTREACH_AUTO_OPEN_SCORE},
    )
