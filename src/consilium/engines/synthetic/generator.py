"""The synthetic review program: members, physicians, experts, staff and cases in every
status, with their records, opinions and history, drawn from one ``random.Random(seed)``.

Same seed and same ``now`` give the same program, field for field. Dates are laid out
backwards from ``now`` so a freshly seeded demo always looks current: requests from this
week, reviews due in the next days, some overdue, reports delivered last week.
"""

from __future__ import annotations

import dataclasses
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from consilium.engines.casework.calendar import add_business_days
from consilium.engines.casework.coverage import EligibilitySpan, check_coverage
from consilium.engines.casework.lifecycle import MAIN_PATH, Status
from consilium.engines.knowledge.cancer_types import by_code
from consilium.engines.synthetic import facts as F
from consilium.engines.synthetic.model import (
    CaseSpec,
    ConsentSpec,
    CoverageSpec,
    DemoLogin,
    DocumentSpec,
    ExpertSpec,
    FollowUpSpec,
    MemberSpec,
    OpinionSpec,
    PhysicianSpec,
    Recommendation,
    Span,
    StaffSpec,
    StatusChange,
    SyntheticProgram,
)

# Bump when the generated program changes shape, so an older seeded demo can say so.
# 2: one intake case's pathology report arrives as a fax scan (read by OCR).
# 3: a program too small for such an intake case gets the fax on a requested case.
SEED_VERSION = 3
DEFAULT_CASES = 50
MIN_CASES = len(Status)

S = Status
PRE_OPINION = (S.REQUESTED, S.INTAKE, S.READY_FOR_REVIEW, S.IN_REVIEW)
# Hours from one status to the next on the main path (a range, drawn per case).
GAP_HOURS = {
    S.INTAKE: (2, 40),
    S.READY_FOR_REVIEW: (24, 120),
    S.IN_REVIEW: (2, 50),
    S.OPINION_SIGNED: (24, 100),
    S.REPORT_DELIVERED: (2, 40),
    S.CLOSED: (160, 480),
    S.WITHDRAWN: (4, 90),
    S.DECLINED: (2, 60),
}
# How long ago a case reached its current status (days), by status.
AGE_DAYS = {
    S.REQUESTED: (0.05, 2.5),
    S.INTAKE: (0.5, 5.0),
    S.OPINION_SIGNED: (0.1, 2.5),
    S.REPORT_DELIVERED: (1.0, 14.0),
    S.CLOSED: (10.0, 220.0),
    S.WITHDRAWN: (3.0, 150.0),
    S.DECLINED: (2.0, 150.0),
}


def generate(
    seed: int = 7, *, now: datetime | None = None, cases: int = DEFAULT_CASES
) -> SyntheticProgram:
    """The whole program. ``now`` is a naive local datetime (default: the clock)."""
    if cases < MIN_CASES:
        raise ValueError(f"the program needs at least {MIN_CASES} cases, one per status")
    now = (now or datetime.now()).replace(second=0, microsecond=0)
    return _Builder(random.Random(seed), seed, now, cases).build()


@dataclass
class _Plan:
    """One case before it is written out: what the layout decided about it."""

    index: int
    status: Status
    cancer: str = ""
    member: int = -1
    origin: str = ""
    physician: str | None = None
    expert: str | None = None
    overdue: bool = False
    decline: str = ""  # "coverage" or "scope" for declined cases
    coverage_fails: bool = False
    earlier_than: int | None = None  # index of the member's later case
    pins: set[str] = field(default_factory=set)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_text.lower())


class _Builder:
    def __init__(self, rng: random.Random, seed: int, now: datetime, n_cases: int):
        self.rng, self.seed, self.now, self.n_cases = rng, seed, now, n_cases
        self.today = now.date()
        self.people = F.load("people")
        self.cfg = F.load("program")
        self.cancers = F.load("cancers")
        self.documents = F.load("documents")
        self.used_names: set[tuple[str, str]] = set()
        self.used_usernames: set[str] = set()
        self.used_numbers: set[str] = set()

    # --- people ------------------------------------------------------------------------

    def _name(self, sex: str) -> tuple[str, str]:
        pool = self.people["first_names"][sex]
        while True:
            first, last = self.rng.choice(pool), self.rng.choice(self.people["last_names"])
            if (first, last) not in self.used_names:
                self.used_names.add((first, last))
                return first, last

    def _username(self, first: str, last: str) -> str:
        base = f"{_slug(first)}.{_slug(last)}"
        name, n = base, 1
        while name in self.used_usernames:
            n += 1
            name = f"{base}{n}"
        self.used_usernames.add(name)
        return name

    def _phone(self, state: str) -> str:
        area = {
            "OH": "216",
            "MI": "313",
            "IN": "317",
            "IL": "312",
            "PA": "412",
            "WI": "414",
            "KY": "502",
        }.get(state, "555")
        # 555-01xx numbers are reserved for fiction.
        return f"({area}) 555-01{self.rng.randint(0, 99):02d}"

    def _unique_number(self, make) -> str:
        while True:
            value = make()
            if value not in self.used_numbers:
                self.used_numbers.add(value)
                return value

    def _staff(self) -> list[StaffSpec]:
        staff = []
        for i in range(self.cfg["coordinators"]):
            first, last = self._name(self.rng.choice(["female", "male"]))
            username = self._username(first, last)
            staff.append(
                StaffSpec(
                    f"coordinator:c{i + 1}",
                    "coordinator",
                    first,
                    last,
                    username,
                    f"{username}@greatlakes.example.org",
                )
            )
        first, last = self._name("female")
        username = self._username(first, last)
        staff.append(
            StaffSpec(
                "admin:a1", "admin", first, last, username, f"{username}@greatlakes.example.org"
            )
        )
        return staff

    def _physicians(self) -> list[PhysicianSpec]:
        practices = self.people["practices"]
        states = list(practices)
        out = []
        for i in range(self.cfg["physicians"]):
            # The demo physician (p01) practices in Ohio, where most members live.
            state = "OH" if i == 0 else states[i % len(states)]
            first, last = self._name(self.rng.choice(["female", "male"]))
            login = i < self.cfg["physicians_with_login"]
            username = self._username(first, last) if login else ""
            out.append(
                PhysicianSpec(
                    key=f"physician:p{i + 1:02d}",
                    first_name=first,
                    last_name=last,
                    name=f"Dr. {first} {last}",
                    npi=self._unique_number(lambda: f"1{self.rng.randint(0, 999_999_999):09d}"),
                    specialty=F.weighted(self.rng, self.people["physician_specialties"]),
                    practice=self.rng.choice(practices[state]),
                    state=state,
                    email=f"{_slug(first)[0]}{_slug(last)}@{_slug(practices[state][0])[:14]}.example.com",
                    phone=self._phone(state),
                    has_login=login,
                    username=username,
                )
            )
        return out

    def _experts(self) -> list[ExpertSpec]:
        out = []
        for i, profile in enumerate(self.people["experts"]):
            first, last = self._name(self.rng.choice(["female", "male"]))
            username = self._username(first, last)
            out.append(
                ExpertSpec(
                    key=f"expert:e{i + 1:02d}",
                    first_name=first,
                    last_name=last,
                    credentials=profile["credentials"],
                    subspecialties=tuple(profile["subspecialties"]),
                    licensure_states=tuple(profile["licensure"]),
                    institution=profile["institution"],
                    languages=tuple(profile["languages"]),
                    weekly_capacity=profile["capacity"],
                    username=username,
                    email=f"{username}@experts.example.org",
                )
            )
        return out

    # --- the layout of cases -----------------------------------------------------------

    def _status_counts(self) -> dict[Status, int]:
        mix = {Status(k): v for k, v in self.cfg["status_mix"].items()}
        total = sum(mix.values())
        spare = self.n_cases - len(mix)  # one per status first, the rest by share
        raw = {s: spare * w / total for s, w in mix.items()}
        counts = {s: 1 + math.floor(r) for s, r in raw.items()}
        left = self.n_cases - sum(counts.values())
        for s in sorted(raw, key=lambda s: (-(raw[s] % 1), list(Status).index(s)))[:left]:
            counts[s] += 1
        return counts

    def _layout(self) -> list[_Plan]:
        rng = self.rng
        plans = [
            _Plan(i, s)
            for i, s in enumerate(s for s, n in self._status_counts().items() for _ in range(n))
        ]
        by_status = {s: [p for p in plans if p.status is s] for s in Status}

        # The cases each demo login opens first.
        member_case = by_status[S.REPORT_DELIVERED][0]
        member_case.pins |= {"demo_member"}
        member_case.origin = "member_request"
        for p in by_status[S.READY_FOR_REVIEW][:2] + by_status[S.IN_REVIEW][:2]:
            p.pins.add("demo_expert")
            p.expert = "expert:e01"
            p.cancer = "IDC"
        by_status[S.OPINION_SIGNED][0].pins.add("demo_expert")
        by_status[S.OPINION_SIGNED][0].expert = "expert:e01"
        by_status[S.OPINION_SIGNED][0].cancer = "ILC"
        delivered = [p for p in by_status[S.REPORT_DELIVERED] if p is not member_case]
        physician_cases = [
            *delivered[-1:],
            by_status[S.CLOSED][0],
            by_status[S.IN_REVIEW][-1],
            by_status[S.REQUESTED][0],
        ]
        for p in physician_cases:
            p.pins.add("demo_physician")
            p.physician = "physician:p01"
        physician_cases[0].origin = "physician_referral"
        by_status[S.REQUESTED][0].origin = "physician_referral"

        # Declines: most for coverage, one for scope; one intake case fails coverage.
        declined = by_status[S.DECLINED]
        for i, p in enumerate(declined):
            p.decline = "scope" if (i == len(declined) - 1 and len(declined) > 1) else "coverage"
            p.coverage_fails = p.decline == "coverage"
        intake = [p for p in by_status[S.INTAKE] if not p.pins]
        if len(intake) >= 3:
            intake[-1].coverage_fails = True

        # Overdue: a share of the cases whose review clock runs.
        running = by_status[S.READY_FOR_REVIEW] + by_status[S.IN_REVIEW]
        n_overdue = max(1, round(len(running) * self.cfg["overdue_share"]))
        for p in rng.sample(running, n_overdue):
            p.overdue = True

        # Members: some have an earlier closed or withdrawn case before the current one.
        n_members = max(1, round(self.n_cases * self.cfg["members_per_case"]))
        earlier = [p for p in by_status[S.CLOSED] + by_status[S.WITHDRAWN] if not p.pins]
        later = [
            p
            for p in plans
            if p.status in (*PRE_OPINION, S.OPINION_SIGNED) and not p.pins and not p.coverage_fails
        ]
        pairs = min(self.n_cases - n_members, len(earlier), len(later))
        for first, second in zip(rng.sample(earlier, pairs), rng.sample(later, pairs), strict=True):
            first.earlier_than = second.index
        member_of: dict[int, int] = {}
        n = 0
        for p in plans:
            if p.earlier_than is None:
                member_of[p.index] = n
                n += 1
        for p in plans:
            p.member = member_of[p.earlier_than if p.earlier_than is not None else p.index]

        # Cancer types: a member keeps one cancer across cases. The mix follows the weights
        # by quota (largest remainder), so even a small program has its rarer types.
        cancer_of: dict[int, str] = {}
        for p in plans:
            if p.cancer:
                cancer_of[p.member] = p.cancer
        pool = self._cancer_quota(n)
        for code in cancer_of.values():
            if code in pool:
                pool.remove(code)
        rng.shuffle(pool)
        for p in plans:
            if p.member not in cancer_of:
                cancer_of[p.member] = pool.pop() if pool else "IDC"
            p.cancer = cancer_of[p.member]

        origins = self.cfg["origin_mix"]
        for p in plans:
            if not p.origin:
                p.origin = F.weighted(rng, origins)
        return plans

    def _cancer_quota(self, n: int) -> list[str]:
        weights = {code: spec["weight"] for code, spec in self.cancers.items()}
        total = sum(weights.values())
        raw = {code: n * w / total for code, w in weights.items()}
        counts = {code: math.floor(r) for code, r in raw.items()}
        order = sorted(raw, key=lambda c: (-(raw[c] % 1), -weights[c], c))
        for code in order[: n - sum(counts.values())]:
            counts[code] += 1
        return [code for code in weights for _ in range(counts[code])]

    # --- members -----------------------------------------------------------------------

    def _members(self, plans: list[_Plan], request_dates: dict[int, date]) -> list[MemberSpec]:
        rng = self.rng
        members = []
        by_member: dict[int, list[_Plan]] = {}
        for p in plans:
            by_member.setdefault(p.member, []).append(p)
        states = {k: v["weight"] for k, v in self.people["states"].items()}
        for m, cases in sorted(by_member.items()):
            cancer = self.cancers[cases[0].cancer]
            sex = cancer["sex"]
            if sex == "any":
                sex = "male" if rng.random() < cancer["male_share"] else "female"
            first_request = min(request_dates[p.index] for p in cases)
            lo, mode, hi = cancer["age"]
            age = round(rng.triangular(lo, hi, mode))
            dob = first_request - timedelta(days=age * 365.25 + rng.randint(1, 360))
            pinned = any(p.pins & {"demo_physician", "demo_member"} for p in cases)
            state = "OH" if pinned else F.weighted(rng, states)
            city, zip3 = rng.choice(self.people["states"][state]["cities"])
            first, last = self._name(sex)
            has_login = (
                any(p.origin == "member_request" or "demo_member" in p.pins for p in cases)
                or rng.random() < 0.3
            )
            spans = self._spans(rng, cases, request_dates, age)
            members.append(
                MemberSpec(
                    key=f"member:m{m + 1:02d}",
                    member_number=self._unique_number(
                        lambda: f"GLH{rng.randint(0, 999_999_999):09d}"
                    ),
                    first_name=first,
                    last_name=last,
                    date_of_birth=dob,
                    sex=sex,
                    email=f"{_slug(first)}.{_slug(last)}@example.com",
                    phone=self._phone(state),
                    address_line=f"{rng.randint(100, 9899)} {rng.choice(self.people['streets'])}",
                    city=city,
                    state=state,
                    postal_code=f"{zip3}{rng.randint(1, 99):02d}",
                    preferred_language=F.weighted(rng, self.people["languages"]),
                    spans=spans,
                    has_login=has_login,
                    username=self._username(first, last) if has_login else "",
                )
            )
        return members

    def _spans(
        self, rng, cases: list[_Plan], request_dates: dict[int, date], age: int
    ) -> tuple[Span, ...]:
        plans = self.people["plans"]
        request = min(request_dates[p.index] for p in cases)
        start = (request - timedelta(days=rng.randint(200, 2600))).replace(day=1)
        good_plan = (
            plans["with_benefit"][-1] if age >= 65 else rng.choice(plans["with_benefit"][:-1])
        )
        spans = []
        if rng.random() < 0.3:  # an earlier plan year on another product
            old_start = (start - timedelta(days=rng.randint(365, 1500))).replace(day=1)
            spans.append(
                Span(
                    rng.choice(plans["with_benefit"][:-1]),
                    old_start,
                    start - timedelta(days=1),
                    True,
                )
            )
        if any(p.coverage_fails for p in cases):
            if rng.random() < 0.5:
                spans.append(Span(plans["without_benefit"][0], start, None, False))
            else:  # lapsed before the request
                spans.append(
                    Span(good_plan, start, request - timedelta(days=rng.randint(20, 120)), True)
                )
        else:
            spans.append(Span(good_plan, start, None, True))
        return tuple(sorted(spans, key=lambda s: s.start, reverse=True))

    # --- one case ----------------------------------------------------------------------

    def _path(self, plan: _Plan) -> list[Status]:
        status = plan.status
        if status in MAIN_PATH:
            return list(MAIN_PATH[: MAIN_PATH.index(status) + 1])
        if status is S.DECLINED:
            if plan.decline == "coverage" or self.rng.random() < 0.5:
                return [S.REQUESTED, S.INTAKE, S.DECLINED]
            return [S.REQUESTED, S.DECLINED]
        stop = self.rng.choice(PRE_OPINION)
        return [*MAIN_PATH[: MAIN_PATH.index(stop) + 1], S.WITHDRAWN]

    def _business_time(self, at: datetime) -> datetime:
        """The same moment moved into office hours on a weekday (staff work then)."""
        if not 8 <= at.hour < 18:
            at = datetime.combine(at.date(), time(8 + at.hour % 10, at.minute, at.second))
        if at.weekday() >= 5:  # Saturday or Sunday: the Friday before
            at -= timedelta(days=at.weekday() - 4)
        return at

    def _times(
        self, plan: _Plan, path: list[Status], end_by: datetime | None
    ) -> dict[Status, datetime]:
        rng, now = self.rng, self.now
        offsets = {path[0]: 0.0}
        for prev, st in pairwise(path):
            offsets[st] = offsets[prev] + rng.uniform(*GAP_HOURS[st])
        if plan.status in (S.READY_FOR_REVIEW, S.IN_REVIEW):
            anchor_stage = S.READY_FOR_REVIEW
            days_ago = rng.uniform(9, 16) if plan.overdue else rng.uniform(0.1, 3.5)
        else:
            anchor_stage = path[-1]
            days_ago = rng.uniform(*AGE_DAYS[plan.status])
        anchor = now - timedelta(days=days_ago)
        if end_by is not None:
            anchor = min(anchor, end_by)
        times = {st: anchor + timedelta(hours=offsets[st] - offsets[anchor_stage]) for st in path}
        limit = now - timedelta(minutes=10)
        after = [st for st in path if offsets[st] > offsets[anchor_stage]]
        if after and times[after[-1]] > limit:
            scale = (limit - anchor) / (times[after[-1]] - anchor)
            for st in after:
                times[st] = anchor + (times[st] - anchor) * scale
        out: dict[Status, datetime] = {}
        previous = None
        for st in path:
            at = self._business_time(times[st]) if st is not S.REQUESTED else times[st]
            if previous is not None and at <= previous:
                at = previous + timedelta(minutes=rng.randint(5, 90))
            out[st] = previous = at
        # Never in the future: pull the last steps back, keeping their order.
        ceiling = limit
        for st in reversed(path):
            out[st] = min(out[st], ceiling)
            ceiling = out[st] - timedelta(minutes=rng.randint(2, 15))
        return out

    def _between(
        self, start: datetime, end: datetime, lo: float = 0.05, hi: float = 0.95
    ) -> datetime:
        """A moment of staff work between two others: in office hours when the window
        allows it."""
        at = start + (end - start) * self.rng.uniform(lo, hi)
        office = self._business_time(at)
        return office if start < office < end else at

    def _intake(
        self, times: dict[Status, datetime], path: list[Status]
    ) -> tuple[datetime, datetime]:
        """When intake work happened: from the request (or the start of intake) until the
        case left intake, or until now if it is still there."""
        start = times.get(S.INTAKE, times[S.REQUESTED])
        later = [times[st] for st in path if times[st] > start]
        end = later[0] if later else self.now - timedelta(minutes=20)
        return start, max(end, start + timedelta(minutes=30))

    def _case_facts(
        self, plan: _Plan, member: MemberSpec, physician: PhysicianSpec | None, request: date
    ) -> dict:
        rng = self.rng
        cancer = self.cancers[plan.cancer]
        hospital = rng.choice(self.people["hospitals"][member.state])
        city = rng.choice(self.people["states"][member.state]["cities"])[0]
        collected = request - timedelta(days=rng.randint(21, 60))
        imaging = collected - timedelta(days=rng.randint(3, 20))
        genomic = collected + timedelta(days=rng.randint(8, 15))
        note = request - timedelta(days=rng.randint(1, 12))
        ordering_first, ordering_last = self._name(rng.choice(["female", "male"]))
        ordering = physician.name if physician else f"Dr. {ordering_first} {ordering_last}"
        practice = (
            physician.practice
            if physician
            else rng.choice(
                self.people["practices"].get(member.state, self.people["practices"]["OH"])
            )
        )
        age = (
            request.year
            - member.date_of_birth.year
            - (
                (request.month, request.day)
                < (member.date_of_birth.month, member.date_of_birth.day)
            )
        )
        female = member.sex == "female"
        common = {
            "patient": f"{member.first_name} {member.last_name}",
            "patient_last": member.last_name,
            "patient_last_first": f"{member.last_name.upper()}, {member.first_name.upper()}",
            "dob": member.date_of_birth.isoformat(),
            "age": age,
            "sex": member.sex,
            "sex_label": member.sex.capitalize(),
            "sex_title": "Ms." if female else "Mr.",
            "pronoun": "she" if female else "he",
            "mrn": f"{rng.randint(10_000_000, 99_999_999)}",
            "accession": f"S{collected:%y}-{rng.randint(10000, 99999)}",
            "imaging_accession": f"RAD{rng.randint(1_000_000, 9_999_999)}",
            "hospital": hospital,
            "hospital_city": city,
            "state": member.state,
            "collected": collected.isoformat(),
            "reported": (collected + timedelta(days=rng.randint(2, 6))).isoformat(),
            "imaging_date": imaging.isoformat(),
            "genomic_date": genomic.isoformat(),
            "note_date": note.isoformat(),
            "tumor_content": rng.choice([30, 40, 50, 60, 70]),
            "ordering": ordering,
            "practice": practice,
            "pathologist": "Dr. {} {}".format(*self._name(rng.choice(["female", "male"]))),
            "radiologist": "Dr. {} {}".format(*self._name(rng.choice(["female", "male"]))),
            "label": by_code(plan.cancer).name.lower(),
        }
        facts = F.draw_all(cancer.get("facts"), rng, common)
        facts = F.draw_all(cancer.get("derived"), rng, facts)
        facts = F.with_variants(facts)
        # Pathologist and radiologist are placeholders in text, not people of the program.
        facts["pathologist"] = facts["pathologist"].removeprefix("Dr. ")
        facts["radiologist"] = facts["radiologist"].removeprefix("Dr. ")
        return facts

    def _documents(
        self,
        plan: _Plan,
        facts: dict,
        times: dict[Status, datetime],
        path: list[Status],
        requester: str,
        coordinator: str,
        physician: str | None,
    ) -> list[DocumentSpec]:
        rng = self.rng
        cancer = self.cancers[plan.cancer]
        requested = times[S.REQUESTED]
        intake_end = self._intake(times, path)[1]
        docs = []
        missing_pathology = plan.status is S.INTAKE and "gap" in plan.pins

        def add(kind: str, frame: str, body: dict, at: datetime, by: str, source: str):
            merged = dict(facts)
            for name, template in body.items():
                if isinstance(template, str):
                    merged[name] = F.fill(template, facts)
            merged = F.with_variants(merged)
            spec = self.documents[frame]
            docs.append(
                DocumentSpec(
                    kind=kind,
                    title=F.fill(spec["title"], merged),
                    filename=F.fill(spec["filename"], merged) + ".txt",
                    text=F.fill(spec["text"], merged) + "\n",
                    as_pdf=False,
                    source=facts["practice"]
                    if frame == "note"
                    else (
                        "Great Lakes Molecular Diagnostics Laboratory"
                        if frame == "genomic"
                        else facts["hospital"]
                    ),
                    uploaded_at=min(at, self.now - timedelta(minutes=5)),
                    uploaded_by=by,
                )
            )

        first_by = requester if plan.origin != "proactive" else coordinator
        if not missing_pathology:
            path_body = {
                k: cancer[k]
                for k in ("specimen_short", "specimen", "diagnosis", "synoptic", "comment")
            }
            at = (
                requested + timedelta(minutes=rng.randint(2, 20))
                if first_by == requester
                else self._between(requested, intake_end)
            )
            add("pathology_report", "pathology", path_body, at, first_by, facts["hospital"])
        if rng.random() < 0.9 or missing_pathology:
            add(
                "imaging_report",
                "imaging",
                cancer["imaging"],
                self._between(requested, intake_end),
                rng.choice([first_by, coordinator]),
                facts["hospital"],
            )
        if plan.origin == "physician_referral" or rng.random() < 0.5:
            add(
                "clinical_note",
                "note",
                cancer["note"],
                requested + timedelta(minutes=rng.randint(3, 30))
                if physician == requester
                else self._between(requested, intake_end),
                requester if physician == requester else coordinator,
                facts["practice"],
            )
        if "genomic" in cancer and plan.status is not S.REQUESTED and rng.random() < 0.7:
            add(
                "genomic_lab_report",
                "genomic",
                cancer["genomic"],
                self._between(requested, intake_end),
                coordinator,
                "",
            )
        return docs

    def _consents(
        self,
        plan: _Plan,
        member: MemberSpec,
        times,
        coordinator: str,
        physician: str | None,
        path: list[Status],
    ) -> list[ConsentSpec]:
        rng = self.rng
        reached_intake = S.INTAKE in path
        if plan.status is S.REQUESTED and plan.origin != "member_request":
            return []
        if plan.status is S.INTAKE and "no_consent" in plan.pins:
            return []
        if not reached_intake and plan.origin != "member_request":
            return []
        requested = times[S.REQUESTED]
        if plan.origin == "member_request" and member.has_login:
            at, method, by = (
                requested + timedelta(minutes=rng.randint(1, 8)),
                "electronic",
                member.key,
            )
        else:
            at = self._between(*self._intake(times, path))
            method, by = rng.choice(["paper", "verbal"]), coordinator
        name = f"{member.first_name} {member.last_name}"
        consents = [ConsentSpec("expert_review", name, method, at, by)]
        if physician:
            consents.append(
                ConsentSpec("share_with_physician", name, method, at + timedelta(seconds=40), by)
            )
        return consents

    def _opinion(
        self,
        plan: _Plan,
        facts: dict,
        questions: list[dict],
        start: datetime,
        signed: datetime | None,
        draft_only: bool,
    ) -> OpinionSpec:
        rng = self.rng
        variants = [
            v
            for v in self.cancers[plan.cancer]["opinions"]
            if all(facts[name] in allowed for name, allowed in v.get("when", {}).items())
        ]
        variant = rng.choices(variants, weights=[v["weight"] for v in variants])[0]
        text = {
            k: F.fill(variant[k], facts)
            for k in ("diagnosis_comment", "treatment_comment", "narrative", "member_summary")
        }
        recs = tuple(
            Recommendation(
                r["kind"], F.fill(r["text"], facts), F.fill(r.get("rationale", ""), facts)
            )
            for r in variant["recommendations"]
        )
        answers = tuple(F.fill(q["a"], facts) for q in questions)
        created = start + timedelta(hours=rng.uniform(1, 20))
        if draft_only:
            # A draft in progress: the diagnosis is assessed, the rest is still open.
            created = min(created, self.now - timedelta(hours=1))
            return OpinionSpec(
                variant["diagnosis"],
                text["diagnosis_comment"],
                "",
                "",
                "",
                text["narrative"].split(". ")[0] + ".",
                "",
                answers[:1],
                recs[:1],
                created,
                created,
                None,
            )
        assert signed is not None
        created = min(created, signed - timedelta(hours=1))
        return OpinionSpec(
            variant["diagnosis"],
            text["diagnosis_comment"],
            variant["treatment"],
            text["treatment_comment"],
            variant["discrepancy"],
            text["narrative"],
            text["member_summary"],
            answers,
            recs,
            created,
            signed - timedelta(minutes=rng.randint(5, 60)),
            signed,
        )

    def _case(
        self,
        plan: _Plan,
        member: MemberSpec,
        physicians: dict[str, PhysicianSpec],
        staff: list[StaffSpec],
        times: dict[Status, datetime],
        path: list[Status],
    ) -> CaseSpec:
        rng = self.rng
        cancer = self.cancers[plan.cancer]
        coordinators = [s.key for s in staff if s.role == "coordinator"]
        coordinator = coordinators[0] if plan.pins else rng.choice(coordinators)
        physician = physicians[plan.physician] if plan.physician else None
        request_at = times[S.REQUESTED]
        request = request_at.date()

        if plan.origin == "member_request":
            requester = member.key
        elif plan.origin == "physician_referral" and physician and physician.has_login:
            requester = physician.key
        else:
            requester = coordinator
        facts = self._case_facts(plan, member, physician, request)
        n_questions = rng.choice([1, 2, 2, 3])
        chosen = sorted(
            rng.sample(range(len(cancer["questions"])), min(n_questions, len(cancer["questions"])))
        )
        questions = [cancer["questions"][i] for i in chosen]
        if plan.origin == "proactive":
            summary = F.fill(self.cfg["proactive_summary"], facts)
        elif plan.origin == "member_request" and cancer.get("member_words"):
            summary = F.fill(rng.choice(cancer["member_words"]), facts)
        else:
            summary = F.fill(rng.choice(cancer["summaries"]), facts)

        case = CaseSpec(
            key=f"case:{plan.index:03d}",
            member=member.key,
            origin=plan.origin,
            requested_by=requester
            if requester.split(":")[0] != "member" or member.has_login
            else None,
            physician=plan.physician,
            cancer_type_code=plan.cancer,
            questions=[F.fill(q["q"], facts) for q in questions],
            clinical_summary=summary,
            urgent="demo_member" not in plan.pins and rng.random() < self.cfg["urgent_share"],
            status=plan.status.value,
            created_at=request_at,
            request_date=request,
            status_changed_at=times[path[-1]],
        )

        # Status history, with who moved the case.
        expert_key = plan.expert
        for prev, st in pairwise(path):
            actor, reason = coordinator, ""
            if st in (S.IN_REVIEW, S.OPINION_SIGNED):
                actor = expert_key or coordinator
            elif st is S.WITHDRAWN:
                reason = rng.choice(self.cfg["withdraw_reasons"])
                actor = rng.choice(
                    [
                        a
                        for a in (
                            member.key if member.has_login else None,
                            physician.key if physician and physician.has_login else None,
                            coordinator,
                        )
                        if a
                    ]
                )
            elif st is S.DECLINED:
                reason = ""  # set below, once coverage is known
            case.history.append(StatusChange(times[st], prev.value, st.value, actor, reason))

        case.consents = self._consents(plan, member, times, coordinator, plan.physician, path)
        if plan.status is S.WITHDRAWN and "revoked" in case.history[-1].reason:
            last = case.history[-1]
            if not case.consents:  # nothing to revoke: the member withdrew for another reason
                others = [r for r in self.cfg["withdraw_reasons"] if "revoked" not in r]
                case.history[-1] = StatusChange(
                    last.at, last.from_status, last.to_status, last.actor, rng.choice(others)
                )
            case.consents = [
                ConsentSpec(
                    c.scope,
                    c.signed_by_name,
                    c.method,
                    c.signed_at,
                    c.recorded_by,
                    last.at - timedelta(minutes=3),
                    last.actor,
                    "The member asked to stop sharing records.",
                )
                for c in case.consents
            ]

        # Coverage, checked during intake.
        if S.INTAKE in path and not (plan.status is S.INTAKE and "no_coverage" in plan.pins):
            spans = [
                EligibilitySpan(s.start, s.end, s.plan, s.expert_review_benefit)
                for s in member.spans
            ]
            decision = check_coverage(spans, request)
            at = self._between(*self._intake(times, path), 0.05, 0.5)
            case.coverage_checks.append(
                CoverageSpec(request, decision.covered, decision.reason, at, coordinator)
            )
            if plan.status is S.DECLINED and plan.decline == "coverage":
                last = case.history[-1]
                case.history[-1] = StatusChange(
                    last.at,
                    last.from_status,
                    last.to_status,
                    last.actor,
                    F.fill(
                        self.cfg["decline_reasons"]["coverage"],
                        {"coverage_reason": decision.reason},
                    ),
                )
        if plan.status is S.DECLINED and plan.decline != "coverage":
            last = case.history[-1]
            case.history[-1] = StatusChange(
                last.at,
                last.from_status,
                last.to_status,
                last.actor,
                rng.choice(self.cfg["decline_reasons"]["scope"]),
            )
        if plan.status in (S.WITHDRAWN, S.DECLINED):
            case.closed_reason = case.history[-1].reason
        elif plan.status is S.CLOSED:
            case.closed_reason = "Report delivered and questions answered."
        case.documents = self._documents(
            plan, facts, times, path, requester, coordinator, physician.key if physician else None
        )

        # The expert: assigned during intake, before the case is ready.
        if expert_key and S.INTAKE in path:
            case.expert = expert_key
            case.assigned_at = self._between(*self._intake(times, path), 0.4, 0.9)
            case.assigned_by = coordinator
        if S.READY_FOR_REVIEW in path:
            case.ready_at = times[S.READY_FOR_REVIEW]
            case.due_date = add_business_days(case.ready_at.date(), self.review_days)

        if S.IN_REVIEW in path and plan.status in (
            S.IN_REVIEW,
            S.OPINION_SIGNED,
            S.REPORT_DELIVERED,
            S.CLOSED,
        ):
            signed = times.get(S.OPINION_SIGNED)
            if signed or rng.random() < 0.5:
                case.opinion = self._opinion(
                    plan, facts, questions, times[S.IN_REVIEW], signed, draft_only=signed is None
                )
        if S.REPORT_DELIVERED in path:
            case.delivered_at = times[S.REPORT_DELIVERED]
            case.delivered_by = coordinator
            case.followups = self._followups(plan, member, case, times)
        return case

    def _followups(
        self, plan: _Plan, member: MemberSpec, case: CaseSpec, times
    ) -> list[FollowUpSpec]:
        rng = self.rng
        if not member.has_login:
            return []
        delivered = times[S.REPORT_DELIVERED]
        closed = times.get(S.CLOSED)
        demo = "demo_member" in plan.pins
        if not demo and rng.random() < (0.4 if closed else 0.55):
            return []
        item = rng.choice(self.cfg["followups"])
        end = closed or self.now - timedelta(minutes=30)
        asked = self._between(delivered, end, 0.1, 0.5)
        answered_open = closed or demo or rng.random() < 0.5
        if not answered_open:
            return [FollowUpSpec(item["q"], asked, member.key)]
        answered = self._between(asked, end, 0.3, 0.9)
        return [FollowUpSpec(item["q"], asked, member.key, item["a"], answered, case.expert)]

    # --- assembling --------------------------------------------------------------------

    def _assign_people(
        self,
        plans: list[_Plan],
        members: list[MemberSpec],
        physicians: list[PhysicianSpec],
        experts: list[ExpertSpec],
    ) -> None:
        rng = self.rng
        load: dict[str, int] = {e.key: 0 for e in experts}
        for p in plans:
            if p.expert:
                load[p.expert] += 1
        for p in plans:
            member = members[p.member]
            if p.physician is None and (p.origin == "physician_referral" or rng.random() < 0.85):
                local = [d for d in physicians[1:] if d.state == member.state] or physicians[1:]
                p.physician = rng.choice(local).key
            if p.expert is None and self._needs_expert(p):
                tissue = by_code(p.cancer).tissue
                fit = [
                    e
                    for e in experts
                    if tissue in e.subspecialties
                    and member.state in e.licensure_states
                    and e.key != "expert:e01"
                ]
                fit = fit or [e for e in experts if tissue in e.subspecialties]
                best = min(load[e.key] for e in fit)
                choice = rng.choice([e for e in fit if load[e.key] == best])
                p.expert = choice.key
                load[choice.key] += 1

    def _needs_expert(self, plan: _Plan) -> bool:
        status = plan.status
        if status in (S.IN_REVIEW, S.OPINION_SIGNED, S.REPORT_DELIVERED, S.CLOSED):
            return True
        if status is S.READY_FOR_REVIEW:
            return "unassigned" not in plan.pins
        if status is S.INTAKE:
            return self.rng.random() < 0.3 and not plan.coverage_fails
        return status is S.WITHDRAWN  # used only if the case got past intake

    def build(self) -> SyntheticProgram:
        rng = self.rng
        self.review_days = self.cfg["program"]["review_due_business_days"]
        staff = self._staff()
        physicians = self._physicians()
        experts = self._experts()
        plans = self._layout()

        # Intake gaps that make the coordinator's checklist worth a look.
        intake = [p for p in plans if p.status is S.INTAKE and not p.pins and not p.coverage_fails]
        for p, pin in zip(intake, ["gap", "no_consent", "no_coverage"], strict=False):
            p.pins.add(pin)
        ready = [p for p in plans if p.status is S.READY_FOR_REVIEW and not p.pins]
        if ready:
            ready[0].pins.add("unassigned")

        # Times first (a member's age is measured at the request), later cases before
        # the earlier cases of the same member.
        paths = {p.index: self._path(p) for p in plans}
        times: dict[int, dict[Status, datetime]] = {}
        for p in sorted(plans, key=lambda p: p.earlier_than is not None):
            end_by = None
            if p.earlier_than is not None:
                later = times[p.earlier_than][S.REQUESTED]
                end_by = later - timedelta(days=rng.uniform(14, 60))
            times[p.index] = self._times(p, paths[p.index], end_by)
        request_dates = {i: t[S.REQUESTED].date() for i, t in times.items()}
        members = self._members(plans, request_dates)
        self._assign_people(plans, members, physicians, experts)

        by_key = {d.key: d for d in physicians}
        cases = [
            self._case(p, members[p.member], by_key, staff, times[p.index], paths[p.index])
            for p in plans
        ]
        # Case numbers follow the order requests arrived.
        order = sorted(range(len(cases)), key=lambda i: cases[i].created_at)
        cases = [cases[i] for i in order]
        plans = [plans[i] for i in order]
        for n, c in enumerate(cases, start=1):
            c.key = f"case:{n:03d}"
        self._choose_pdfs(cases, plans)
        self._choose_scan(cases, plans)

        def first(pin: str, status: Status) -> str | None:
            return next(
                (
                    c.key
                    for c, p in zip(cases, plans, strict=True)
                    if pin in p.pins and p.status is status
                ),
                None,
            )

        member_case = next(c for c, p in zip(cases, plans, strict=True) if "demo_member" in p.pins)
        logins = [
            DemoLogin("member", member_case.member, member_case.key),
            DemoLogin(
                "physician",
                "physician:p01",
                first("demo_physician", S.REPORT_DELIVERED) or first("demo_physician", S.CLOSED),
            ),
            DemoLogin("coordinator", "coordinator:c1", None),
            DemoLogin("expert", "expert:e01", first("demo_expert", S.READY_FOR_REVIEW)),
            DemoLogin("admin", "admin:a1", None),
        ]
        program = self.cfg["program"]
        return SyntheticProgram(
            seed=self.seed,
            version=SEED_VERSION,
            now=self.now,
            name=program["name"],
            sponsor=program["sponsor"],
            review_due_business_days=self.review_days,
            members=members,
            physicians=physicians,
            experts=experts,
            staff=staff,
            cases=cases,
            logins=logins,
        )

    def _choose_scan(self, cases: list[CaseSpec], plans: list[_Plan]) -> None:
        """One case's pathology report arrives as a fax scan, before anyone has reviewed
        its facts: the first intake case with a pathology report and no intake gap pinned
        on it, else the first intake case with a report at all, else (a small program
        whose only intake case lacks its report on purpose) the first requested case with
        one. No random draw: the rest of the program stays as it was."""
        pairs = list(zip(cases, plans, strict=True))
        with_report = [
            (c, p) for c, p in pairs if any(d.kind == "pathology_report" for d in c.documents)
        ]
        intake = [(c, p) for c, p in with_report if p.status is S.INTAKE]
        plain = [(c, p) for c, p in intake if not p.pins and not p.coverage_fails]
        requested = [(c, p) for c, p in with_report if p.status is S.REQUESTED]
        chosen = (plain or intake or requested)[:1]
        for case, _ in chosen:
            j = next(k for k, d in enumerate(case.documents) if d.kind == "pathology_report")
            d = case.documents[j]
            case.documents[j] = dataclasses.replace(
                d,
                filename=d.filename.removesuffix(".txt").removesuffix(".pdf") + "-fax.pdf",
                as_pdf=False,
                as_scan=True,
            )

    def _choose_pdfs(self, cases: list[CaseSpec], plans: list[_Plan]) -> None:
        """About a quarter of the cases get one record as a PDF (rendering is slow), always
        including the records the demo logins open first."""
        target = max(2, round(len(cases) * 0.24))
        first = [i for i, p in enumerate(plans) if p.pins & {"demo_member", "demo_expert"}]
        rest = [i for i in range(len(cases)) if i not in first]
        chosen = first + self.rng.sample(rest, max(0, target - len(first)))
        for i in chosen[: max(target, len(first))]:
            docs = cases[i].documents
            if not docs:
                continue
            j = next((k for k, d in enumerate(docs) if d.kind == "pathology_report"), 0)
            d = docs[j]
            docs[j] = DocumentSpec(
                d.kind,
                d.title,
                d.filename.removesuffix(".txt") + ".pdf",
                d.text,
                True,
                d.source,
                d.uploaded_at,
                d.uploaded_by,
            )
