"""The demo's sign-ins: random passwords made at first seeding, kept only in
VAR_DIR/demo-logins.json (mode 600), and a line per role saying what to look at."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from consilium.apps.accounts.models import User
from consilium.apps.cases.models import Case
from consilium.apps.demo.models import DemoSeed
from consilium.apps.records.models import Document
from consilium.engines.casework.lifecycle import Status

FILENAME = "demo-logins.json"
ROLE_ORDER = ("member", "physician", "coordinator", "expert", "admin")


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str
    name: str
    look_at: str


def path() -> Path:
    return Path(settings.VAR_DIR) / FILENAME


def _write(passwords: dict[str, str], demo: DemoSeed) -> None:
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "program": demo.program.name,
        "seed": demo.seed,
        "note": "Demo sign-ins for synthetic data only. Generated at first seeding.",
        "logins": [
            {
                "role": entry["role"],
                "username": entry["username"],
                "password": passwords[entry["username"]],
            }
            for entry in demo.logins
        ],
    }
    tmp = target.with_name(target.name + ".tmp")
    # Created readable by the owner only, before any secret is written to it.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)


def _read() -> dict[str, str]:
    try:
        doc = json.loads(path().read_text())
        return {e["username"]: e["password"] for e in doc["logins"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def save(demo: DemoSeed, passwords: dict[str, str]) -> None:
    _write(passwords, demo)


def ensure(demo: DemoSeed) -> dict[str, str]:
    """The demo passwords, as stored. If the file is missing or no longer matches the
    database (a new DATABASE_URL, a deleted file, a changed password), the demo logins get
    fresh passwords and the file is rewritten."""
    stored = _read()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[e["username"] for e in demo.logins])
    }
    if all(
        e["username"] in stored
        and e["username"] in users
        and users[e["username"]].check_password(stored[e["username"]])
        for e in demo.logins
    ):
        return {e["username"]: stored[e["username"]] for e in demo.logins}
    fresh = {}
    for entry in demo.logins:
        user = users.get(entry["username"])
        if user is None:
            continue
        fresh[entry["username"]] = secrets.token_urlsafe(12)
        user.set_password(fresh[entry["username"]])
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
    _write(fresh, demo)
    return fresh


def logins(demo: DemoSeed, passwords: dict[str, str]) -> list[Login]:
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[e["username"] for e in demo.logins])
    }
    out = []
    for entry in sorted(demo.logins, key=lambda e: ROLE_ORDER.index(e["role"])):
        user = users.get(entry["username"])
        if user is None or entry["username"] not in passwords:
            continue
        look = _LOOK_AT[entry["role"]](demo, user, entry.get("case_id"))
        out.append(
            Login(entry["role"], user.username, passwords[user.username], user.display_name, look)
        )
    return out


# --- what each login should look at first, read from the database as it is now ----------


def _ref(case: Case) -> str:
    return f"{case.reference} ({case.cancer_type_label or 'cancer type not set'})"


def _member(demo: DemoSeed, user: User, case_id: int | None) -> str:
    case = Case.objects.filter(member__user=user).order_by("-created_at").first()
    if case is None:
        return "Their own page: request a review."
    status = Status(case.status)
    if status in (Status.REPORT_DELIVERED, Status.CLOSED):
        return (
            f"Their review {_ref(case)} is complete: read the plain-language summary "
            "from the expert, then ask a follow-up question."
        )
    return f"Their review {_ref(case)} is {status.label.lower()}: follow its progress."


def _physician(demo: DemoSeed, user: User, case_id: int | None) -> str:
    cases = Case.objects.filter(physician__user=user)
    delivered = cases.filter(status__in=[Status.REPORT_DELIVERED, Status.CLOSED]).first()
    active = cases.exclude(
        status__in=[
            s.value
            for s in (Status.REPORT_DELIVERED, Status.CLOSED, Status.WITHDRAWN, Status.DECLINED)
        ]
    )
    parts = [f"{cases.count()} patients' reviews"]
    if delivered:
        parts.append(f"read the expert report of {delivered.reference}")
    if active.exists():
        parts.append(f"{active.count()} still in progress")
    return "; ".join(parts) + "; refer a new patient."


def _coordinator(demo: DemoSeed, user: User, case_id: int | None) -> str:
    today = timezone.localdate()
    counts = Case.objects.filter(program=demo.program).aggregate(
        total=Count("pk"),
        intake=Count("pk", filter=Q(status=Status.INTAKE)),
        requested=Count("pk", filter=Q(status=Status.REQUESTED)),
    )
    overdue = Case.objects.filter(program=demo.program).overdue(today).count()
    scan = (
        Document.objects.filter(case__program=demo.program, text_status__startswith="ocr")
        .select_related("case")
        .first()
    )
    faxed = (
        f" {scan.case.reference}'s pathology report came as a fax: OCR reads it in the "
        "background (its badge says how surely), then its facts join the case summary."
        if scan
        else ""
    )
    return (
        f"The worklist: {counts['total']} cases in every status, {overdue} overdue, "
        f"{counts['requested']} new requests and {counts['intake']} in intake "
        "(open one to see its checklist and the facts read from its records; assign an "
        f"expert, mark it ready).{faxed} Outreach: members the plan's claims put forward; "
        "Claims scans: a delivery waits for Run scan. Trials: the registry."
    )


def _expert(demo: DemoSeed, user: User, case_id: int | None) -> str:
    cases = Case.objects.filter(expert__user=user)
    ready = cases.filter(status=Status.READY_FOR_REVIEW).order_by("due_date").first()
    in_review = cases.filter(status=Status.IN_REVIEW).count()
    parts = []
    if ready:
        parts.append(f"start the review of {_ref(ready)}")
    if in_review:
        parts.append(
            f"{in_review} in review to write and sign, with decision support (testing gaps, "
            "therapies, trials) beside the opinion"
        )
    return "The review workspace: " + "; ".join(parts) + "." if parts else "The review workspace."


def _admin(demo: DemoSeed, user: User, case_id: int | None) -> str:
    return "Users and roles, and the audit trail: every page the other logins open appears there."


_LOOK_AT = {
    "member": _member,
    "physician": _physician,
    "coordinator": _coordinator,
    "expert": _expert,
    "admin": _admin,
}
