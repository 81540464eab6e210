"""Trial registry pages: the registry (search by text, cancer type and status, counts,
last sync, imports and syncs), a trial's page (arms, sites with status and contacts, the
eligibility bullets with the criteria read from each), and for coordinators and admins
the "Import" upload and the "Sync now" button (the sync runs in the background and its
status shows on the registry page).

The registry holds no patient data: pages check the policy ("trials.view",
"trials.manage") and audit only what changes the registry.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import audited
from consilium.apps.access.policy import permits, require
from consilium.apps.cases.views import is_htmx
from consilium.apps.trials import services
from consilium.apps.trials.forms import OPEN, STATUS_LABELS, ImportForm, RegistryFilter
from consilium.apps.trials.models import RegistryRun, SyncState, Trial
from consilium.apps.trials.sync import base_url
from consilium.background import after_commit
from consilium.engines.trials.conditions import BASKETS
from consilium.engines.trials.ctgov import OPEN_STATUSES

PAGE_SIZE = 50
STATUS_BADGE = {
    "RECRUITING": "ok",
    "NOT_YET_RECRUITING": "warn",
    "ENROLLING_BY_INVITATION": "warn",
    "ACTIVE_NOT_RECRUITING": "grey",
    "queued": "grey",
    "running": "warn",
    "done": "ok",
    "failed": "bad",
}
BASKET_LABELS = {"_SOLID_": "any solid tumor", "_LIQUID_": "any blood cancer"}
# A queued sync no worker picked up in this long is shown as stalled, and may be queued
# again.
STALE_AFTER = timezone.timedelta(minutes=30)


def _badge(status: str) -> str:
    return STATUS_BADGE.get(status, "grey")


def _codes_for_filter(code: str) -> set[str]:
    """A cancer type filter finds trials for the type, for a narrower type, and broader
    trials that take it (a "lung cancer" trial for an NSCLC filter)."""
    tree = services.tree()
    if tree.by_code(code) is None:
        return {code}
    return set(tree.descendants(code)) | set(tree.ancestors(code))


def _runs_context() -> dict:
    runs = list(RegistryRun.objects.select_related("requested_by")[:6])
    now = timezone.now()
    for run in runs:
        run.badge = _badge(run.status)
        run.stalled = run.status == RegistryRun.Status.QUEUED and now - run.queued_at > STALE_AFTER
    return {
        "runs": runs,
        "polling": any(r.running and not r.stalled for r in runs),
        "sync_state": SyncState.objects.filter(name="ctgov").first(),
    }


@login_required
def registry(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    require(actor, "trials.view")
    form = RegistryFilter(request.GET or None)
    trials = Trial.objects.all()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        for word in data["q"].lower().split()[:8]:
            trials = trials.filter(search_text__contains=word)
        if data["cancer"]:
            wanted = models.Q()
            for code in _codes_for_filter(data["cancer"]) | set(BASKETS):
                wanted |= models.Q(codes_text__contains=f" {code} ")
            trials = trials.filter(wanted)
        if data["status"] == OPEN:
            trials = trials.filter(overall_status__in=sorted(OPEN_STATUSES))
        elif data["status"]:
            trials = trials.filter(overall_status=data["status"])
    ordered = trials.order_by(models.F("last_update").desc(nulls_last=True), "nct_id")
    page = Paginator(
        ordered.only(
            "nct_id",
            "title",
            "phase",
            "overall_status",
            "conditions",
            "oncotree_codes",
            "last_update",
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    for t in page.object_list:
        t.badge = _badge(t.overall_status)
        t.status_label = STATUS_LABELS.get(t.overall_status, t.overall_status)
        t.code_labels = [BASKET_LABELS.get(c, c) for c in t.oncotree_codes]
    context = {"form": form, "page": page}
    if is_htmx(request) and request.GET.get("part") == "results":
        response = render(request, "trials/_results.html", context)
    else:
        by_status = dict(
            Trial.objects.order_by().values_list("overall_status").annotate(n=models.Count("pk"))
        )
        context.update(
            {
                "total": sum(by_status.values()),
                "open_count": sum(n for s, n in by_status.items() if s in OPEN_STATUSES),
                "status_counts": [
                    {"value": s, "label": STATUS_LABELS.get(s, s), "n": n, "badge": _badge(s)}
                    for s, n in sorted(by_status.items(), key=lambda kv: -kv[1])
                ],
                "can_manage": permits(request.user, "trials.manage"),
                "import_form": ImportForm(),
                "sync_url": base_url(),
                **_runs_context(),
            }
        )
        response = render(request, "trials/registry.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def runs(request: HttpRequest) -> HttpResponse:
    """The imports and syncs panel (the registry page polls it while a sync runs)."""
    require(Actor.from_request(request), "trials.view")
    return render(
        request,
        "trials/_runs.html",
        {**_runs_context(), "can_manage": permits(request.user, "trials.manage")},
    )


@login_required
def detail(request: HttpRequest, nct_id: str) -> HttpResponse:
    require(Actor.from_request(request), "trials.view")
    trial = Trial.objects.filter(nct_id=nct_id.upper()).first()
    if trial is None:
        raise Http404("No such trial in the registry")
    sites = list(trial.sites.all())
    for s in sites:
        s.badge = _badge(s.status or trial.overall_status)
        s.status_label = STATUS_LABELS.get(s.status, s.status) if s.status else ""
    rows = list(services.criteria_rows(trial))
    tree = services.tree()
    codes = [
        {"code": c, "name": tree.by_code(c).name if tree.by_code(c) else BASKET_LABELS.get(c, c)}
        for c in trial.oncotree_codes
    ]
    for arm in trial.arms:
        arm["type_label"] = (arm.get("type") or "").replace("_", " ").lower()
    return render(
        request,
        "trials/detail.html",
        {
            "trial": trial,
            "badge": _badge(trial.overall_status),
            "status_label": STATUS_LABELS.get(trial.overall_status, trial.overall_status),
            "sites": sites,
            "recruiting_sites": sum(1 for s in sites if s.status == "RECRUITING"),
            "registry_rows": [r for r in rows if r["section"] == "registry"],
            "inclusion_rows": [r for r in rows if r["section"] == "inclusion"],
            "exclusion_rows": [r for r in rows if r["section"] == "exclusion"],
            "codes": codes,
        },
    )


@login_required
@require_POST
def import_file(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    form = ImportForm(request.POST, request.FILES)
    with audited(actor, "trials.manage") as audit:
        if not form.is_valid():
            messages.error(request, "Choose a ClinicalTrials.gov JSON file to import.")
            audit.detail = "import: no file"
            return redirect("trials:registry")
        upload = form.cleaned_data["file"]
        name = Path(upload.name or "upload.json").name
        if upload.size > settings.MAX_UPLOAD_BYTES:
            messages.error(request, f"{name} is larger than {settings.MAX_UPLOAD_MB} MB.")
            audit.detail = f"import {name}: too large"
            return redirect("trials:registry")
        started = timezone.now()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            result = services.import_path(path)
        RegistryRun.objects.create(
            kind=RegistryRun.Kind.IMPORT,
            status=RegistryRun.Status.DONE,
            source=name,
            requested_by=request.user,
            queued_at=started,
            started_at=started,
            finished_at=timezone.now(),
            fetched=result.read,
            new=result.new,
            updated=result.updated,
            unchanged=result.unchanged,
            refused=len(result.refused),
            problems=[str(p) for p in result.refused[:500]],
            message=result.summary(),
        )
        audit.detail = f"import {name}: {result.summary()}"
    text = f"{name}: {result.read} record(s): {result.summary()}."
    if result.refused:
        shown = "; ".join(str(p) for p in result.refused[:5])
        more = f" (and {len(result.refused) - 5} more)" if len(result.refused) > 5 else ""
        messages.warning(request, f"{text} Refused: {shown}{more}")
    else:
        messages.success(request, text)
    return redirect("trials:registry")


@login_required
@require_POST
def sync_now(request: HttpRequest) -> HttpResponse:
    from consilium.apps.trials.tasks import sync_registry_task

    actor = Actor.from_request(request)
    with audited(actor, "trials.manage") as audit:
        busy = [
            r
            for r in RegistryRun.objects.filter(
                kind=RegistryRun.Kind.SYNC,
                status__in=[RegistryRun.Status.QUEUED, RegistryRun.Status.RUNNING],
            )
            if timezone.now() - r.queued_at <= STALE_AFTER
        ]
        if busy:
            messages.warning(request, "A sync is already under way; its status is below.")
            audit.detail = "sync: already under way"
            return redirect("trials:registry")
        run = RegistryRun.objects.create(
            kind=RegistryRun.Kind.SYNC, source=base_url(), requested_by=request.user
        )
        audit.obj = run
        audit.detail = f"sync queued from {run.source}"
        after_commit(sync_registry_task, run.pk)
    messages.success(request, f"Sync with {run.source} queued; its progress shows below.")
    return redirect("trials:registry")
