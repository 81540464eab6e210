"""Outreach routes of the JSON API: the claims scans of the caller's program, starting a
scan of a delivery in the program's inbox, the members found, and the coordinator's
Accept (a proactive case) or Dismiss.

The routes call the same services as the outreach pages (the policy, the rules, the
audit trail are theirs): coordinators only (any other role gets 403), their own
program only (another program's scan or member answers 404, the same body as a missing
one). Scan reads are not audited, as on the scans page (no member in them); the members
found are read, accepted and dismissed through ``audited``.
"""

from __future__ import annotations

from ninja import Query, Router, Status
from ninja.errors import ValidationError

from consilium.apps.access.audit import audited
from consilium.apps.access.policy import NotFound, require
from consilium.apps.cases.api import ERRORS, actor_of, invalid
from consilium.apps.cases.services import RuleError
from consilium.apps.outreach import services
from consilium.apps.outreach.forms import CandidateFilter
from consilium.apps.outreach.models import ClaimsScan, OutreachCandidate
from consilium.apps.outreach.reasons import reasons_of
from consilium.apps.outreach.schemas import (
    AcceptOut,
    CandidateFilters,
    CandidateOut,
    CandidatePage,
    DismissIn,
    ScanIn,
    ScanOut,
)
from consilium.engines.claims import rules as claims_rules

router = Router(tags=["outreach"])
Candidate = OutreachCandidate.Status


# --- shaping -------------------------------------------------------------------------------


def _scan(s: ClaimsScan) -> ScanOut:
    return ScanOut(
        id=s.pk,
        label=s.label,
        delivery_name=s.delivery_name,
        source=s.source,
        status=s.status,
        status_label=s.get_status_display(),
        stalled=s.stalled,
        error=s.error,
        duplicate_of=s.duplicate_of_id,
        as_of_requested=s.as_of_requested,
        as_of=s.as_of,
        engine=s.engine,
        rules_version=s.rules_version,
        requested_by=s.requested_by.get_username() if s.requested_by else None,
        created_at=s.created_at,
        started_at=s.started_at,
        finished_at=s.finished_at,
        stage=s.stage,
        progress=s.progress,
        lines_processed=s.lines_processed,
        rows_read=s.rows_read or {},
        rows_quarantined=s.rows_quarantined or {},
        quarantine_reasons=s.quarantine_reasons or {},
        members_qualified=s.members_qualified,
        members_enrolled=s.members_enrolled,
        seconds=s.seconds,
        lines_per_second=s.lines_per_second,
        import_counts=s.import_counts or {},
    )


def _candidate(c: OutreachCandidate) -> CandidateOut:
    return CandidateOut(
        id=c.pk,
        scan_id=c.scan_id,
        scan_as_of=c.scan.as_of,
        person_id=c.person_id,
        member_number=c.member_number,
        name=c.display_name,
        birth_date=c.birth_date,
        sex=c.sex,
        state=c.state,
        cancer_group=c.cancer_group,
        oncotree_tissue=c.oncotree_tissue,
        metastatic=c.metastatic,
        qualifies_by=c.qualifies_by,
        first_qualifying_date=c.first_qualifying_date,
        score=c.score,
        enrolled=c.enrolled,
        status=c.status,
        status_label=c.get_status_display(),
        current=c.current,
        reason=c.reason,
        decided_by=c.decided_by.get_username() if c.decided_by else None,
        decided_at=c.decided_at,
        case_id=c.case_id,
        case_reference=c.case.reference if c.case else None,
        reasons=reasons_of(c),
    )


def _reload(c: OutreachCandidate) -> OutreachCandidate:
    return OutreachCandidate.objects.select_related("scan", "case", "decided_by").get(pk=c.pk)


def _scans_of(actor):
    return ClaimsScan.objects.filter(program_id=actor.user.program_id).select_related(
        "requested_by"
    )


# --- scans ---------------------------------------------------------------------------------


@router.get("/scans", response={200: list[ScanOut], **ERRORS}, summary="Claims scans")
def list_scans(request):
    """Your program's claims scans, newest first (at most 100, as on the scans page):
    status, rows read and quarantined per file, members qualified and enrolled, seconds
    and lines per second, and what the import did."""
    actor = actor_of(request)
    require(actor, "outreach.view")
    return [_scan(s) for s in _scans_of(actor).order_by("-created_at", "-pk")[:100]]


@router.get("/scans/{scan_id}", response={200: ScanOut, **ERRORS}, summary="One claims scan")
def get_scan(request, scan_id: int):
    actor = actor_of(request)
    require(actor, "outreach.view")
    scan = _scans_of(actor).filter(pk=scan_id).first()
    if scan is None:
        raise NotFound("No such scan")
    return _scan(scan)


@router.post("/scans", response={202: ScanOut, **ERRORS}, summary="Scan a delivery of your inbox")
def start_scan(request, payload: ScanIn):
    """Queue a scan of a delivery folder waiting in your program's claims inbox (the
    "Run scan" button). Answers **202** with the queued scan; follow it with
    ``GET /outreach/scans/{id}``. A delivery already being scanned answers **409** with
    the reason; a name that is not a folder of your inbox answers **422**. The same files
    scanned again as of the same date are recognized by the scan itself, which ends with
    status ``duplicate`` and says which scan it repeats."""
    actor = actor_of(request)
    try:
        scan = services.request_scan(actor, payload.delivery, payload.as_of)
    except services.NoSuchDelivery as exc:
        raise invalid("delivery", exc.message) from exc
    return Status(202, _scan(_scans_of(actor).get(pk=scan.pk)))


# --- members found -------------------------------------------------------------------------


def _groups() -> list[str]:
    rules = claims_rules.load()
    return sorted({group for group, _tissue in rules.categories.values()} | {rules.unknown_group})


@router.get(
    "/candidates",
    response={200: CandidatePage, **ERRORS},
    summary="Members found in claims",
)
def list_candidates(request, filters: Query[CandidateFilters]):
    """The worklist: members of your program found in claims, highest score first, each
    with its reasons in plain words and the evidence claims (ids and dates). Without
    ``scan``, each member's current entry with status ``pending`` unless ``status`` says
    otherwise (``all`` for every status); with ``scan``, every member that scan found.
    ``count`` is the number matching; page with ``limit`` (at most 200) and ``offset``."""
    actor = actor_of(request)
    with audited(actor, "outreach.view") as audit:
        data = {
            "status": filters.status or "",
            "trigger": filters.trigger or "",
            "group": (filters.cancer_group or "").strip(),
            "scan": filters.scan or "",
        }
        # The worklist page's own filter, so both answer the same question the same way.
        form = CandidateFilter(data, groups=_groups())
        if not form.is_valid():
            errors = [
                {
                    "type": "value_error",
                    "loc": ["query", "cancer_group" if name == "group" else name],
                    "msg": " ".join(messages),
                }
                for name, messages in form.errors.items()
            ]
            raise ValidationError(errors)
        mine = OutreachCandidate.objects.filter(program_id=actor.user.program_id)
        ordered = form.filter(mine).order_by("-score", "person_id", "pk")
        count = ordered.count()
        page = list(
            ordered.select_related("scan", "case", "decided_by")[
                filters.offset : filters.offset + filters.limit
            ]
        )
        audit.detail = f"{count} candidates; {filters.model_dump(exclude_defaults=True)}"[:500]
    return CandidatePage(
        count=count,
        limit=filters.limit,
        offset=filters.offset,
        items=[_candidate(c) for c in page],
    )


@router.get(
    "/candidates/{candidate_id}",
    response={200: CandidateOut, **ERRORS},
    summary="One member found in claims",
)
def get_candidate(request, candidate_id: int):
    actor = actor_of(request)
    with audited(actor, "outreach.view") as audit:
        c = services.candidate_for(actor, candidate_id)
        audit.obj = c
        return _candidate(_reload(c))


@router.post(
    "/candidates/{candidate_id}/accept",
    response={201: AcceptOut, **ERRORS},
    summary="Accept: open a proactive case",
)
def accept_candidate(request, candidate_id: int):
    """Open the proactive case for a pending member; answers **201** with the case's id.
    A member who is not pending any more, or who already has an open case, answers
    **409** with the reason: a member never gets a second open case (when the case was
    opened meanwhile elsewhere, the entry is linked to it, as on the worklist)."""
    actor = actor_of(request)
    c = _reload(services.accept(actor, candidate_id))
    if c.status != Candidate.ACCEPTED or c.case is None:
        raise RuleError(
            f"No case opened for {c.display_name}: {c.reason}",
            [c.reason, "A member gets no second case while one is open"],
        )
    return Status(
        201, AcceptOut(case_id=c.case_id, case_reference=c.case.reference, candidate=_candidate(c))
    )


@router.post(
    "/candidates/{candidate_id}/dismiss",
    response={200: CandidateOut, **ERRORS},
    summary="Dismiss: no outreach, with a reason",
)
def dismiss_candidate(request, candidate_id: int, payload: DismissIn):
    """Dismiss a pending member with the reason no outreach is needed (required, at most
    2000 characters). A member who is not pending any more answers **409**."""
    actor = actor_of(request)
    return _candidate(_reload(services.dismiss(actor, candidate_id, payload.reason)))
