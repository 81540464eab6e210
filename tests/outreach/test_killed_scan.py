"""A scan killed halfway (its worker gone, its output directory partial) can be run
again from the page and ends exactly as an uninterrupted scan would; a scan whose worker
still runs cannot be started twice."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from consilium.apps.access.actors import Actor
from consilium.apps.outreach import services
from consilium.apps.outreach.models import ClaimsScan, OutreachCandidate
from tests.claims.deliveries import AS_OF

pytestmark = pytest.mark.django_db


def dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def killed_scan(world, scans, pid: int) -> ClaimsScan:
    root = services.program_inbox(world.program)
    delivery = shutil.copytree(scans.delivery_a, root / "2025-06")
    now = timezone.now()
    scan = ClaimsScan.objects.create(
        program=world.program,
        delivery=str(delivery),
        delivery_name="2025-06",
        as_of_requested=AS_OF,
        requested_by=world.coordinator,
        status=ClaimsScan.Status.RUNNING,
        worker=f"{socket.gethostname()}:{pid}:abcd",
        started_at=now - timedelta(minutes=2),
        heartbeat_at=now - timedelta(seconds=30),
        stage="3/12 reading medical claim lines",
        lines_processed=6,
    )
    out = Path(settings.CLAIMS_SCANS_DIR) / str(scan.pk)
    (out / ".tmp").mkdir(parents=True)
    (out / "members.parquet").write_bytes(b"half a file")
    (out / ".evidence.parquet.partial").write_bytes(b"\0" * 10)
    scan.output_dir = str(out)
    scan.save()
    return scan


def findings(program):
    return sorted(
        OutreachCandidate.objects.filter(program=program).values_list(
            "person_id", "status", "score", "triggers", "evidence", "first_name", "current"
        )
    )


def test_a_killed_scan_runs_again_to_the_same_result(
    client, world, scans, claims_dirs, django_capture_on_commit_callbacks
):
    scan = killed_scan(world, scans, dead_pid())
    assert scan.stalled and scan.can_rerun
    client.force_login(world.coordinator)
    page = client.get(reverse("outreach:scans")).content.decode()
    assert "Stopped" in page and "reading medical claim lines" in page and "Run again" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach:rerun_scan", args=[scan.pk]))
    scan.refresh_from_db()
    assert scan.status == ClaimsScan.Status.DONE, scan.error
    out = Path(scan.output_dir)
    assert not (out / ".tmp").exists() and not list(out.glob(".*partial"))

    # The same delivery imported from an uninterrupted scan, in another program.
    services.import_output(Actor(world.other_coordinator, "cli"), scans.a, world.other_program)
    assert findings(world.program) == findings(world.other_program)
    assert len(findings(world.program)) == 5


def test_a_scan_whose_worker_runs_cannot_start_twice(
    client, world, scans, claims_dirs, django_capture_on_commit_callbacks
):
    scan = killed_scan(world, scans, os.getpid())
    assert not scan.stalled and not scan.can_rerun and scan.active
    client.force_login(world.coordinator)
    page = client.get(reverse("outreach:scans")).content.decode()
    assert 'hx-trigger="every 2s"' in page and "6 lines" in page  # the page follows it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outreach:rerun_scan", args=[scan.pk]), follow=True)
    assert "only a failed or stopped scan can be run again" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("outreach:run_scan"), {"delivery": "2025-06", "as_of": ""}, follow=True
        )
    assert "already being scanned" in response.content.decode()
    scan.refresh_from_db()
    assert scan.status == ClaimsScan.Status.RUNNING and ClaimsScan.objects.count() == 1


def test_a_silent_worker_counts_as_stopped(world, scans, claims_dirs):
    scan = killed_scan(world, scans, os.getpid())
    ClaimsScan.objects.filter(pk=scan.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=11)
    )
    scan.refresh_from_db()
    assert scan.stalled and scan.can_rerun


def test_another_programs_scan_cannot_be_run_again(client, world, scans, claims_dirs):
    scan = killed_scan(world, scans, dead_pid())
    client.force_login(world.other_coordinator)
    assert client.post(reverse("outreach:rerun_scan", args=[scan.pk])).status_code == 404
    scan.refresh_from_db()
    assert scan.status == ClaimsScan.Status.RUNNING
