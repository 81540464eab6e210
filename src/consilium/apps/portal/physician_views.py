"""The treating physician's portal: my patients' reviews, and referring a patient."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.utils import timezone

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import audited
from consilium.apps.access.policy import require, visible_cases
from consilium.apps.cases import services as case_services
from consilium.apps.cases.models import Consent
from consilium.apps.cases.services import NewCase, RuleError
from consilium.apps.people.models import Member
from consilium.apps.portal.forms import PhysicianReferralForm
from consilium.apps.records import services as record_services
from consilium.apps.records.models import Document
from consilium.apps.reports.models import Report

PER_PAGE = 50


@login_required
def home(request):
    actor = Actor.from_request(request)
    delivered = Report.objects.filter(
        case=OuterRef("pk"), kind=Report.Kind.PHYSICIAN, delivered_at__isnull=False
    )
    consent = Consent.objects.filter(
        case=OuterRef("pk"), scope=Consent.Scope.EXPERT_REVIEW, revoked_at__isnull=True
    )
    with audited(actor, "case.list") as audit:
        cases = (
            visible_cases(request.user)
            .select_related("member")
            .annotate(report_ready=Exists(delivered), has_consent=Exists(consent))
            .order_by("-created_at")
        )
        page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
        audit.detail = f"page {page.number}"
    return render(
        request,
        "portal/physician_home.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "has_profile": getattr(request.user, "physician_profile", None) is not None,
        },
    )


def _find_member(actor, number: str, born) -> tuple[Member | None, str]:
    """The one member with this number and birth date, or why there is none. Audited,
    since a match tells the physician the person is covered."""
    with audited(actor, "member.lookup") as audit:
        audit.detail = f"member number {number[:40]}"
        found = list(
            Member.objects.select_related("program").filter(
                member_number=number, date_of_birth=born
            )[:2]
        )
        if not found:
            audit.detail += ": no match"
            return None, "No member with that number and date of birth."
        if len(found) > 1:
            audit.detail += ": several programs match"
            return None, (
                "More than one plan has a member with that number and date of birth; "
                "please call the program so a coordinator can open the case."
            )
        audit.obj = found[0]
    return found[0], ""


@login_required
def refer(request):
    actor = Actor.from_request(request)
    require(actor, "case.refer")
    physician = getattr(request.user, "physician_profile", None)
    if physician is None:
        return render(request, "portal/no_physician_profile.html")

    form = PhysicianReferralForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member, problem = _find_member(actor, data["member_number"], data["date_of_birth"])
        if member is None:
            form.add_error("member_number", problem)
            return render(request, "portal/refer.html", {"form": form})
        try:
            case = case_services.open_case(
                actor,
                NewCase(
                    member=member,
                    origin="physician_referral",
                    cancer_type_code=data["cancer_type"],
                    questions=form.questions(),
                    clinical_summary=data["clinical_summary"],
                    physician=physician,
                    urgent=data["urgent"],
                ),
            )
        except RuleError as exc:
            form.add_error(None, exc.message)
            return render(request, "portal/refer.html", {"form": form})

        messages.success(
            request,
            f"Referral received for {member.full_name} ({case.reference}). "
            "We will ask your patient to sign consent for the review.",
        )
        if data["pathology"]:
            try:
                record_services.add_document(
                    actor,
                    case,
                    data=record_services.read_upload(data["pathology"]),
                    filename=data["pathology"].name,
                    kind=Document.Kind.PATHOLOGY,
                )
            except RuleError as exc:
                messages.error(
                    request,
                    f"The pathology report was not added: {exc.message}. "
                    "Please try again with the upload on this page.",
                )
        return redirect("cases:detail", pk=case.pk)

    return render(request, "portal/refer.html", {"form": form})
