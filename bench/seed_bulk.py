"""Fill a database with N cases for the load benchmark (bulk inserts, minutes not hours).

    CONSILIUM_VAR_DIR=/tmp/bench uv run python bench/seed_bulk.py --cases 10000

Cases spread over every status, with members, eligibility, consent, coverage, a
pathology report and timeline events, so the worklist and case page do their real work.
Also creates 20 coordinator logins (bench-coord-01..20) whose password is printed.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consilium.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from consilium.apps.accounts.models import Program, User
    from consilium.apps.cases.models import Case, Consent, CoverageCheck, TimelineEvent
    from consilium.apps.people.models import EligibilitySpan, Expert, Member, Physician
    from consilium.apps.records import storage
    from consilium.apps.records.models import Document
    from consilium.engines.casework.calendar import add_business_days
    from consilium.engines.casework.lifecycle import Status
    from consilium.engines.knowledge.cancer_types import common_types

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    if Program.objects.filter(name="Bench Program").exists():
        print("already seeded", file=sys.stderr)
        return
    password = secrets.token_urlsafe(12)
    now = timezone.now()
    today = timezone.localdate()
    types = common_types()
    statuses = list(Status)
    text = "SURGICAL PATHOLOGY REPORT\nDiagnosis: invasive carcinoma.\n"
    sha, _ = storage.put(text.encode())
    with transaction.atomic():
        program = Program.objects.create(name="Bench Program", sponsor="Bench Sponsor")
        coordinators = []
        for i in range(args.users):
            u = User(
                username=f"bench-coord-{i + 1:02d}",
                role="coordinator",
                program=program,
                first_name="Bench",
                last_name=f"Coordinator {i + 1}",
            )
            u.set_password(password)
            coordinators.append(u)
        User.objects.bulk_create(coordinators)
        experts = []
        for i in range(30):
            u = User.objects.create(
                username=f"bench-expert-{i}",
                role="expert",
                first_name="Expert",
                last_name=f"No{i}",
                credentials="MD",
            )
            experts.append(
                Expert.objects.create(
                    user=u,
                    subspecialties=[types[i % len(types)].tissue],
                    licensure_states=["OH"],
                    institution="Bench Cancer Center",
                    languages=["English"],
                )
            )
        physicians = Physician.objects.bulk_create(
            Physician(name=f"Dr. Bench {i}", npi=f"{1_200_000_000 + i}", state="OH")
            for i in range(100)
        )
        members = Member.objects.bulk_create(
            Member(
                program=program,
                member_number=f"B{i:08d}",
                first_name=f"First{i}",
                last_name=f"Last{i}",
                date_of_birth=today - timedelta(days=rng.randint(30, 85) * 365),
                sex=rng.choice(["female", "male"]),
                state="OH",
            )
            for i in range(args.cases // 4)
        )
        EligibilitySpan.objects.bulk_create(
            EligibilitySpan(member=m, plan="Gold", start=today - timedelta(days=800))
            for m in members
        )
        cases = []
        for i in range(args.cases):
            status = statuses[i % len(statuses)]
            t = types[i % len(types)]
            created = now - timedelta(days=rng.randint(0, 120))
            reviewed = status not in (Status.REQUESTED, Status.INTAKE)
            due = add_business_days(created.date(), 5) if reviewed else None
            cases.append(
                Case(
                    program=program,
                    member=members[i % len(members)],
                    origin="member_request",
                    physician=physicians[i % len(physicians)],
                    expert=experts[i % len(experts)] if reviewed else None,
                    cancer_type_code=t.code,
                    cancer_type_label=t.name,
                    questions=["Is the diagnosis right?"],
                    status=status.value,
                    created_at=created,
                    status_changed_at=created,
                    request_date=created.date(),
                    due_date=due,
                    urgent=i % 13 == 0,
                )
            )
        cases = Case.objects.bulk_create(cases, batch_size=1000)
        Consent.objects.bulk_create(
            (
                Consent(case=c, scope="expert_review", signed_by_name="Member", method="electronic")
                for c in cases
            ),
            batch_size=2000,
        )
        CoverageCheck.objects.bulk_create(
            (
                CoverageCheck(case=c, checked_for=c.request_date, covered=True, reason="Covered")
                for c in cases
            ),
            batch_size=2000,
        )
        Document.objects.bulk_create(
            (
                Document(
                    case=c,
                    kind="pathology_report",
                    original_name="pathology.txt",
                    file_type="text",
                    media_type="text/plain",
                    sha256=sha,
                    size=len(text),
                    text=text,
                    text_status="extracted",
                )
                for c in cases
            ),
            batch_size=2000,
        )
        TimelineEvent.objects.bulk_create(
            (
                TimelineEvent(case=c, kind=k, summary=s, at=c.created_at)
                for c in cases
                for k, s in (
                    ("created", "Case opened"),
                    ("status", "Status changed"),
                    ("document", "Record added"),
                )
            ),
            batch_size=3000,
        )
    print(
        f"seeded {len(cases)} cases; coordinators bench-coord-01..{args.users:02d} "
        f"password: {password}"
    )


if __name__ == "__main__":
    main()
