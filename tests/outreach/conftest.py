"""Tiny claims deliveries and their scans, shared by the outreach tests.

Scanning costs a couple of seconds (compiling the pipeline), so each delivery is scanned
once per session; tests only read the outputs and import them into their own database.

Delivery A, as of 2025-06-30 (deliveries.AS_OF):
- P1 (Ann Avery): breast, new diagnosis and a metastatic code -> score 6, enrolled.
- P2 (Bob Brown): prostate known for more than a year -> score 0, enrolled.
- P3 (Cy Cole): lung, new and metastatic, no molecular test -> score 9, NOT enrolled.
- P4 (no name in eligibility): colorectal, new diagnosis -> score 3, enrolled.
- P5 (Eve Evans): breast, new diagnosis -> score 3, enrolled (tests give her an open case).
Delivery B (same date): P1 also starts chemotherapy, P2 now has a metastatic code, P6 new.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from consilium.apps.access.actors import Actor
from consilium.engines.claims.scan import scan
from tests import factories as f
from tests.claims.deliveries import AS_OF, line, span, write


def person(pid, first, last, *, end=None, birth="1961-03-14", gender="female", state="OH"):
    return span(pid, end=end) | {
        "first_name": first,
        "last_name": last,
        "birth_date": birth,
        "gender": gender,
        "state": state,
        "address": "12 Main St",
        "city": "Columbus",
        "zip_code": "43215",
        "phone": "555-0101",
    }


ELIGIBILITY = [
    person("P1", "Ann", "Avery"),
    person("P2", "Bob", "Brown", gender="male", birth="1950-07-01"),
    person("P3", "Cy", "Cole", gender="male", end="2025-01-31"),
    person("P4", None, None, state=None),
    person("P5", "Eve", "Evans"),
    person("P6", "Fay", "Fox"),
]


def medical_a() -> list[dict]:
    return [
        line("P1", 20, "C50911", claim_id="A-P1-1"),
        line("P1", 10, "C50911", "C787", claim_id="A-P1-2"),
        line("P2", 400, "C61", claim_id="A-P2-1"),
        line("P2", 200, "C61", claim_id="A-P2-2"),
        line("P2", 100, "C61", claim_id="A-P2-3"),
        line("P3", 30, "C3490", "C7800", claim_id="A-P3-1"),
        line("P3", 15, "C3490", claim_id="A-P3-2"),
        line("P4", 40, "C189", claim_id="A-P4-1"),
        line("P4", 35, "C189", claim_id="A-P4-2"),
        line("P5", 25, "C50911", claim_id="A-P5-1"),
        line("P5", 12, "C50911", claim_id="A-P5-2"),
        line("Z9", 12, "I10", claim_id="A-Z9-1"),
    ]


def medical_b() -> list[dict]:
    return [
        *medical_a(),
        line("P1", 5, "C50911", hcpcs="J9267", claim_id="B-P1-3"),
        line("P2", 8, "C61", "C7951", claim_id="B-P2-4"),
        line("P6", 30, "C61", claim_id="B-P6-1"),
        line("P6", 20, "C61", claim_id="B-P6-2"),
    ]


@dataclass(frozen=True)
class Scans:
    delivery_a: Path
    a: Path  # scan output of delivery A
    a_copy: Path  # scan output of a copy of delivery A in another folder
    b: Path  # scan output of delivery B
    a_earlier: Path  # delivery A scanned as of five days earlier


@pytest.fixture(scope="session")
def scans(tmp_path_factory) -> Scans:
    root = tmp_path_factory.mktemp("outreach-deliveries")
    a = write(root / "delivery-a", medical_a(), ELIGIBILITY)
    b = write(root / "delivery-b", medical_b(), ELIGIBILITY)
    copy = shutil.copytree(a, root / "delivery-a-again")
    out = {}
    for name, d, as_of in [
        ("a", a, AS_OF),
        ("a_copy", copy, AS_OF),
        ("b", b, AS_OF),
        ("a_earlier", a, AS_OF - dt.timedelta(days=5)),
    ]:
        out[name] = root / f"out-{name}"
        scan(d, out[name], as_of=as_of, memory_limit="1GB")
    return Scans(delivery_a=a, **out)


def copy_delivery(src: Path, dest: Path) -> Path:
    return Path(shutil.copytree(src, dest))


@pytest.fixture
def coordinator_actor(world):
    return Actor(world.coordinator, "cli")


@pytest.fixture
def claims_dirs(settings, tmp_path):
    settings.CLAIMS_INBOX = tmp_path / "inbox"
    settings.CLAIMS_SCANS_DIR = tmp_path / "scans"
    settings.OUTREACH_AUTO_OPEN_SCORE = None
    return settings


@pytest.fixture(autouse=True)
def _no_site_auto_open(settings):
    settings.OUTREACH_AUTO_OPEN_SCORE = None


def open_case_for(world, member_number: str, **kw):
    """A member of the world's program with an open (requested) case."""
    m = f.member(world.program, with_login=False, member_number=member_number)
    return f.case(world.program, mem=m, **kw)
