""" "Run scan" from the scans page: the delivery waiting in the program's inbox is scanned
by the background task (Huey, inline in tests) into its own output directory and
imported; the scan records its status, counts and errors for the page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.urls import reverse

from consilium.apps.access.models import AuditEvent
from consilium.apps.outreach import services
from consilium.apps.outreach.models import ClaimsScan, OutreachCandidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(world, claims_dirs, scans):
    root = services.program_inbox(world.program)
    root.mkdir(parents=True)
    shutil.copytree(scans.delivery_a, root / "2025-06")
    return root


def run(client, django_capture_on_commit_callbacks, name, as_of="2025-06-30"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("outreach:run_scan"), {"delivery": name, "as_of": as_of})


def test_run_scan_scans_and_imports(client, world, inbox, django_capture_on_commit_callbacks):
    client.force_login(world.coordinator)
    page = client.get(reverse("outreach:scans")).content.decode()
    assert "2025-06" in page and "Run scan" in page and "medical_claim.parquet" in page

    response = run(client, django_capture_on_commit_callbacks, "2025-06")
    assert response.status_code == 302
    scan = ClaimsScan.objects.get()
    assert scan.status == ClaimsScan.Status.DONE, scan.error
    assert scan.requested_by == world.coordinator and scan.source == "inbox"
    assert scan.output_dir.endswith(f"/scans/{scan.pk}")
    assert (Path(scan.output_dir) / "summary.json").is_file()
    assert scan.lines_processed == 12 and scan.progress == 1.0
    assert scan.members_qualified == 5 and scan.import_counts["new"] == 5
    assert OutreachCandidate.objects.filter(status="pending").count() == 4
    assert AuditEvent.objects.filter(action="outreach.scan", channel="task").exists()

    page = client.get(reverse("outreach:scans")).content.decode()
    assert "Done" in page and "5 qualified" in page and "4 enrolled" in page
    assert "empty person_id" not in page  # nothing quarantined in this delivery
    assert 'hx-trigger="every 2s"' not in page  # nothing running: no polling


def test_a_bad_delivery_fails_with_the_problems_named(
    client, world, inbox, django_capture_on_commit_callbacks
):
    (inbox / "2025-06" / "eligibility.parquet").unlink()
    client.force_login(world.coordinator)
    run(client, django_capture_on_commit_callbacks, "2025-06")
    scan = ClaimsScan.objects.get()
    assert scan.status == ClaimsScan.Status.FAILED
    assert "eligibility: no eligibility.parquet or eligibility.csv" in scan.error
    assert not OutreachCandidate.objects.exists()
    page = client.get(reverse("outreach:scans")).content.decode()
    assert "no eligibility.parquet or eligibility.csv" in page and "Run again" in page


def test_a_duplicate_delivery_is_not_scanned_again(
    client, world, inbox, django_capture_on_commit_callbacks
):
    client.force_login(world.coordinator)
    run(client, django_capture_on_commit_callbacks, "2025-06")
    shutil.copytree(inbox / "2025-06", inbox / "2025-06-resent")
    run(client, django_capture_on_commit_callbacks, "2025-06-resent")
    first, dup = ClaimsScan.objects.order_by("pk")
    assert dup.status == ClaimsScan.Status.DUPLICATE and dup.duplicate_of == first
    assert "same files were scanned as " + first.label in dup.error
    assert OutreachCandidate.objects.count() == 5
    assert not (Path(dup.output_dir) / "members.parquet").exists()


def test_only_folders_of_the_inbox_can_be_scanned(
    client, world, inbox, django_capture_on_commit_callbacks, tmp_path
):
    client.force_login(world.coordinator)
    for name in ("../", "..", "/etc", "missing"):
        response = run(client, django_capture_on_commit_callbacks, name)
        assert response.status_code == 302
    assert not ClaimsScan.objects.exists()
    assert AuditEvent.objects.filter(action="outreach.scan", outcome="failed").count() == 4


def test_another_programs_inbox_is_not_listed(client, world, inbox):
    client.force_login(world.other_coordinator)
    page = client.get(reverse("outreach:scans")).content.decode()
    assert "2025-06" not in page and "No delivery waiting" in page
