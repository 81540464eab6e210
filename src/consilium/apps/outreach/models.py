"""Proactive outreach from claims: each scan of a delivery, and each member it found.

A `ClaimsScan` is one delivery scanned (from the "Run scan" button or imported from a
`consilium claims scan` output). An `OutreachCandidate` is one qualifying member as one
scan found them; the member's *current* candidate (at most one per member and program,
a database constraint) is the one on the coordinators' worklist. A later scan's finding
becomes current and the earlier one is kept as history.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from consilium.engines.claims.outreach import Status as FindingStatus

# A running scan whose worker shows no sign of life for this long is taken as killed.
STALL_AFTER = timedelta(minutes=10)


class OutreachSettings(models.Model):
    """A program's outreach choices (set by its admin)."""

    program = models.OneToOneField(
        "accounts.Program", on_delete=models.CASCADE, related_name="outreach_settings"
    )
    auto_open_score = models.FloatField(
        null=True,
        blank=True,
        help_text="Open a proactive case without a coordinator for enrolled members at or "
        "above this claims score. Empty: the site default (CONSILIUM_OUTREACH_AUTO_OPEN_SCORE), "
        "and when that is unset too, never automatically.",
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Outreach settings of {self.program}"


class ClaimsScan(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        DUPLICATE = "duplicate", "Duplicate delivery"

    program = models.ForeignKey(
        "accounts.Program", on_delete=models.PROTECT, related_name="claims_scans"
    )
    delivery = models.CharField(max_length=500, help_text="The delivery directory scanned.")
    delivery_name = models.CharField(max_length=200)
    delivery_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the delivery's files (content)."
    )
    as_of_requested = models.DateField(
        null=True, blank=True, help_text="Empty: the latest claim date in the delivery."
    )
    as_of = models.DateField(null=True, blank=True)
    engine = models.CharField(max_length=20, default="duckdb")
    rules_version = models.CharField(max_length=40, blank=True)
    output_dir = models.CharField(max_length=500, blank=True)
    source = models.CharField(
        max_length=10,
        choices=[("inbox", "Run from the inbox"), ("import", "Imported output")],
        default="inbox",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Progress while running (the worker writes these about once a second).
    worker = models.CharField(max_length=120, blank=True, help_text="host:pid:run of the worker")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    stage = models.CharField(max_length=100, blank=True)
    progress = models.FloatField(default=0.0)
    lines_processed = models.BigIntegerField(default=0)
    # From summary.json.
    files = models.JSONField(default=dict, blank=True)
    rows_read = models.JSONField(default=dict, blank=True)
    rows_quarantined = models.JSONField(default=dict, blank=True)
    quarantine_reasons = models.JSONField(default=dict, blank=True)
    members_qualified = models.IntegerField(null=True, blank=True)
    members_enrolled = models.IntegerField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    lines_per_second = models.FloatField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    # What the import did: new/updated/unchanged candidates, cases opened, skipped reasons.
    import_counts = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same delivery content, scanned as of the same date, is imported once per
            # program: a re-import or a duplicate delivery changes nothing.
            models.UniqueConstraint(
                fields=["program", "delivery_hash", "as_of"],
                condition=models.Q(status="done"),
                name="claims_scan_delivery_once",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"scan #{self.pk}" if self.pk else "new scan"

    @property
    def total_rows(self) -> int:
        return sum(int(v) for v in (self.rows_read or {}).values())

    @property
    def total_quarantined(self) -> int:
        return sum(int(v) for v in (self.rows_quarantined or {}).values())

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING) and not self.stalled

    @property
    def stalled(self) -> bool:
        """Queued or running with no live worker: killed, or never picked up."""
        now = timezone.now()
        if self.status == self.Status.QUEUED:
            return now - self.created_at > STALL_AFTER
        if self.status != self.Status.RUNNING:
            return False
        if self.heartbeat_at is None or now - self.heartbeat_at > STALL_AFTER:
            return True
        return not worker_alive(self.worker)

    @property
    def can_rerun(self) -> bool:
        return self.source == "inbox" and (self.status == self.Status.FAILED or self.stalled)


def worker_id(run: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{run}"


def worker_alive(worker: str) -> bool:
    """Whether the worker that claimed a scan still runs. On this host the process is
    asked directly; on another host only the heartbeat can tell (see `stalled`)."""
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if not host or not pid.isdigit():
        return False
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class CandidateQuerySet(models.QuerySet):
    def current(self):
        return self.filter(current=True)


class OutreachCandidate(models.Model):
    """One qualifying member as one scan found them."""

    class Status(models.TextChoices):
        PENDING = FindingStatus.PENDING.value, "Pending"
        ACCEPTED = FindingStatus.ACCEPTED.value, "Accepted: case opened"
        DISMISSED = FindingStatus.DISMISSED.value, "Dismissed"
        AUTO_OPENED = FindingStatus.AUTO_OPENED.value, "Case opened automatically"
        NOT_ENROLLED = FindingStatus.NOT_ENROLLED.value, "Not enrolled"
        CASE_OPEN = FindingStatus.CASE_OPEN.value, "Case already open"
        SUPERSEDED = FindingStatus.SUPERSEDED.value, "Superseded by a later scan"

    program = models.ForeignKey(
        "accounts.Program", on_delete=models.PROTECT, related_name="outreach_candidates"
    )
    scan = models.ForeignKey(ClaimsScan, on_delete=models.PROTECT, related_name="candidates")
    person_id = models.CharField(max_length=100, help_text="The claims person_id.")
    member_number = models.CharField(
        max_length=40,
        help_text="The plan's member id (eligibility member_id; the person_id when absent).",
    )
    # Demographics from the delivery's eligibility (blank: not given).
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=10, default="unknown")
    state = models.CharField(max_length=2, blank=True)
    contact = models.JSONField(
        default=dict, blank=True, help_text="address, city, zip_code, phone, eligibility spans"
    )
    # What the scan found.
    qualifies_by = models.CharField(max_length=20)
    cancer_group = models.CharField(max_length=40)
    oncotree_tissue = models.CharField(max_length=60)
    metastatic = models.BooleanField(default=False)
    first_qualifying_date = models.DateField(null=True, blank=True)
    triggers = models.JSONField(default=list)
    # ",metastatic,new_diagnosis," so a trigger filter is a plain text match on any database.
    trigger_keys = models.CharField(max_length=400, blank=True)
    score = models.FloatField()
    enrolled = models.BooleanField()
    evidence = models.JSONField(
        default=list, help_text="[{trigger, claim_id, date, detail}] per evidence claim"
    )
    # Where it stands.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    current = models.BooleanField(default=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    member = models.ForeignKey(
        "people.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_candidates",
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_candidates",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person_id", "scan"], name="candidate_once_per_scan"
            ),
            # One worklist entry per member: what the latest scan says.
            models.UniqueConstraint(
                fields=["program", "person_id"],
                condition=models.Q(current=True),
                name="candidate_one_current",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "current", "status", "-score"]),
            models.Index(fields=["program", "member_number"]),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.label})"

    @property
    def label(self) -> str:
        return f"candidate #{self.pk}"

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or f"Member {self.member_number}"
