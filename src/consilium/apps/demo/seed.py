"""Write the synthetic program to the database.

The generator (engines.synthetic) decides everything; this module persists it through the
ORM directly, for speed, while keeping what the services guarantee: a case in review has
consent, passing coverage and a pathology report; a signed opinion is complete; reports
exist from OPINION_SIGNED on and are delivered from REPORT_DELIVERED on; the timeline
tells the same story with the services' own wording.

Seeding is one transaction with its marker (``DemoSeed``): a crash leaves nothing half
seeded, and a second run finds the marker and creates nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from consilium.apps.access.models import AuditEvent
from consilium.apps.accounts.models import Program, User
from consilium.apps.cases.models import Case, Consent, CoverageCheck, TimelineEvent
from consilium.apps.demo.facts import review_demo_facts
from consilium.apps.demo.models import DemoSeed
from consilium.apps.demo.scan import render_scan
from consilium.apps.people.models import EligibilitySpan, Expert, Member, Physician
from consilium.apps.preparation.services import abstract_document
from consilium.apps.records import storage
from consilium.apps.records.models import Document
from consilium.apps.records.services import QUEUED_DETAIL
from consilium.apps.records.tasks import read_scanned_task
from consilium.apps.reports.models import FollowUpQuestion, Report
from consilium.apps.reports.services import generate_reports
from consilium.apps.reviews.models import Opinion, Recommendation
from consilium.background import after_commit
from consilium.engines.casework.lifecycle import Status
from consilium.engines.knowledge.cancer_types import by_code
from consilium.engines.records.filetypes import Recognized, recognize
from consilium.engines.records.metadata import RecordMetadata
from consilium.engines.records.metadata import describe as describe_record
from consilium.engines.records.text import extract_text
from consilium.engines.synthetic import DEFAULT_CASES, generate
from consilium.engines.synthetic.model import CaseSpec, DocumentSpec, SyntheticProgram

Progress = Callable[[str], None]


class SeedConflict(Exception):
    """A program with the demo's name exists but was not seeded by the demo."""


@dataclass(frozen=True)
class SeedResult:
    demo: DemoSeed
    created: bool
    passwords: dict[str, str]  # username -> password; empty when nothing was created


def current() -> DemoSeed | None:
    return DemoSeed.objects.select_related("program").first()


def aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def render_pdf(doc: DocumentSpec) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "demo/record_pdf.html", {"title": doc.title, "source": doc.source, "text": doc.text}
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def seed(
    *,
    seed: int = 7,
    cases: int = DEFAULT_CASES,
    now: datetime | None = None,
    progress_total: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> SeedResult:
    """Seed the demo program unless it is already there."""
    existing = current()
    if existing is not None:
        return SeedResult(existing, False, {})
    local_now = timezone.localtime(now or timezone.now()).replace(tzinfo=None)
    program = generate(seed, now=local_now, cases=cases)
    if Program.objects.filter(name=program.name).exists():
        raise SeedConflict(
            f"A program named {program.name!r} exists but was not created by the demo; "
            "use an empty database (another CONSILIUM_VAR_DIR or DATABASE_URL)."
        )
    pdfs = [d for c in program.cases for d in c.documents if d.as_pdf or d.as_scan]
    if progress_total:
        progress_total(len(pdfs) + len(program.cases) + 1)
    tick = progress or (lambda label: None)

    # Files first, outside the transaction (rendering is the slow part and SQLite holds
    # its write lock for the whole transaction). Blobs this run created are removed if
    # the transaction fails, so a crash leaves no orphan files either.
    blobs: dict[int, tuple[bytes, str]] = {}
    created: list[str] = []
    try:
        for doc in (d for c in program.cases for d in c.documents):
            if doc.as_scan:
                data = render_scan(doc)
            else:
                data = render_pdf(doc) if doc.as_pdf else doc.text.encode()
            sha, new = storage.put(data)
            if new:
                created.append(sha)
            blobs[id(doc)] = (data, sha)
            if doc.as_pdf or doc.as_scan:
                tick(f"rendering PDF records ({doc.title[:40]})")
        passwords = {username: secrets.token_urlsafe(12) for username in _login_usernames(program)}
        with transaction.atomic():
            demo = _Writer(program, blobs, passwords, tick).write()
    except BaseException:
        for sha in created:
            if not Document.objects.filter(sha256=sha).exists():
                storage.discard(sha)
        raise
    tick("done")
    return SeedResult(demo, True, passwords)


def _login_usernames(program: SyntheticProgram) -> list[str]:
    names = program.person_usernames()
    return [names[login.person] for login in program.logins]


class _Writer:
    def __init__(
        self,
        program: SyntheticProgram,
        blobs: dict[int, tuple[bytes, str]],
        passwords: dict[str, str],
        tick: Progress,
    ):
        self.p, self.blobs, self.passwords, self.tick = program, blobs, passwords, tick
        self.users: dict[str, User] = {}
        self.members: dict[str, Member] = {}
        self.physicians: dict[str, Physician] = {}
        self.experts: dict[str, Expert] = {}

    def write(self) -> DemoSeed:
        p = self.p
        earliest = min(c.created_at for c in p.cases)
        self.program = Program.objects.create(
            name=p.name,
            sponsor=p.sponsor,
            review_due_business_days=p.review_due_business_days,
            created_at=aware(earliest - timedelta(days=45)),
        )
        self._people(aware(earliest - timedelta(days=40)))
        cases = [self._case(spec) for spec in p.cases]
        by_key = {spec.key: case for spec, case in zip(p.cases, cases, strict=True)}
        logins = [
            {
                "role": login.role,
                "username": p.person_usernames()[login.person],
                "case_id": by_key[login.case].pk if login.case else None,
            }
            for login in p.logins
        ]
        AuditEvent.objects.create(
            action="demo.seed",
            channel="cli",
            outcome=AuditEvent.Outcome.ALLOWED,
            object_type="program",
            object_id=str(self.program.pk),
            detail=f"Synthetic demo program seeded: seed {p.seed}, {len(cases)} cases, "
            f"{len(p.members)} members (generator version {p.version})",
        )
        return DemoSeed.objects.create(
            program=self.program, seed=p.seed, version=p.version, cases=len(cases), logins=logins
        )

    # --- people ------------------------------------------------------------------------

    def _user(
        self,
        key: str,
        username: str,
        role: str,
        first: str,
        last: str,
        email: str,
        joined: datetime,
        *,
        credentials: str = "",
        program: Program | None = None,
    ) -> User:
        user = User(
            username=username,
            role=role,
            first_name=first,
            last_name=last,
            email=email,
            credentials=credentials,
            program=program,
            date_joined=joined,
        )
        if username in self.passwords:
            user.set_password(self.passwords[username])
        else:
            # Only the printed demo logins can sign in; the rest of the cast cannot.
            user.set_unusable_password()
        user.save()
        self.users[key] = user
        return user

    def _people(self, joined: datetime) -> None:
        p = self.p
        for s in p.staff:
            self._user(
                s.key,
                s.username,
                s.role,
                s.first_name,
                s.last_name,
                s.email,
                joined,
                program=self.program,
            )
        for e in p.experts:
            user = self._user(
                e.key,
                e.username,
                "expert",
                e.first_name,
                e.last_name,
                e.email,
                joined,
                credentials=e.credentials,
            )
            self.experts[e.key] = Expert.objects.create(
                user=user,
                subspecialties=list(e.subspecialties),
                licensure_states=list(e.licensure_states),
                institution=e.institution,
                languages=list(e.languages),
                weekly_capacity=e.weekly_capacity,
            )
        for d in p.physicians:
            user = (
                self._user(
                    d.key,
                    d.username,
                    "physician",
                    d.first_name,
                    d.last_name,
                    d.email,
                    joined,
                    credentials="MD",
                )
                if d.has_login
                else None
            )
            self.physicians[d.key] = Physician.objects.create(
                user=user,
                name=d.name,
                npi=d.npi,
                specialty=d.specialty,
                practice=d.practice,
                state=d.state,
                email=d.email,
                phone=d.phone,
            )
        for m in p.members:
            first_case = min(c.created_at for c in p.cases if c.member == m.key)
            user = (
                self._user(
                    m.key,
                    m.username,
                    "member",
                    m.first_name,
                    m.last_name,
                    m.email,
                    aware(first_case - timedelta(minutes=30)),
                )
                if m.has_login
                else None
            )
            member = Member.objects.create(
                program=self.program,
                user=user,
                member_number=m.member_number,
                first_name=m.first_name,
                last_name=m.last_name,
                date_of_birth=m.date_of_birth,
                sex=m.sex,
                email=m.email,
                phone=m.phone,
                address_line=m.address_line,
                city=m.city,
                state=m.state,
                postal_code=m.postal_code,
                preferred_language=m.preferred_language,
            )
            EligibilitySpan.objects.bulk_create(
                EligibilitySpan(
                    member=member,
                    plan=s.plan,
                    start=s.start,
                    end=s.end,
                    expert_review_benefit=s.expert_review_benefit,
                )
                for s in m.spans
            )
            self.members[m.key] = member

    # --- cases -------------------------------------------------------------------------

    def _case(self, spec: CaseSpec) -> Case:
        cancer = by_code(spec.cancer_type_code)
        case = Case.objects.create(
            program=self.program,
            member=self.members[spec.member],
            origin=spec.origin,
            requested_by=self.users.get(spec.requested_by) if spec.requested_by else None,
            physician=self.physicians.get(spec.physician) if spec.physician else None,
            expert=self.experts.get(spec.expert) if spec.expert else None,
            cancer_type_code=cancer.code if cancer else "",
            cancer_type_label=cancer.name if cancer else "",
            questions=spec.questions,
            clinical_summary=spec.clinical_summary,
            urgent=spec.urgent,
            status=spec.status,
            status_changed_at=aware(spec.status_changed_at),
            request_date=spec.request_date,
            ready_at=aware(spec.ready_at) if spec.ready_at else None,
            due_date=spec.due_date,
            closed_reason=spec.closed_reason,
            created_at=aware(spec.created_at),
        )
        events: list[TimelineEvent] = []

        def event(at: datetime, kind: str, summary: str, actor_key: str | None, **fields):
            user = self.users.get(actor_key) if actor_key else None
            events.append(
                TimelineEvent(
                    case=case,
                    at=aware(at),
                    kind=kind,
                    summary=summary[:300],
                    actor=user,
                    actor_role=user.role if user else "",
                    **fields,
                )
            )

        origin = Case.Origin(spec.origin).label.lower()
        event(
            spec.created_at,
            TimelineEvent.Kind.CREATED,
            f"Case opened ({origin})",
            spec.requested_by,
            to_status=Status.REQUESTED.value,
        )
        for change in spec.history:
            event(
                change.at,
                TimelineEvent.Kind.STATUS,
                f"{Status(change.from_status).label} → {Status(change.to_status).label}",
                change.actor,
                detail=change.reason,
                from_status=change.from_status,
                to_status=change.to_status,
            )

        for c in spec.consents:
            consent = Consent.objects.create(
                case=case,
                scope=c.scope,
                signed_by_name=c.signed_by_name,
                method=c.method,
                signed_at=aware(c.signed_at),
                recorded_by=self.users.get(c.recorded_by),
                revoked_at=aware(c.revoked_at) if c.revoked_at else None,
                revoked_by=self.users.get(c.revoked_by) if c.revoked_by else None,
                revoke_reason=c.revoke_reason,
            )
            event(
                c.signed_at,
                TimelineEvent.Kind.CONSENT,
                f"Consent signed: {consent.get_scope_display()}",
                c.recorded_by,
                detail=consent.get_method_display(),
            )
            if c.revoked_at:
                event(
                    c.revoked_at,
                    TimelineEvent.Kind.CONSENT,
                    f"Consent revoked: {consent.get_scope_display()}",
                    c.revoked_by,
                    detail=c.revoke_reason,
                )

        for check in spec.coverage_checks:
            CoverageCheck.objects.create(
                case=case,
                checked_for=check.checked_for,
                covered=check.covered,
                reason=check.reason,
                checked_at=aware(check.checked_at),
                checked_by=self.users.get(check.checked_by),
            )
            event(
                check.checked_at,
                TimelineEvent.Kind.COVERAGE,
                "Coverage confirmed" if check.covered else "Coverage not confirmed",
                check.checked_by,
                detail=check.reason,
                member_visible=False,
            )

        for doc in spec.documents:
            document = self._document(case, doc)
            event(
                doc.uploaded_at,
                TimelineEvent.Kind.DOCUMENT,
                f"{document.get_kind_display()} added: {document}",
                doc.uploaded_by,
            )

        expert = self.experts.get(spec.expert) if spec.expert else None
        review_demo_facts(case, spec, expert.user if expert else None, timezone.now())

        if spec.expert and spec.assigned_at:
            event(
                spec.assigned_at,
                TimelineEvent.Kind.ASSIGNMENT,
                f"Expert assigned: {self.experts[spec.expert].user.display_name}",
                spec.assigned_by,
                member_visible=False,
            )

        if spec.opinion is not None:
            self._opinion(case, spec, event)
        for q in spec.followups:
            FollowUpQuestion.objects.create(
                case=case,
                asked_by=self.users[q.asked_by],
                text=q.text,
                asked_at=aware(q.asked_at),
                answer=q.answer,
                answered_by=self.users.get(q.answered_by) if q.answered_by else None,
                answered_at=aware(q.answered_at) if q.answered_at else None,
            )
            event(q.asked_at, TimelineEvent.Kind.QUESTION, "Follow-up question asked", q.asked_by)
            if q.answered_at:
                event(
                    q.answered_at,
                    TimelineEvent.Kind.QUESTION,
                    "Follow-up question answered",
                    q.answered_by,
                )
        TimelineEvent.objects.bulk_create(events)
        self.tick(f"writing cases ({case.reference})")
        return case

    def _document(self, case: Case, doc: DocumentSpec) -> Document:
        data, sha = self.blobs[id(doc)]
        found = recognize(data, doc.filename, settings.MAX_UPLOAD_BYTES)
        extraction = extract_text(found.type, data)
        described = describe_record(found.type, data, extraction.text)
        if extraction.status == "needs_ocr":
            return self._scanned(case, doc, found, described, sha, len(data))
        document = self._create_document(
            case,
            doc,
            found,
            sha,
            len(data),
            text=extraction.text,
            text_status=extraction.status,
            text_detail=extraction.detail,
            record_date=described.record_date,
            metadata=described.metadata,
        )
        # Its facts, read now rather than in the background, inside the seed's transaction.
        abstract_document(document, audit=False, new=True)
        return document

    def _scanned(
        self,
        case: Case,
        doc: DocumentSpec,
        found: Recognized,
        described: RecordMetadata,
        sha: str,
        size: int,
    ) -> Document:
        """A scan waits for OCR like an upload does: the demo's background consumer reads
        it once the seed has committed (seconds), then its facts follow. Without Tesseract
        the record says why it could not be read."""
        document = self._create_document(
            case,
            doc,
            found,
            sha,
            size,
            text="",
            text_status=Document.TextStatus.OCR_QUEUED,
            text_detail=QUEUED_DETAIL,
            metadata={**described.metadata, "ocr_queued_at": timezone.now().isoformat()},
        )
        after_commit(read_scanned_task, document.pk)
        return document

    def _create_document(
        self, case: Case, doc: DocumentSpec, found: Recognized, sha: str, size: int, **fields
    ) -> Document:
        """The record as uploaded by the spec's uploader; ``fields``: its text and what
        the file says."""
        return Document.objects.create(
            case=case,
            kind=doc.kind,
            title=doc.title[:200],
            original_name=doc.filename,
            file_type=found.type.value,
            media_type=found.media_type,
            sha256=sha,
            size=size,
            uploaded_by=self.users.get(doc.uploaded_by),
            uploaded_at=aware(doc.uploaded_at),
            **fields,
        )

    def _opinion(self, case: Case, spec: CaseSpec, event) -> None:
        o = spec.opinion
        assert o is not None and spec.expert
        expert = self.experts[spec.expert]
        opinion = Opinion.objects.create(
            case=case,
            author=expert,
            diagnosis_assessment=o.diagnosis_assessment,
            diagnosis_comment=o.diagnosis_comment,
            treatment_assessment=o.treatment_assessment,
            treatment_comment=o.treatment_comment,
            discrepancy=o.discrepancy,
            narrative=o.narrative,
            member_summary=o.member_summary,
            answers=[
                {"question": q, "answer": a}
                for q, a in zip(
                    case.questions, [*o.answers, *[""] * len(case.questions)], strict=False
                )
            ],
            created_at=aware(o.created_at),
            updated_at=aware(o.updated_at),
        )
        # bulk_create: the rows are written before the signature freezes the opinion.
        Recommendation.objects.bulk_create(
            Recommendation(
                opinion=opinion, kind=r.kind, text=r.text, rationale=r.rationale, position=i
            )
            for i, r in enumerate(o.recommendations)
        )
        if o.signed_at is None:
            return
        signed_at = aware(o.signed_at)
        Opinion.objects.filter(pk=opinion.pk).update(signed_at=signed_at, signed_by=expert.user)
        event(
            o.signed_at,
            TimelineEvent.Kind.OPINION,
            "Opinion signed",
            spec.expert,
            member_visible=False,
        )
        case.opinion = Opinion.objects.get(pk=opinion.pk)
        reports = generate_reports(case)
        Report.objects.filter(case=case).update(generated_at=signed_at + timedelta(seconds=5))
        if spec.delivered_at is None:
            return
        delivered_by = self.users[spec.delivered_by] if spec.delivered_by else None
        for report in reports:
            if report.kind == Report.Kind.PHYSICIAN:
                to = (
                    case.physician.name
                    if case.physician
                    else "Kept on file (no treating physician)"
                )
            else:
                to = case.member.full_name
            Report.objects.filter(pk=report.pk).update(
                delivered_at=aware(spec.delivered_at), delivered_to=to, delivered_by=delivered_by
            )
            event(
                spec.delivered_at,
                TimelineEvent.Kind.REPORT,
                f"{report.get_kind_display()} delivered",
                spec.delivered_by,
                detail=f"to {to}",
            )
