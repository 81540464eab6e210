"""Case pages: the coordinator's worklist, opening and editing a case, the one case page
every role shares (sections shown by the access policy), and the intake POST endpoints.

Views read through ``get_case`` / ``visible_cases`` and write through the services, which
check the rules and audit; a refused rule comes back as ``RuleError`` and is shown to the
user as a message with its reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import audited
from consilium.apps.access.policy import permits, visible_cases
from consilium.apps.cases import services
from consilium.apps.cases.forms import (
    OPEN_LOAD_STATUSES,
    AssignForm,
    ConsentForm,
    EditCaseForm,
    OpenCaseForm,
    RevokeConsentForm,
    TransitionForm,
    WorklistFilter,
)
from consilium.apps.cases.lookup import get_case
from consilium.apps.cases.models import Case, Consent
from consilium.apps.cases.services import RuleError
from consilium.apps.outreach.reasons import case_origin
from consilium.apps.people.models import Expert, Member
from consilium.apps.preparation.fhir_views import fhir_panel
from consilium.engines.casework import lifecycle
from consilium.engines.casework.lifecycle import CLOCK_RUNNING, MAIN_PATH, Status
from consilium.engines.casework.roles import Role
from consilium.engines.knowledge.cancer_types import by_code

PAGE_SIZE = 50
STAFF = frozenset({Role.COORDINATOR, Role.EXPERT})

# --- presentation shared by the staff pages ---------------------------------------------

STATUS_BADGE = {
    Status.REQUESTED: "grey",
    Status.INTAKE: "",
    Status.READY_FOR_REVIEW: "",
    Status.IN_REVIEW: "warn",
    Status.OPINION_SIGNED: "ok",
    Status.REPORT_DELIVERED: "ok",
    Status.CLOSED: "grey",
    Status.WITHDRAWN: "bad",
    Status.DECLINED: "bad",
}

# What a member reads instead of the program's status names.
MEMBER_WORDS = {
    Status.REQUESTED: "We have received your request",
    Status.INTAKE: "We are gathering your records",
    Status.READY_FOR_REVIEW: "Your records are ready for the expert",
    Status.IN_REVIEW: "We are reviewing your records",
    Status.OPINION_SIGNED: "The expert has finished; we are preparing your summary",
    Status.REPORT_DELIVERED: "Your summary is ready",
    Status.CLOSED: "Your review is complete",
    Status.WITHDRAWN: "This request was withdrawn",
    Status.DECLINED: "We could not take on this review",
}
MEMBER_STEPS = {
    Status.REQUESTED: "Request received",
    Status.INTAKE: "Gathering records",
    Status.READY_FOR_REVIEW: "Ready for the expert",
    Status.IN_REVIEW: "Expert review",
    Status.OPINION_SIGNED: "Opinion written",
    Status.REPORT_DELIVERED: "Summary ready",
    Status.CLOSED: "Complete",
}
# A guard, said positively, for the checklist line when it holds.
GUARD_MET = {
    "consent": "The member's consent is signed",
    "coverage": "Coverage is confirmed",
    "pathology": "A pathology report is on file",
    "expert": "An expert is assigned",
    "opinion_complete": "The opinion is complete",
    "opinion_signed": "The opinion is signed",
    "reports_ready": "The expert report and member summary are ready",
    "questions_answered": "All follow-up questions are answered",
}


def badge_class(status: str) -> str:
    return STATUS_BADGE.get(Status(status), "")


def refused(request: HttpRequest, exc: RuleError) -> None:
    """Show a refused rule as one message with its reasons listed."""
    reasons = [r for r in exc.reasons if r != exc.message]
    if reasons:
        items = format_html_join("", "<li>{}</li>", ((r,) for r in reasons))
        text = format_html("{}:<ul>{}</ul>", exc.message, items)
    else:
        text = exc.message
    messages.error(request, text)


def back_to_case(request: HttpRequest, case: Case, anchor: str = "") -> HttpResponse:
    """Redirect to ``next`` when it is a local URL, else to the case page."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(reverse("cases:detail", args=[case.pk]) + (f"#{anchor}" if anchor else ""))


def is_htmx(request: HttpRequest) -> bool:
    # A history restore asks for the whole page even though htmx sent it.
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


# --- worklist -----------------------------------------------------------------------------


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    if actor.role is not Role.COORDINATOR:
        return redirect("home")
    today = timezone.localdate()
    with audited(actor, "case.list") as audit:
        program_cases = visible_cases(request.user)
        experts = list(Expert.objects.select_related("user").order_by("user__last_name"))
        form = WorklistFilter(request.GET or None, experts=experts)
        running = [s.value for s in CLOCK_RUNNING]
        ordered = (
            (form.filter(program_cases) if form.is_bound else program_cases)
            .annotate(
                overdue_rank=models.Case(
                    models.When(status__in=running, due_date__lt=today, then=0),
                    default=1,
                    output_field=models.IntegerField(),
                )
            )
            .order_by(
                "overdue_rank", models.F("due_date").asc(nulls_last=True), "-created_at", "-pk"
            )
        )
        # Sort and page over case ids alone, then load the page's 50 rows with their
        # members and experts: the database sorts a narrow index-backed list instead of
        # joining every case of the program first.
        page = Paginator(ordered.values_list("pk", flat=True), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        ids = list(page.object_list)
        loaded = Case.objects.select_related("member", "expert__user").in_bulk(ids)
        page.object_list = [loaded[pk] for pk in ids]
        for case in page.object_list:
            case.badge = badge_class(case.status)
            case.overdue = case.is_overdue(today)
        audit.detail = f"page {page.number} of {page.paginator.num_pages}"
        context = {"form": form, "page": page, "today": today}
        if is_htmx(request):
            response = render(request, "cases/_worklist_table.html", context)
        else:
            by_status = dict(
                program_cases.order_by().values_list("status").annotate(n=models.Count("pk"))
            )
            context["status_counts"] = [
                {
                    "value": s.value,
                    "label": s.label,
                    "n": by_status.get(s.value, 0),
                    "badge": STATUS_BADGE[s],
                }
                for s in Status
            ]
            context["overdue_count"] = program_cases.overdue(today).count()
            context["total"] = sum(by_status.values())
            response = render(request, "cases/worklist.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- opening and editing ------------------------------------------------------------------


def _member_matches(request: HttpRequest, actor: Actor, term: str) -> list[Member]:
    term = term.strip()
    if len(term) < 2:
        return []
    with audited(actor, "member.lookup") as audit:
        audit.detail = f"search {term[:60]!r}"
        query = (
            models.Q(member_number__iexact=term)
            | models.Q(last_name__icontains=term)
            | models.Q(first_name__icontains=term)
        )
        parts = term.split()
        if len(parts) >= 2:
            query |= models.Q(first_name__icontains=parts[0], last_name__icontains=parts[-1])
        return list(Member.objects.filter(program_id=request.user.program_id).filter(query)[:20])


@login_required
def open_case(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    if not permits(request.user, "case.open") or request.user.program_id is None:
        return redirect("home")
    program = request.user.program
    find = request.GET.get("find", "")
    matches = _member_matches(request, actor, find) if find else None
    if find and is_htmx(request):
        return render(request, "cases/_member_matches.html", {"matches": matches, "find": find})
    if request.method == "POST":
        form = OpenCaseForm(request.POST, program=program)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.open_case(
                    actor,
                    services.NewCase(
                        member=data["member_number"],
                        origin=data["origin"],
                        cancer_type_code=data["cancer_type_code"],
                        questions=data["questions"],
                        clinical_summary=data["clinical_summary"],
                        physician=data["physician"],
                        urgent=data["urgent"],
                    ),
                )
            except RuleError as exc:
                form.add_error(None, exc.message)
                for reason in exc.reasons:
                    if reason != exc.message:
                        form.add_error(None, reason)
            else:
                messages.success(request, f"Case {case.reference} opened for {case.member}.")
                return redirect("cases:detail", pk=case.pk)
    else:
        form = OpenCaseForm(
            program=program, initial={"member_number": request.GET.get("member_number", "")}
        )
    chosen = None
    number = (
        form.data.get("member_number") if form.is_bound else form.initial.get("member_number")
    ) or ""
    if number.strip():
        chosen = Member.objects.filter(
            program=program, member_number__iexact=number.strip()
        ).first()
    return render(
        request,
        "cases/open.html",
        {
            "form": form,
            "matches": matches,
            "find": find,
            "chosen": chosen,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "case.edit")
    if request.method == "POST":
        form = EditCaseForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_details(
                    actor,
                    case,
                    cancer_type_code=data["cancer_type_code"],
                    questions=data["questions"],
                    # The service cannot clear the physician; "none" leaves it as it is.
                    physician=data["physician"],
                )
            except RuleError as exc:
                refused(request, exc)
            else:
                messages.success(request, "Case details saved.")
                return redirect("cases:detail", pk=case.pk)
    else:
        form = EditCaseForm(
            initial={
                "cancer_type_code": case.cancer_type_code,
                "questions": "\n".join(case.questions),
                "physician": case.physician_id,
            }
        )
    with audited(actor, "case.view", case) as audit:
        audit.detail = "edit form"
        response = render(
            request,
            "cases/edit.html",
            {"case": case, "form": form},
            status=400 if form.is_bound and form.errors else 200,
        )
    return response


# --- the case page ------------------------------------------------------------------------


@dataclass
class GuardLine:
    text: str
    met: bool


@dataclass
class TransitionOption:
    name: str
    label: str
    allowed: bool
    needs_reason: bool
    danger: bool
    guards: list[GuardLine] = field(default_factory=list)
    blocked_by: list[str] = field(default_factory=list)  # reasons that are not guards


def transition_options(role: Role, facts: lifecycle.CaseFacts) -> list[TransitionOption]:
    options = []
    for verdict in lifecycle.available(role, facts):
        spec = verdict.transition
        guards = [
            GuardLine(
                GUARD_MET.get(g.key, g.key) if g.holds(facts) else g.unmet.capitalize(),
                g.holds(facts),
            )
            for g in spec.guards
        ]
        unmet = {g.unmet for g in spec.guards}
        options.append(
            TransitionOption(
                name=spec.name,
                label=spec.label,
                allowed=verdict.allowed,
                needs_reason=spec.needs_reason,
                danger=spec.target in lifecycle.TERMINAL and spec.target is not Status.CLOSED,
                guards=guards,
                blocked_by=[r for r in verdict.reasons if r not in unmet],
            )
        )
    return options


def progress_steps(case: Case, timeline, member_words: bool) -> list[dict]:
    status = case.status_enum
    if status in MAIN_PATH:
        reached, current = MAIN_PATH.index(status), True
    else:
        # Withdrawn or declined: show how far the case had come.
        last = next(
            (
                e.from_status
                for e in reversed(timeline)
                if e.to_status == status.value and e.from_status
            ),
            Status.REQUESTED.value,
        )
        reached = MAIN_PATH.index(Status(last)) if Status(last) in MAIN_PATH else 0
        current = False
    steps = []
    for i, step in enumerate(MAIN_PATH):
        state = "done" if i < reached else ("current" if i == reached and current else "")
        if i == reached and not current:
            state = "done"
        steps.append({"label": MEMBER_STEPS[step] if member_words else step.label, "state": state})
    return steps


@dataclass
class Candidate:
    expert: Expert
    matches: bool
    licensed: bool
    load: int

    @property
    def label(self) -> str:
        e = self.expert
        licence = "licensed here" if self.licensed else "NOT licensed in the member's state"
        return (
            f"{e.user.display_name} — {', '.join(e.subspecialties) or 'no subspecialty'} · "
            f"{licence} · {self.load} of {e.weekly_capacity} open"
        )


def expert_candidates(case: Case) -> tuple[str | None, list[Candidate]]:
    """Active experts, best first: subspecialty matches the case's tissue, licensed in the
    member's state, then the lightest load for their weekly capacity."""
    cancer = by_code(case.cancer_type_code) if case.cancer_type_code else None
    tissue = cancer.tissue if cancer else None
    experts = (
        Expert.objects.filter(active=True)
        .select_related("user")
        .annotate(
            open_load=models.Count("cases", filter=models.Q(cases__status__in=OPEN_LOAD_STATUSES))
        )
    )
    candidates = [
        Candidate(
            e,
            bool(tissue) and tissue in (e.subspecialties or []),
            case.member.state in (e.licensure_states or []),
            e.open_load,
        )
        for e in experts
    ]
    candidates.sort(
        key=lambda c: (
            not c.matches,
            not c.licensed,
            c.load / max(c.expert.weekly_capacity, 1),
            c.expert.user.last_name,
        )
    )
    return tissue, candidates


def _case_context(request: HttpRequest, actor: Actor, case: Case) -> dict:
    user = request.user
    role = actor.role

    def can(action: str) -> bool:
        return permits(user, action, case)

    today = timezone.localdate()
    status = case.status_enum
    facts = services.facts_for(case)
    is_member = role is Role.MEMBER
    staff = role in STAFF

    timeline = []
    if can("timeline.view"):
        events = case.timeline.select_related("actor")
        if not staff:  # internal steps (coverage, assignment) stay inside the program
            events = events.filter(member_visible=True)
        timeline = list(events)

    consents = list(case.consents.all()) if can("consent.view") else []
    active_scopes = {c.scope for c in consents if c.active}
    can_view_facts = can("facts.view")
    records = case.documents.select_related("uploaded_by")
    if can_view_facts:  # each record's abstraction status, in one more query
        records = records.prefetch_related("abstraction_runs")
    documents = list(records) if can("document.view") else []

    ctx: dict = {
        "case": case,
        "role": role.value if role else "",
        "is_member": is_member,
        "staff": staff,
        "status": status,
        "status_badge": STATUS_BADGE[status],
        "member_words": MEMBER_WORDS[status],
        "steps": progress_steps(case, timeline, is_member),
        "age": case.member.age_on(today),
        "overdue": case.is_overdue(today),
        "clock_running": status in CLOCK_RUNNING,
        "timeline": timeline,
        "consents": consents,
        "documents": documents,
        "terminal": status.is_terminal,
        "transitions": transition_options(role, facts) if role and can("case.transition") else [],
        "can_edit": can("case.edit") and not status.is_terminal,
        "can_upload": can("document.upload") and not status.is_terminal,
        "can_revoke_consent": can("consent.revoke"),
        "upload_kinds": _document_kinds(),
        "max_upload_mb": settings.MAX_UPLOAD_MB,
        "can_view_facts": can_view_facts,
        "can_view_decision": can("decision.view"),
        "fhir": fhir_panel(actor, case, can),
        # Why a proactive case was opened (the claims finding): for its reviewers only.
        "outreach_origin": case_origin(case)
        if case.origin == Case.Origin.PROACTIVE and can("opinion.view")
        else None,
    }

    # The member signs their own consent here; a coordinator records paper or verbal.
    missing_scopes = [(v, label) for v, label in Consent.Scope.choices if v not in active_scopes]
    ctx["consent_to_sign"] = (
        missing_scopes if (can("consent.sign") and not status.is_terminal) else []
    )
    ctx["consent_to_record"] = (
        missing_scopes if (can("consent.record") and not status.is_terminal) else []
    )

    if can("coverage.view"):
        checks = list(case.coverage_checks.select_related("checked_by")[:5])
        latest = checks[0] if checks else None
        decline = next((t for t in ctx["transitions"] if t.name == "decline" and t.allowed), None)
        ctx["intake"] = {
            "coverage": latest,
            "earlier_checks": checks[1:],
            "offer_decline": bool(latest and not latest.covered and decline),
            "decline_reason": f"Not covered: {latest.reason}" if latest else "",
            "checklist": [
                GuardLine(
                    GUARD_MET["consent"]
                    if facts.consent_active
                    else "The member's consent (expert review) is not signed",
                    facts.consent_active,
                ),
                GuardLine(
                    GUARD_MET["coverage"] if facts.coverage_passed else "No passing coverage check",
                    facts.coverage_passed,
                ),
                GuardLine(
                    GUARD_MET["pathology"]
                    if facts.has_pathology_report
                    else "No pathology report among the records",
                    facts.has_pathology_report,
                ),
                GuardLine(
                    GUARD_MET["expert"] if facts.expert_assigned else "No expert assigned yet",
                    facts.expert_assigned,
                ),
            ],
            "record_counts": _record_counts(documents),
        }
    if can("case.assign") and status in (Status.REQUESTED, Status.INTAKE, Status.READY_FOR_REVIEW):
        ctx["tissue"], ctx["candidates"] = expert_candidates(case)

    if can("opinion.view"):
        opinion = getattr(case, "opinion", None)
        ctx["opinion"] = opinion
        ctx["recommendations"] = list(opinion.recommendations.all()) if opinion else []
        ctx["addenda_count"] = opinion.addenda.count() if opinion else 0
        ctx["can_write_opinion"] = (
            can("opinion.write")
            and status is Status.IN_REVIEW
            and not (opinion and opinion.is_signed)
        )
        ctx["show_opinion"] = True

    reports = []
    for report in case.reports.all():
        action = f"report.{report.kind}.view"
        if can(action) and (staff or report.delivered_at is not None):
            reports.append(report)
    ctx["reports"] = reports

    if can("followup.view"):
        followups = list(case.followups.select_related("asked_by", "answered_by"))
        asked_by_me = sum(1 for q in followups if q.asked_by_id == user.pk)
        limit = settings.FOLLOWUP_QUESTION_LIMIT
        ctx["followups"] = followups
        ctx["show_followups"] = bool(followups) or status is Status.REPORT_DELIVERED
        ctx["can_answer"] = can("followup.answer")
        ctx["questions_left"] = max(limit - asked_by_me, 0)
        ctx["question_limit"] = limit
        ctx["can_ask"] = can("followup.ask") and status is Status.REPORT_DELIVERED
    return ctx


def _document_kinds():
    from consilium.apps.records.models import Document

    return Document.Kind.choices


def _record_counts(documents) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for d in documents:
        label = d.get_kind_display()
        counts[label] = counts.get(label, 0) + 1
    return sorted(counts.items())


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk)
    with audited(actor, "case.view", case):
        response = render(request, "cases/detail.html", _case_context(request, actor, case))
    return response


# --- intake and lifecycle actions ---------------------------------------------------------


@login_required
@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "case.transition")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a step to take.")
        return back_to_case(request, case)
    try:
        case = services.transition(
            actor, case, form.cleaned_data["name"], form.cleaned_data["reason"]
        )
    except RuleError as exc:
        refused(request, exc)
    else:
        words = (
            MEMBER_WORDS[case.status_enum]
            if actor.role is Role.MEMBER
            else f"The case is now {case.status_enum.label.lower()}"
        )
        messages.success(request, f"Done. {words}.")
    return back_to_case(request, case)


@login_required
@require_POST
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    action = "consent.sign" if actor.role is Role.MEMBER else "consent.record"
    case = get_case(actor, pk, action)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return back_to_case(request, case, "consent")
    method = form.cleaned_data["method"]
    if actor.role is not Role.MEMBER and not method:
        messages.error(request, "Say how the member gave consent: a paper form or verbally.")
        return back_to_case(request, case, "consent")
    already = set(case.consents.filter(revoked_at__isnull=True).values_list("scope", flat=True))
    signed, failed = [], False
    try:
        for scope in form.cleaned_data["scopes"]:
            if scope in already:
                continue
            signed.append(
                services.sign_consent(
                    actor,
                    case,
                    scope,
                    form.cleaned_data["signed_by_name"],
                    method or Consent.Method.ELECTRONIC,
                )
            )
    except RuleError as exc:
        refused(request, exc)
        failed = True
    if signed:
        what = "; ".join(c.get_scope_display() for c in signed)
        messages.success(request, f"Consent recorded: {what}.")
    elif not failed:
        messages.info(request, "That consent was already on file.")
    return back_to_case(request, case, "consent")


@login_required
@require_POST
def consent_revoke(request: HttpRequest, pk: int, consent_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "consent.revoke")
    found = get_object_or_404(Consent, pk=consent_id, case=case)
    form = RevokeConsentForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.revoke_consent(actor, case, found, reason)
    except RuleError as exc:
        refused(request, exc)
    else:
        messages.success(request, f"Consent revoked: {found.get_scope_display()}.")
    return back_to_case(request, case, "consent")


@login_required
@require_POST
def coverage(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "coverage.check")
    try:
        check = services.run_coverage_check(actor, case)
    except RuleError as exc:
        refused(request, exc)
    else:
        if check.covered:
            messages.success(request, f"Covered: {check.reason}")
        else:
            messages.warning(request, f"Not covered: {check.reason}")
    return back_to_case(request, case, "intake")


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = get_case(actor, pk, "case.assign")
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["expert"]))
        return back_to_case(request, case, "intake")
    expert = form.cleaned_data["expert"]
    try:
        services.assign_expert(actor, case, expert)
    except RuleError as exc:
        refused(request, exc)
    else:
        messages.success(request, f"{expert} is assigned to {case.reference}.")
    return back_to_case(request, case, "intake")
