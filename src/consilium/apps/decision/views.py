"""The decision-support panel: loaded by htmx into the case page and the opinion page
(``?in=opinion``), or opened on its own; and the one-click "Add to recommendations".

On the opinion page the form on screen replaces the draft's recommendations when it is
saved, so an item added from the panel is also appended to the form (an out-of-band
row): saving the form keeps it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from consilium.apps.access.actors import Actor
from consilium.apps.cases.lookup import get_case
from consilium.apps.cases.services import RuleError
from consilium.apps.cases.views import back_to_case, is_htmx
from consilium.apps.decision import services
from consilium.apps.reviews.forms import KIND_CHOICES, RecRow

# Rows appended from the panel get indices far above the form's own (which count up from
# 0 with "Add another recommendation"), so they never collide.
ROW_OFFSET = 10_000


def _where(request: HttpRequest) -> str:
    place = request.GET.get("in") or request.POST.get("in")
    return "opinion" if place == "opinion" else "case"


def _back(case, where: str) -> str:
    if where == "opinion":
        return reverse("reviews:opinion", args=[case.pk])
    return reverse("cases:detail", args=[case.pk]) + "#decision"


@login_required
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "decision.view")
    where = _where(request)
    data = services.panel(actor, case)
    partial = is_htmx(request)
    context = {
        "case": case,
        "data": data,
        "where": where,
        "can_add": services.can_add(request.user, case),
        "back": _back(case, where),
        # Without htmx an added item comes back to the page it was added from.
        "return_to": _back(case, where) if partial else request.get_full_path(),
        "not_available": services.NOT_AVAILABLE,
    }
    template = "decision/_panel.html" if partial else "decision/page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "opinion.write")
    where = _where(request)
    item = request.POST.get("item", "")
    try:
        rec, created = services.add_item(actor, case, item)
    except (services.UnknownItem, RuleError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        if is_htmx(request):
            # 200 so htmx swaps the message in where the button was.
            return render(request, "decision/_added.html", {"error": message})
        messages.error(request, message)
        return back_to_case(request, case)
    if is_htmx(request):
        row = None
        if where == "opinion" and created:
            row = RecRow(ROW_OFFSET + rec.pk, rec.kind, rec.text, rec.rationale)
        return render(
            request,
            "decision/_added.html",
            {"rec": rec, "created": created, "row": row, "kinds": KIND_CHOICES, "case": case},
        )
    if created:
        messages.success(request, f"Added to the opinion's recommendations: {rec.text}")
    else:
        messages.info(request, f"Already among the recommendations: {rec.text}")
    return back_to_case(request, case)
