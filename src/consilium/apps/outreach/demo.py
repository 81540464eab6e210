"""The demo's claims: two small synthetic deliveries in the demo program's inbox, the
older one scanned and imported (so the outreach worklist has members to accept or
dismiss), the newer one left waiting for the coordinator's "Run scan".

Runs once per program (a program that has any scan is left alone), after the demo seed.
Writing the deliveries takes about a second (2,000 members each); the scan goes to the
background queue, the same task the button runs, so the demo starts at once and the
worklist fills a few seconds after the server is up (``background=False`` scans here).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from consilium.apps.accounts.models import User
from consilium.apps.outreach import services
from consilium.apps.outreach.models import ClaimsScan
from consilium.engines.claims.synth import synth

MEMBERS = 2000
# Claims arrive some days after care: each delivery runs to a date before it arrives.
DELIVERIES = (("claims-{as_of}", 35, 0), ("claims-{as_of}", 5, 1))


@dataclass(frozen=True)
class DemoClaims:
    created: bool
    scan: ClaimsScan | None = None
    waiting: str = ""


def seed_claims(
    program,
    *,
    seed: int = 7,
    today: date | None = None,
    background: bool = True,
    tick: Callable[[str], None] = print,
) -> DemoClaims:
    if ClaimsScan.objects.filter(program=program).exists():
        return DemoClaims(False)
    coordinator = (
        User.objects.filter(program=program, role="coordinator", is_active=True)
        .order_by("pk")
        .first()
    )
    if coordinator is None:
        return DemoClaims(False)
    today = today or timezone.localdate()
    inbox = services.program_inbox(program)
    names = []
    for pattern, days_before, seed_offset in DELIVERIES:
        as_of = today - timedelta(days=days_before)
        name = pattern.format(as_of=as_of.isoformat())
        tick(f"writing synthetic claims delivery {name}")
        target = inbox / name
        if not target.exists():
            _write_delivery(target, seed + seed_offset, as_of)
        names.append((name, as_of))
    first, as_of = names[0]
    scan = ClaimsScan.objects.create(
        program=program,
        delivery=str((inbox / first).resolve()),
        delivery_name=first,
        as_of_requested=as_of,
        requested_by=coordinator,
        source="inbox",
    )
    scan.output_dir = str(Path(settings.CLAIMS_SCANS_DIR) / str(scan.pk))
    scan.save(update_fields=["output_dir"])
    if background:
        from consilium.apps.outreach.tasks import run_scan_task
        from consilium.background import after_commit

        after_commit(run_scan_task, scan.pk)
    else:
        tick(f"scanning {first}")
        services.run_scan(scan.pk)  # the background task's own code, in the foreground
    scan.refresh_from_db()
    return DemoClaims(True, scan, names[1][0])


def _write_delivery(target: Path, seed: int, as_of: date) -> None:
    """Written beside the inbox's folders and moved in whole, so the inbox never lists a
    half-written delivery; the generator's answer key (truth.parquet) stays out of it."""
    partial = target.with_name(f".{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    synth(partial, MEMBERS, seed, as_of)
    (partial / "truth.parquet").unlink(missing_ok=True)
    partial.rename(target)
