"""Outreach: scans of claims deliveries, importing their findings onto the coordinators'
worklist, and the coordinators' decisions (accept: a proactive case; dismiss, with a
reason).

The rules of what a finding becomes live in engines/claims/outreach.py (`decide`); this
module persists, authorizes and audits. Guarantees:
- an import is one transaction (candidates, cases opened, the scan marked done): a kill
  leaves nothing half-imported, and running it again gives the same final result;
- the same delivery content scanned as of the same date is imported once per program (a
  database constraint): a re-import or a duplicate delivery changes nothing and says so;
- a member never gets a second case while one is open: the check and the opening happen
  in one transaction, holding the member's row (select_for_update), for the importer's
  automatic openings and for a coordinator's Accept alike.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import audited
from consilium.apps.access.policy import NotFound, role_of
from consilium.apps.cases.models import Case
from consilium.apps.cases.services import NewCase, RuleError, open_case
from consilium.apps.outreach.models import (
    ClaimsScan,
    OutreachCandidate,
    OutreachSettings,
    worker_id,
)
from consilium.apps.people.models import EligibilitySpan, Member
from consilium.background import after_commit
from consilium.engines.casework.lifecycle import TERMINAL
from consilium.engines.casework.roles import Role
from consilium.engines.claims import outreach as engine
from consilium.engines.claims.outreach import OutputError
from consilium.engines.claims.scan import delivery_hash
from consilium.engines.claims.scan import scan as run_claims_scan
from consilium.engines.claims.schema import DeliveryError, discover

log = logging.getLogger(__name__)

Candidate = OutreachCandidate.Status
Scan = ClaimsScan.Status
TERMINAL_STATUSES = [s.value for s in TERMINAL]
# Earlier entries that were waiting (not a coordinator's decision) become history.
WAITING = (Candidate.PENDING, Candidate.NOT_ENROLLED, Candidate.CASE_OPEN)
_UNSET = object()
BATCH = 500
# DuckDB spills to disk past this; the web server and the queue share the machine.
SCAN_MEMORY_LIMIT = "2GB"


class MissingDetails(RuleError):
    """A new member record needs details the delivery's eligibility did not give."""

    kind = "no name, birth date or state in the eligibility file"


class NoSuchDelivery(RuleError):
    """The delivery named is not a folder of the program's inbox (the input is at fault)."""


# --- settings and places ------------------------------------------------------------------


def auto_open_threshold(program, override=_UNSET) -> float | None:
    """The score at or above which a proactive case opens without a coordinator: the
    command's --auto-open-score, else the program's setting, else the site's
    (CONSILIUM_OUTREACH_AUTO_OPEN_SCORE); None means never automatically."""
    if override is not _UNSET:
        return override
    own = OutreachSettings.objects.filter(program=program).first()
    if own is not None and own.auto_open_score is not None:
        return own.auto_open_score
    return settings.OUTREACH_AUTO_OPEN_SCORE


def program_inbox(program) -> Path:
    """Deliveries for a program wait in their own folder, so a coordinator can only ever
    scan their own program's files: CLAIMS_INBOX/<program name as a slug>/<delivery>/."""
    return Path(settings.CLAIMS_INBOX) / (slugify(program.name) or f"program-{program.pk}")


@dataclass
class InboxDelivery:
    name: str
    path: Path
    modified: float
    files: list[tuple[str, int]]
    scan: ClaimsScan | None  # the latest scan of this folder, if any

    @property
    def size(self) -> int:
        return sum(size for _name, size in self.files)


def inbox(program) -> list[InboxDelivery]:
    """The program's delivery folders, newest first, each with its latest scan."""
    root = program_inbox(program)
    if not root.is_dir():
        return []
    scans: dict[str, ClaimsScan] = {}
    for s in ClaimsScan.objects.filter(program=program, source="inbox").order_by("created_at"):
        scans[s.delivery] = s  # the latest wins
    out = []
    for path in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(
            (str(f.relative_to(path)), f.stat().st_size)
            for f in path.rglob("*")
            if f.is_file() and not f.name.startswith(".")
        )
        out.append(
            InboxDelivery(path.name, path, path.stat().st_mtime, files, scans.get(str(path)))
        )
    return sorted(out, key=lambda d: -d.modified)


def _coordinator_of(actor: Actor, program) -> None:
    if role_of(actor.user) is not Role.COORDINATOR or actor.user.program_id != program.pk:
        name = actor.user.get_username() if actor.user.is_authenticated else "anonymous"
        raise RuleError(f"{name} is not a coordinator of {program.name}")


# --- scans from the inbox (the "Run scan" button) -----------------------------------------


def request_scan(actor: Actor, delivery_name: str, as_of: date | None = None) -> ClaimsScan:
    """Queue a scan of one delivery folder of the coordinator's program inbox."""
    with audited(actor, "outreach.scan") as audit:
        program = actor.user.program
        if program is None:
            raise RuleError("You are not a coordinator of a program")
        root = program_inbox(program).resolve()
        path = (root / delivery_name).resolve()
        if not delivery_name or path.parent != root or not path.is_dir():
            raise NoSuchDelivery(f"No delivery {delivery_name!r} in the inbox ({root})")
        busy = [
            s
            for s in ClaimsScan.objects.filter(
                program=program, delivery=str(path), status__in=[Scan.QUEUED, Scan.RUNNING]
            )
            if not s.stalled
        ]
        if busy:
            raise RuleError(f"{delivery_name} is already being scanned ({busy[0].label})")
        with transaction.atomic():
            scan = ClaimsScan.objects.create(
                program=program,
                delivery=str(path),
                delivery_name=path.name,
                as_of_requested=as_of,
                requested_by=actor.user,
                source="inbox",
            )
            scan.output_dir = str(Path(settings.CLAIMS_SCANS_DIR) / str(scan.pk))
            scan.save(update_fields=["output_dir"])
            _enqueue(scan)
        audit.obj = scan
        audit.detail = f"queued {scan.label} of {path.name}"
    return scan


def rerun_scan(actor: Actor, scan: ClaimsScan) -> ClaimsScan:
    """Queue a failed or killed scan again; it starts from an empty output directory and
    ends with the same result as a run that was never interrupted."""
    with audited(actor, "outreach.scan", obj=scan) as audit:
        if scan.program_id != actor.user.program_id:
            raise NotFound("No such scan")
        with transaction.atomic():
            locked = ClaimsScan.objects.select_for_update().get(pk=scan.pk)
            if not locked.can_rerun:
                raise RuleError(
                    f"{locked.label} is {locked.get_status_display().lower()}; only a failed or "
                    "stopped scan can be run again"
                )
            previous = locked.status
            locked.status = Scan.QUEUED
            locked.created_at = timezone.now()
            locked.error = ""
            locked.worker = ""
            locked.stage = ""
            locked.progress = 0.0
            locked.lines_processed = 0
            locked.started_at = locked.finished_at = locked.heartbeat_at = None
            locked.requested_by = actor.user
            locked.save()
            _enqueue(locked)
        audit.detail = f"run again (was {previous})"
    return locked


def _enqueue(scan: ClaimsScan) -> None:
    from consilium.apps.outreach.tasks import run_scan_task

    after_commit(run_scan_task, scan.pk)


def run_scan(scan_id: int) -> None:
    """The background task: claim the scan, scan the delivery into its own output
    directory, then import the output as the coordinator who asked. The scan records
    where it stands (stage, lines read, heartbeat) for the page."""
    me = worker_id(uuid.uuid4().hex[:8])
    now = timezone.now()
    claimed = ClaimsScan.objects.filter(pk=scan_id, status=Scan.QUEUED).update(
        status=Scan.RUNNING,
        worker=me,
        started_at=now,
        heartbeat_at=now,
        stage="checking the delivery",
        progress=0.0,
        lines_processed=0,
        error="",
        finished_at=None,
    )
    if not claimed:
        return  # taken by another worker, or no longer queued
    scan = ClaimsScan.objects.select_related("program", "requested_by").get(pk=scan_id)
    mine = ClaimsScan.objects.filter(pk=scan_id, worker=me, status=Scan.RUNNING)
    out = Path(scan.output_dir)
    try:
        # A killed run's partial files never mix with this run's.
        shutil.rmtree(out, ignore_errors=True)
        delivery = Path(scan.delivery)
        digest = delivery_hash(discover(delivery))
        mine.update(delivery_hash=digest, heartbeat_at=timezone.now())
        earlier = _same_delivery(scan.program, digest, scan.as_of_requested, exclude=scan)
        if earlier is not None:
            mine.update(
                status=Scan.DUPLICATE,
                duplicate_of=earlier,
                finished_at=timezone.now(),
                stage="",
                error=f"The same files were scanned as {earlier.label} "
                f"(as of {earlier.as_of}); nothing to do.",
            )
            return
        last = [0.0]

        def beat(stage: int, stages: int, label: str, fraction: float, lines: int) -> None:
            t = time.monotonic()
            if t - last[0] < 1.0 and fraction not in (0.0, 1.0):
                return
            last[0] = t
            mine.update(
                stage=f"{stage + 1}/{stages} {label}",
                progress=round((stage + fraction) / stages, 4),
                lines_processed=lines,
                heartbeat_at=timezone.now(),
            )

        run_claims_scan(
            delivery,
            out,
            as_of=scan.as_of_requested,
            engine="duckdb",
            progress=beat,
            memory_limit=SCAN_MEMORY_LIMIT,
        )
        mine.update(stage="importing", progress=1.0, heartbeat_at=timezone.now())
        actor = Actor(scan.requested_by, "task") if scan.requested_by else None
        if actor is None:
            raise RuleError("The coordinator who asked for this scan no longer exists")
        import_output(actor, out, scan.program, scan=scan, worker=me)
    except (DeliveryError, OutputError, RuleError) as exc:
        _failed(mine, getattr(exc, "message", str(exc)), getattr(exc, "problems", None))
    except PermissionDenied as exc:
        _failed(mine, f"Not allowed: {exc}")
    except Exception as exc:  # the page must say what happened, whatever it was
        log.exception("claims scan %s failed", scan_id)
        _failed(mine, f"{type(exc).__name__}: {exc}")


def _failed(mine, message: str, problems=None) -> None:
    reasons = [p for p in (problems or []) if p and p != message]
    text = message + "".join(f"\n- {p}" for p in reasons)
    mine.update(status=Scan.FAILED, error=text, finished_at=timezone.now(), stage="")


def _same_delivery(program, digest: str, as_of: date | None, exclude=None):
    """An earlier imported scan of the same files. Without an as-of date the scan takes
    the latest claim date, so only another such scan is surely the same (the import's
    constraint catches the rest once the as-of date is known)."""
    qs = ClaimsScan.objects.filter(program=program, status=Scan.DONE, delivery_hash=digest)
    if exclude is not None and exclude.pk:
        qs = qs.exclude(pk=exclude.pk)
    qs = qs.filter(as_of=as_of) if as_of else qs.filter(as_of_requested__isnull=True)
    return qs.order_by("created_at").first()


# --- importing a scan output --------------------------------------------------------------


@dataclass
class ImportResult:
    scan: ClaimsScan | None
    duplicate_of: ClaimsScan | None = None
    counts: dict = field(default_factory=dict)
    threshold: float | None = None

    @property
    def changed(self) -> bool:
        return self.duplicate_of is None


def import_output(
    actor: Actor,
    out: Path,
    program,
    *,
    delivery: Path | None = None,
    auto_open_score=_UNSET,
    scan: ClaimsScan | None = None,
    worker: str | None = None,
) -> ImportResult:
    """Put a scan output's enrolled qualifying members on the program's worklist and
    open proactive cases at or above the auto-open score. `scan` is the inbox scan the
    output belongs to (the background task); from the command a scan is registered."""
    _coordinator_of(actor, program)
    out = Path(out)
    output = engine.check_output(out)
    threshold = auto_open_threshold(program, auto_open_score)
    earlier = _earlier_import(program, output, scan)
    if earlier is not None:
        if scan is not None:
            _mark_duplicate(scan, earlier, worker)
        return ImportResult(scan or earlier, earlier, threshold=threshold)
    findings = engine.read_findings(output, delivery)
    try:
        with audited(actor, "outreach.scan", obj=scan) as audit:
            with transaction.atomic():
                scan = _register(actor, program, output, scan, worker)
                audit.obj = scan
                counts = _apply(actor, program, scan, output, findings, threshold)
                scan.import_counts = counts
                scan.status = Scan.DONE
                scan.stage = ""
                scan.imported_at = scan.finished_at = timezone.now()
                scan.save()
            audit.detail = (
                f"{scan.label}: {counts['new']} new, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged, {counts['cases_opened']} cases opened"
            )
    except IntegrityError:
        # Imported meanwhile by another worker (the one-import-per-delivery constraint).
        earlier = _earlier_import(program, output, scan)
        if earlier is None:
            raise
        if scan is not None and scan.pk:
            _mark_duplicate(scan, earlier, worker)
        return ImportResult(scan or earlier, earlier, threshold=threshold)
    return ImportResult(scan, None, counts, threshold)


def _earlier_import(program, output: engine.ScanOutput, scan: ClaimsScan | None):
    qs = ClaimsScan.objects.filter(
        program=program,
        status=Scan.DONE,
        delivery_hash=output.delivery_sha256,
        as_of=output.as_of,
    )
    if scan is not None and scan.pk:
        qs = qs.exclude(pk=scan.pk)
    return qs.order_by("created_at").first()


def _mark_duplicate(scan: ClaimsScan, earlier: ClaimsScan, worker: str | None) -> None:
    qs = ClaimsScan.objects.filter(pk=scan.pk)
    if worker:
        qs = qs.filter(worker=worker)
    qs.update(
        status=Scan.DUPLICATE,
        duplicate_of=earlier,
        finished_at=timezone.now(),
        stage="",
        error=f"The same files were imported as {earlier.label} (as of {earlier.as_of}); "
        "nothing changed.",
    )


def _register(actor, program, output: engine.ScanOutput, scan, worker) -> ClaimsScan:
    s = output.summary
    if scan is None:
        finished = timezone.datetime.fromtimestamp(
            (output.directory / "summary.json").stat().st_mtime, tz=timezone.get_current_timezone()
        )
        scan = ClaimsScan(
            program=program,
            delivery=str(output.delivery),
            delivery_name=output.delivery.name,
            as_of_requested=output.as_of,
            output_dir=str(output.directory.resolve()),
            source="import",
            requested_by=actor.user,
            created_at=timezone.now(),
            started_at=finished - timezone.timedelta(seconds=float(s.get("seconds") or 0)),
        )
    else:
        scan = ClaimsScan.objects.select_for_update().get(pk=scan.pk)
        if worker and (scan.worker != worker or scan.status != Scan.RUNNING):
            raise RuleError(f"{scan.label} was taken over by another run; this run stops")
    scan.delivery_hash = output.delivery_sha256
    scan.as_of = output.as_of
    scan.engine = str(s.get("engine") or scan.engine)
    scan.rules_version = str(s.get("rules_version") or "")
    scan.files = s.get("files") or {}
    scan.rows_read = s.get("rows_read") or {}
    scan.rows_quarantined = s.get("rows_quarantined") or {}
    scan.quarantine_reasons = s.get("quarantine_reasons") or {}
    scan.members_qualified = s.get("members_qualified")
    scan.members_enrolled = s.get("members_enrolled")
    scan.seconds = s.get("seconds")
    scan.lines_per_second = s.get("lines_per_second")
    scan.summary = s
    scan.save()
    return scan


def _fingerprint(c: OutreachCandidate) -> tuple:
    return engine.fingerprint(
        c.triggers, c.score, c.cancer_group, c.metastatic, c.enrolled, c.evidence
    )


def _apply(actor, program, scan, output, findings, threshold) -> dict:
    ids = [f.person_id for f in findings]
    priors: dict[str, OutreachCandidate] = {}
    for i in range(0, len(ids), BATCH):
        for c in OutreachCandidate.objects.filter(
            program=program, current=True, person_id__in=ids[i : i + BATCH]
        ).select_related("scan"):
            priors[c.person_id] = c
    open_cases: dict[str, Case] = {}
    for case in (
        Case.objects.filter(program=program)
        .exclude(status__in=TERMINAL_STATUSES)
        .select_related("member")
        .order_by("created_at")
    ):
        open_cases.setdefault(case.member.member_number, case)

    counts = {
        "new": 0,
        "updated": 0,
        "unchanged": 0,
        "pending": 0,
        "cases_opened": 0,
        "skipped": {},
    }

    def skip(why: str) -> None:
        counts["skipped"][why] = counts["skipped"].get(why, 0) + 1

    rows: list[OutreachCandidate] = []
    to_open: list[tuple[OutreachCandidate, engine.Finding]] = []
    replaced: list[OutreachCandidate] = []
    for f in findings:
        prior = priors.get(f.person_id)
        case = open_cases.get(f.member_number)
        d = engine.decide(
            f,
            output.as_of,
            _prior(prior) if prior else None,
            case.reference if case else None,
            threshold,
        )
        counts[d.change] += 1
        if d.skipped:
            skip(d.skipped)
        row = _candidate(program, scan, f, d)
        if d.status is engine.Status.CASE_OPEN:
            row.case, row.member = case, case.member
        if d.status is engine.Status.DISMISSED and prior is not None:
            row.decided_by_id, row.decided_at = prior.decided_by_id, prior.decided_at
        if d.auto_open:
            row.status = Candidate.PENDING  # becomes auto_opened once the case exists
            to_open.append((row, f))
        elif d.status is engine.Status.PENDING:
            counts["pending"] += 1
        if d.current and prior is not None:
            replaced.append(prior)
        rows.append(row)

    # Earlier entries step down before the new ones take their place (one current entry
    # per member is a database constraint).
    for i in range(0, len(replaced), BATCH):
        part = [c.pk for c in replaced[i : i + BATCH]]
        OutreachCandidate.objects.filter(pk__in=part, status__in=WAITING).update(
            status=Candidate.SUPERSEDED, current=False
        )
        OutreachCandidate.objects.filter(pk__in=part).update(current=False)
    OutreachCandidate.objects.bulk_create(rows, batch_size=BATCH)

    for row, f in to_open:
        try:
            with audited(actor, "outreach.decide", obj=row) as audit:
                case = _open_for(actor, row, scan, f, auto=True, threshold=threshold)
                audit.detail = f"auto-opened {case.reference}: {row.reason}" if case else row.reason
        except RuleError as exc:
            OutreachCandidate.objects.filter(pk=row.pk).update(
                reason=f"Not opened automatically: {exc.message}"
            )
            counts["pending"] += 1
            skip(f"auto-open not possible: {getattr(exc, 'kind', 'refused')}")
            continue
        if case is None:
            skip("case already open")
        else:
            counts["cases_opened"] += 1
    return counts


def _prior(c: OutreachCandidate) -> engine.Prior:
    return engine.Prior(
        status=engine.Status(c.status),
        as_of=c.scan.as_of,
        triggers=tuple(c.triggers),
        fingerprint=_fingerprint(c),
        reason=c.reason,
    )


def _candidate(program, scan, f: engine.Finding, d: engine.Decision) -> OutreachCandidate:
    demo = f.demographics
    return OutreachCandidate(
        program=program,
        scan=scan,
        person_id=f.person_id,
        member_number=f.member_number[:40],
        first_name=demo.first_name,
        last_name=demo.last_name,
        birth_date=demo.birth_date,
        sex=demo.sex,
        state=demo.state,
        contact={
            "address": demo.address,
            "city": demo.city,
            "zip_code": demo.zip_code,
            "phone": demo.phone,
            "spans": [s.as_dict() for s in demo.spans],
        },
        qualifies_by=f.qualifies_by,
        cancer_group=f.cancer_group,
        oncotree_tissue=f.oncotree_tissue,
        metastatic=f.metastatic,
        first_qualifying_date=f.first_qualifying_date,
        triggers=list(f.triggers),
        trigger_keys="," + ",".join(f.triggers) + "," if f.triggers else "",
        score=f.score,
        enrolled=f.enrolled,
        evidence=[e.as_dict() for e in f.evidence],
        status=d.status.value,
        current=d.current,
        reason=d.reason,
    )


def finding_of(c: OutreachCandidate) -> engine.Finding:
    """The candidate back as the engine's plain finding (for the case's summary)."""
    return engine.Finding(
        person_id=c.person_id,
        qualifies_by=c.qualifies_by,
        cancer_group=c.cancer_group,
        oncotree_tissue=c.oncotree_tissue,
        metastatic=c.metastatic,
        first_qualifying_date=c.first_qualifying_date,
        triggers=tuple(c.triggers),
        score=c.score,
        enrolled=c.enrolled,
        evidence=tuple(engine.evidence_of(e) for e in c.evidence),
    )


# --- opening the proactive case -----------------------------------------------------------


def _member_for(c: OutreachCandidate) -> Member:
    """The program's member with the candidate's member number, held for this
    transaction; created from the eligibility details when the program has none yet."""
    qs = Member.objects.select_for_update().filter(program_id=c.program_id)
    member = qs.filter(member_number=c.member_number).first()
    if member is not None:
        return member
    missing = [
        name
        for name, value in (
            ("first_name", c.first_name),
            ("last_name", c.last_name),
            ("birth_date", c.birth_date),
            ("state", c.state),
        )
        if not value
    ]
    if missing:
        raise MissingDetails(
            f"The delivery's eligibility has no {', '.join(missing)} for member "
            f"{c.member_number}: add the member to the program first, then accept again"
        )
    contact = c.contact or {}
    try:
        with transaction.atomic():
            member = Member.objects.create(
                program_id=c.program_id,
                member_number=c.member_number,
                first_name=c.first_name,
                last_name=c.last_name,
                date_of_birth=c.birth_date,
                sex=c.sex if c.sex in {"female", "male", "other", "unknown"} else "unknown",
                state=c.state,
                phone=contact.get("phone", "")[:30],
                address_line=contact.get("address", "")[:200],
                city=contact.get("city", "")[:100],
                postal_code=contact.get("zip_code", "")[:10],
            )
            EligibilitySpan.objects.bulk_create(
                EligibilitySpan(
                    member=member,
                    plan=span.get("plan") or "from claims eligibility",
                    start=date.fromisoformat(span["start"]),
                    end=date.fromisoformat(span["end"]) if span.get("end") else None,
                )
                for span in contact.get("spans", [])
            )
    except IntegrityError:  # created meanwhile by another transaction
        member = qs.get(member_number=c.member_number)
    return member


def _open_for(actor, c: OutreachCandidate, scan, finding, *, auto: bool, threshold=None):
    """Open the proactive case for a candidate, or link the member's open case, in one
    savepoint of the caller's transaction (the caller audits). Returns the new case, or
    None when the member already had an open case."""
    with transaction.atomic():
        member = _member_for(c)  # held until the transaction ends: no second case meanwhile
        existing = (
            Case.objects.filter(member=member)
            .exclude(status__in=TERMINAL_STATUSES)
            .order_by("created_at")
            .first()
        )
        if existing is not None:
            c.status, c.case, c.member = Candidate.CASE_OPEN, existing, member
            c.reason = f"case {existing.reference} is open for this member"
            c.save(update_fields=["status", "case", "member", "reason"])
            return None
        summary, questions = engine.wording().case_request(finding, scan.as_of, scan.label)
        case = open_case(
            actor,
            NewCase(
                member=member,
                origin=Case.Origin.PROACTIVE,
                questions=questions,
                clinical_summary=summary,
            ),
        )
        c.status = Candidate.AUTO_OPENED if auto else Candidate.ACCEPTED
        c.case, c.member = case, member
        c.decided_by, c.decided_at = actor.user, timezone.now()
        if auto:
            c.reason = f"score {c.score:g} is at least the auto-open score {threshold:g}"
        c.save(update_fields=["status", "case", "member", "decided_by", "decided_at", "reason"])
    return case


# --- the coordinator's decisions ----------------------------------------------------------


def candidate_for(actor: Actor, pk: int) -> OutreachCandidate:
    """A candidate of the actor's own program, else NotFound (another program's member
    looks exactly like a missing one)."""
    c = (
        OutreachCandidate.objects.select_related("scan", "case")
        .filter(pk=pk, program_id=actor.user.program_id)
        .first()
        if actor.user.is_authenticated and actor.user.program_id
        else None
    )
    if c is None:
        raise NotFound("No such candidate")
    return c


def accept(actor: Actor, pk: int) -> OutreachCandidate:
    """Open the proactive case for a pending candidate (or link the member's open case)."""
    with audited(actor, "outreach.decide") as audit:
        c = candidate_for(actor, pk)
        audit.obj = c
        with transaction.atomic():
            c = OutreachCandidate.objects.select_for_update().select_related("scan").get(pk=c.pk)
            if not c.current or c.status != Candidate.PENDING:
                raise RuleError(
                    f"This member is not pending any more ({c.get_status_display().lower()})"
                )
            case = _open_for(actor, c, c.scan, finding_of(c), auto=False)
        audit.detail = f"accepted: {case.reference}" if case else f"not opened: {c.reason}"
    return c


def dismiss(actor: Actor, pk: int, reason: str) -> OutreachCandidate:
    with audited(actor, "outreach.decide") as audit:
        c = candidate_for(actor, pk)
        audit.obj = c
        reason = (reason or "").strip()
        if not reason:
            raise RuleError("Say why this member needs no outreach")
        with transaction.atomic():
            c = OutreachCandidate.objects.select_for_update().get(pk=c.pk)
            if not c.current or c.status != Candidate.PENDING:
                raise RuleError(
                    f"This member is not pending any more ({c.get_status_display().lower()})"
                )
            c.status = Candidate.DISMISSED
            c.reason = reason[:2000]
            c.decided_by, c.decided_at = actor.user, timezone.now()
            c.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit.detail = f"dismiss: {reason[:200]}"
    return c


def save_settings(actor: Actor, auto_open_score: float | None) -> OutreachSettings:
    with audited(actor, "program.settings") as audit:
        program = actor.user.program
        if program is None:
            raise RuleError("You are not an admin of a program")
        own, _ = OutreachSettings.objects.get_or_create(program=program)
        own.auto_open_score = auto_open_score
        own.updated_at, own.updated_by = timezone.now(), actor.user
        own.save()
        audit.obj = own
        audit.detail = f"outreach auto-open score: {auto_open_score}"
    return own
