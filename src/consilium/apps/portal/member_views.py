"""The member portal: my reviews, and asking for a new one."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect, render

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import audited
from consilium.apps.access.policy import require, visible_cases
from consilium.apps.cases import services as case_services
from consilium.apps.cases.models import Consent
from consilium.apps.cases.services import NewCase, RuleError
from consilium.apps.people.models import Physician
from consilium.apps.portal.forms import MemberRequestForm
from consilium.apps.records import services as record_services
from consilium.apps.records.models import Document
from consilium.apps.reports.models import Report
from consilium.engines.casework.lifecycle import CLOCK_RUNNING, Status


@dataclass(frozen=True)
class PlainStatus:
    headline: str
    explanation: str
    tone: str  # badge class: "", ok, warn, bad, grey
    step: int | None  # index into MEMBER_STEPS, None for a closed-early case


# The progress a member sees: four steps rather than the staff lifecycle.
MEMBER_STEPS = ("Request received", "Gathering records", "Expert review", "Summary ready")

PLAIN_STATUS: dict[Status, PlainStatus] = {
    Status.REQUESTED: PlainStatus(
        "We received your request",
        "A care coordinator will look at your request and contact you about next steps.",
        "",
        0,
    ),
    Status.INTAKE: PlainStatus(
        "We are gathering your records",
        "Your care coordinator is collecting the medical records the expert needs.",
        "",
        1,
    ),
    Status.READY_FOR_REVIEW: PlainStatus(
        "Your case is ready for an expert",
        "Your records are complete. An expert will begin the review shortly.",
        "",
        2,
    ),
    Status.IN_REVIEW: PlainStatus(
        "An expert is reviewing your case",
        "A specialist in your type of cancer is reviewing your records and your questions.",
        "",
        2,
    ),
    Status.OPINION_SIGNED: PlainStatus(
        "The expert has finished the review",
        "We are preparing your summary. It will be ready soon.",
        "",
        2,
    ),
    Status.REPORT_DELIVERED: PlainStatus(
        "Your summary is ready",
        "Read what the expert found. You can ask follow-up questions on your case page.",
        "ok",
        3,
    ),
    Status.CLOSED: PlainStatus(
        "Your review is complete", "You can still read your summary at any time.", "ok", 3
    ),
    Status.WITHDRAWN: PlainStatus(
        "This request was withdrawn",
        "The review was stopped at your or your doctor's request.",
        "grey",
        None,
    ),
    Status.DECLINED: PlainStatus(
        "We could not accept this request",
        "Your care coordinator can explain why and what else may help.",
        "bad",
        None,
    ),
}

# Before the review starts the member can still help: sign consent, send records.
_CONSENT_MATTERS = {Status.REQUESTED, Status.INTAKE, Status.READY_FOR_REVIEW, Status.IN_REVIEW}
_RECORDS_MATTER = {Status.REQUESTED, Status.INTAKE}


def plain_status(status: str) -> PlainStatus:
    return PLAIN_STATUS[Status(status)]


def steps_for(status: PlainStatus) -> list[dict]:
    if status.step is None:
        return []
    return [
        {
            "label": label,
            "state": "done" if i < status.step else "current" if i == status.step else "",
        }
        for i, label in enumerate(MEMBER_STEPS)
    ]


def _member_cases(user):
    """The member's cases with what the list shows, in one query."""
    active_consent = Consent.objects.filter(
        case=OuterRef("pk"), scope=Consent.Scope.EXPERT_REVIEW, revoked_at__isnull=True
    )
    summary = Report.objects.filter(
        case=OuterRef("pk"), kind=Report.Kind.MEMBER, delivered_at__isnull=False
    )
    return (
        visible_cases(user)
        .annotate(
            has_consent=Exists(active_consent),
            has_records=Exists(Document.objects.filter(case=OuterRef("pk"))),
            summary_ready=Exists(summary),
        )
        .order_by("-created_at")
    )


@login_required
def home(request):
    actor = Actor.from_request(request)
    with audited(actor, "case.list") as audit:
        cases = list(_member_cases(request.user))
        audit.detail = f"{len(cases)} cases"
    rows = []
    for case in cases:
        status = plain_status(case.status)
        needs = []
        if case.status_enum in _CONSENT_MATTERS and not case.has_consent:
            needs.append("Your consent: sign it so the expert can read your records.")
        if case.status_enum in _RECORDS_MATTER and not case.has_records:
            needs.append("Your medical records: upload a pathology report if you have one.")
        rows.append(
            {
                "case": case,
                "status": status,
                "steps": steps_for(status),
                "needs": needs,
                "expected_by": case.due_date if case.status_enum in CLOCK_RUNNING else None,
            }
        )
    return render(
        request,
        "portal/member_home.html",
        {
            "rows": rows,
            "has_profile": getattr(request.user, "member_profile", None) is not None,
        },
    )


def _match_physician(name: str) -> Physician | None:
    """The physician with exactly this name (with or without 'Dr.'), if only one has it."""
    name = " ".join(name.split())
    if not name:
        return None
    bare = name[3:].strip() if name.lower().startswith("dr.") else name
    found = list(Physician.objects.filter(Q(name__iexact=bare) | Q(name__iexact=f"Dr. {bare}"))[:2])
    return found[0] if len(found) == 1 else None


@login_required
def request_review(request):
    actor = Actor.from_request(request)
    require(actor, "case.request")
    member = getattr(request.user, "member_profile", None)
    if member is None:
        return render(request, "portal/no_membership.html")

    form = MemberRequestForm(
        request.POST or None, request.FILES or None, initial={"consent_name": member.full_name}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        physician_name = " ".join(data["physician_name"].split())
        physician = _match_physician(physician_name)
        summary = data["clinical_summary"]
        if physician_name and physician is None:
            # Kept for the coordinator, who finds the doctor and links them to the case.
            summary = f"{summary}\n\nTreating doctor named by the member: {physician_name}".strip()
        try:
            case = case_services.open_case(
                actor,
                NewCase(
                    member=member,
                    origin="member_request",
                    cancer_type_code=data["cancer_type"],
                    questions=form.questions(),
                    clinical_summary=summary,
                    physician=physician,
                    urgent=data["urgent"],
                ),
            )
        except RuleError as exc:
            form.add_error(None, exc.message)
            return render(request, "portal/request.html", {"form": form, "member": member})

        scopes = [Consent.Scope.EXPERT_REVIEW]
        if data["consent_share_with_physician"]:
            scopes.append(Consent.Scope.SHARE_WITH_PHYSICIAN)
        consent_problem = None
        for scope in scopes:
            try:
                case_services.sign_consent(actor, case, scope, data["consent_name"], "electronic")
            except RuleError as exc:
                consent_problem = exc.message

        upload_problem = None
        if data["record"]:
            try:
                record_services.add_document(
                    actor,
                    case,
                    data=record_services.read_upload(data["record"]),
                    filename=data["record"].name,
                    kind=data["record_kind"] or Document.Kind.OTHER,
                )
            except RuleError as exc:
                upload_problem = exc.message

        messages.success(
            request,
            f"Thank you. We received your request ({case.reference}). "
            "A care coordinator will be in touch.",
        )
        if physician_name and physician is None:
            messages.info(
                request,
                f"We did not find {physician_name} in our directory; your "
                "care coordinator will add them to your case.",
            )
        if consent_problem:
            messages.error(
                request,
                f"Your consent was not recorded: {consent_problem}. Please sign it on this page.",
            )
        if upload_problem:
            messages.error(
                request,
                f"Your record was not added: {upload_problem}. Please try "
                "again with the upload on this page.",
            )
        return redirect("cases:detail", pk=case.pk)

    return render(request, "portal/request.html", {"form": form, "member": member})
