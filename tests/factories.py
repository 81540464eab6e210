"""Test data the project makes itself: a program, one user per role, members and cases.

Plain functions, so each test says what it needs and nothing is shared by accident.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from django.utils import timezone

from consilium.apps.access.actors import Actor
from consilium.apps.accounts.models import Program, User
from consilium.apps.cases.models import Case, Consent, CoverageCheck
from consilium.apps.people.models import EligibilitySpan, Expert, Member, Physician
from consilium.apps.records.models import Document
from consilium.engines.casework.lifecycle import Status  # noqa: F401 (re-exported for tests)

PASSWORD = "correct-horse-battery-9"
_seq = itertools.count(1)

PATHOLOGY_TEXT = (
    "SURGICAL PATHOLOGY REPORT\n"
    "Specimen: Left breast, lumpectomy.\n"
    "Diagnosis: Invasive ductal carcinoma, Nottingham grade 2, 1.8 cm.\n"
    "Margins negative. Lymphovascular invasion not identified.\n"
    "ER positive (95%), PR positive (80%), HER2 1+ (negative) by IHC.\n"
)


def program(name: str | None = None) -> Program:
    n = next(_seq)
    return Program.objects.create(name=name or f"Program {n}", sponsor=f"Sponsor {n}")


def user(role: str, prog: Program | None = None, **extra) -> User:
    n = next(_seq)
    u = User.objects.create_user(
        username=extra.pop("username", f"{role}{n}"),
        password=PASSWORD,
        role=role,
        program=prog,
        first_name=extra.pop("first_name", role.capitalize()),
        last_name=extra.pop("last_name", f"Number{n}"),
        **extra,
    )
    return u


def member(
    prog: Program,
    *,
    with_login: bool = True,
    benefit: bool = True,
    span_start: date | None = None,
    span_end: date | None = None,
    **extra,
) -> Member:
    n = next(_seq)
    login = user("member", None, first_name="Maria", last_name=f"Lopez{n}") if with_login else None
    m = Member.objects.create(
        program=prog,
        user=login,
        member_number=extra.pop("member_number", f"M{n:07d}"),
        first_name="Maria",
        last_name=f"Lopez{n}",
        date_of_birth=extra.pop("date_of_birth", date(1968, 4, 12)),
        sex="female",
        state=extra.pop("state", "OH"),
        **extra,
    )
    today = timezone.localdate()
    EligibilitySpan.objects.create(
        member=m,
        plan="Gold PPO",
        start=span_start or today - timedelta(days=365),
        end=span_end,
        expert_review_benefit=benefit,
    )
    return m


def physician(with_login: bool = True) -> Physician:
    n = next(_seq)
    login = (
        user("physician", None, first_name="Alan", last_name=f"Grant{n}") if with_login else None
    )
    return Physician.objects.create(
        user=login, name=f"Dr. Alan Grant{n}", npi=f"{1000000000 + n}", state="OH"
    )


def expert(tissues=("Breast",)) -> Expert:
    n = next(_seq)
    login = user("expert", None, first_name="Ellen", last_name=f"Sattler{n}", credentials="MD")
    return Expert.objects.create(
        user=login,
        subspecialties=list(tissues),
        licensure_states=["OH"],
        institution="University Cancer Center",
        languages=["English"],
    )


def case(
    prog: Program | None = None,
    *,
    status: Status = Status.REQUESTED,
    mem: Member | None = None,
    phys: Physician | None = None,
    exp: Expert | None = None,
    **extra,
) -> Case:
    prog = prog or (mem.program if mem else program())
    mem = mem or member(prog)
    return Case.objects.create(
        program=prog,
        member=mem,
        origin=extra.pop("origin", Case.Origin.MEMBER_REQUEST),
        physician=phys,
        expert=exp,
        cancer_type_code=extra.pop("cancer_type_code", "IDC"),
        cancer_type_label=extra.pop("cancer_type_label", "Breast Invasive Ductal Carcinoma"),
        questions=extra.pop("questions", ["Is the diagnosis right?", "Is chemotherapy needed?"]),
        status=status.value,
        **extra,
    )


def consent(c: Case) -> Consent:
    return Consent.objects.create(
        case=c,
        scope=Consent.Scope.EXPERT_REVIEW,
        signed_by_name=c.member.full_name,
        method="electronic",
    )


def coverage(c: Case, covered: bool = True) -> CoverageCheck:
    return CoverageCheck.objects.create(
        case=c, checked_for=c.request_date, covered=covered, reason="test"
    )


def pathology(c: Case) -> Document:
    from consilium.apps.records import storage

    data = PATHOLOGY_TEXT.encode()
    sha, _ = storage.put(data)
    return Document.objects.create(
        case=c,
        kind=Document.Kind.PATHOLOGY,
        original_name="path.txt",
        file_type="text",
        media_type="text/plain",
        sha256=sha,
        size=len(data),
        text=PATHOLOGY_TEXT,
        text_status="extracted",
    )


def actor(u) -> Actor:
    return Actor(u, "web", "127.0.0.1")


class World:
    """One program with a person in each role and a case that links them, plus a second
    program with its own people: the access matrix runs every role against both."""

    def __init__(self):
        self.program = program("Acme Health")
        self.other_program = program("Other Plan")
        self.coordinator = user("coordinator", self.program)
        self.admin = user("admin", self.program)
        self.member = member(self.program)
        self.physician = physician()
        self.expert = expert()
        self.case = case(
            self.program,
            mem=self.member,
            phys=self.physician,
            exp=self.expert,
            status=Status.IN_REVIEW,
        )
        self.other_coordinator = user("coordinator", self.other_program)
        self.other_member = member(self.other_program)
        self.other_physician = physician()
        self.other_expert = expert()
        self.other_case = case(
            self.other_program,
            mem=self.other_member,
            phys=self.other_physician,
            exp=self.other_expert,
            status=Status.IN_REVIEW,
        )

    def users(self) -> dict[str, User]:
        return {
            "member": self.member.user,
            "physician": self.physician.user,
            "expert": self.expert.user,
            "coordinator": self.coordinator,
            "admin": self.admin,
        }


def ready_case(prog: Program | None = None, **kw) -> Case:
    """A case with everything intake needs, in INTAKE."""
    c = case(prog, status=Status.INTAKE, **kw)
    consent(c)
    coverage(c)
    pathology(c)
    return c


def delivered(c: Case) -> Case:
    """Give ``c`` a signed opinion and delivered reports, as if the review were done."""
    from consilium.apps.reports.services import generate_reports
    from consilium.apps.reviews.models import Opinion, Recommendation

    opinion = Opinion.objects.create(
        case=c,
        author=c.expert,
        diagnosis_assessment="refined",
        treatment_assessment="modify",
        discrepancy="minor",
        narrative="Consider genomic testing before chemotherapy.",
        member_summary="The expert agrees with your diagnosis and suggests one more test.",
        answers=[{"question": q, "answer": "Yes."} for q in c.questions],
    )
    Recommendation.objects.create(opinion=opinion, kind="test", text="21-gene recurrence score")
    opinion.signed_at = timezone.now()
    opinion.signed_by = c.expert.user
    opinion.save()
    c.status = Status.REPORT_DELIVERED.value
    c.save()
    for report in generate_reports(c):
        report.delivered_at = timezone.now()
        report.save()
    return c
