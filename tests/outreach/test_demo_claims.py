"""The demo's claims: two synthetic deliveries in the demo program's inbox, the older
scanned and imported through the background task, the newer left for "Run scan"; once."""

from __future__ import annotations

import datetime as dt

import pytest

from consilium.apps.outreach import services
from consilium.apps.outreach.demo import seed_claims
from consilium.apps.outreach.models import ClaimsScan, OutreachCandidate

pytestmark = pytest.mark.django_db


def test_demo_claims_once(world, claims_dirs, django_capture_on_commit_callbacks):
    today = dt.date(2025, 7, 1)
    with django_capture_on_commit_callbacks(execute=True):
        result = seed_claims(world.program, today=today, tick=lambda label: None)
    assert result.created and result.waiting == "claims-2025-06-26"
    scan = ClaimsScan.objects.get()
    assert scan.status == ClaimsScan.Status.DONE, scan.error
    assert scan.as_of == dt.date(2025, 5, 27) and scan.requested_by == world.coordinator
    assert OutreachCandidate.objects.filter(status="pending").count() > 10
    listed = {d.name: d.scan for d in services.inbox(world.program)}
    assert listed == {"claims-2025-05-27": scan, "claims-2025-06-26": None}
    assert not any(
        name == "truth.parquet" for d in services.inbox(world.program) for name, _size in d.files
    )

    assert not seed_claims(world.program, today=today, tick=lambda label: None).created
    assert ClaimsScan.objects.count() == 1
