"""The trial registry: ClinicalTrials.gov studies as imported (the record as received,
and the fields read from it), their sites, their criteria as read by the eligibility
engine, the sync cursor, and a log of imports and syncs.

No patient data lives here; the registry is shared by every program.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Trial(models.Model):
    nct_id = models.CharField(max_length=11, unique=True)
    title = models.TextField()
    official_title = models.TextField(blank=True)
    acronym = models.CharField(max_length=100, blank=True)
    brief_summary = models.TextField(blank=True)
    conditions = models.JSONField(default=list)
    keywords = models.JSONField(default=list)
    mesh_terms = models.JSONField(default=list)
    oncotree_codes = models.JSONField(default=list)
    # " NSCLC LUAD ": the codes with spaces around, so a code filter is one LIKE query on
    # SQLite and PostgreSQL alike.
    codes_text = models.CharField(max_length=500, blank=True, db_index=True)
    # NCT number, titles, conditions, keywords, sponsor and interventions in lower case:
    # what the registry page's text search looks in.
    search_text = models.TextField(blank=True)
    phases = models.JSONField(default=list)
    phase = models.CharField(max_length=30, blank=True, help_text="e.g. 'Phase 1/2'")
    overall_status = models.CharField(max_length=30, db_index=True)
    study_type = models.CharField(max_length=30, blank=True)
    sponsor = models.CharField(max_length=300, blank=True)
    enrollment = models.PositiveIntegerField(null=True, blank=True)
    min_age_years = models.FloatField(null=True, blank=True)
    max_age_years = models.FloatField(null=True, blank=True)
    sex = models.CharField(max_length=10, default="ALL")
    healthy_volunteers = models.BooleanField(null=True, blank=True)
    interventions = models.JSONField(default=list)
    arms = models.JSONField(default=list)
    central_contacts = models.JSONField(default=list)
    eligibility_text = models.TextField(blank=True)
    inclusion = models.JSONField(default=list)
    exclusion = models.JSONField(default=list)
    last_update = models.DateField(null=True, blank=True, db_index=True)
    first_posted = models.DateField(null=True, blank=True)
    content_sha256 = models.CharField(max_length=64)
    parser_version = models.CharField(max_length=40, blank=True)
    raw = models.JSONField(help_text="The study record as received.")
    source = models.CharField(max_length=300, blank=True, help_text="File or sync it came from.")
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["nct_id"]

    def __str__(self) -> str:
        return f"{self.nct_id} {self.title[:60]}"

    @property
    def url(self) -> str:
        return f"https://clinicaltrials.gov/study/{self.nct_id}"


class TrialSite(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="sites")
    position = models.PositiveIntegerField()
    facility = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=120, blank=True)
    zip = models.CharField(max_length=20, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=30, blank=True)
    contacts = models.JSONField(default=list)

    class Meta:
        ordering = ["trial", "position"]
        indexes = [models.Index(fields=["country", "state", "city"])]


class TrialCriterion(models.Model):
    """One criterion as the eligibility engine read it: structured (with its kind,
    polarity and parameters) or kept as text; ``text`` is always the source bullet."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveIntegerField(help_text="Order within the trial.")
    section = models.CharField(max_length=20)  # inclusion, exclusion, registry
    bullet = models.PositiveIntegerField(default=0, help_text="The bullet's place in its section.")
    kind = models.CharField(max_length=30, db_index=True)
    polarity = models.CharField(max_length=20)
    params = models.JSONField(default=dict)
    text = models.TextField()

    class Meta:
        ordering = ["trial", "position"]


class SyncState(models.Model):
    """Where the incremental sync with a registry API stands: the high-water mark of
    the last completed sync (its latest LastUpdatePostDate) and, while a sync runs or
    after it stopped half way, the page it will resume from."""

    name = models.CharField(max_length=40, unique=True, default="ctgov")
    base_url = models.CharField(max_length=300, blank=True)
    last_synced_date = models.DateField(null=True, blank=True)
    last_completed_at = models.DateTimeField(null=True, blank=True)
    resume_since = models.DateField(null=True, blank=True)
    resume_page_token = models.CharField(max_length=500, blank=True)
    resume_high_water = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} synced to {self.last_synced_date}"


class RegistryRun(models.Model):
    """One import (a file or directory) or sync, with its counts and refused records;
    a sync queued from the page records its progress here as it runs."""

    class Kind(models.TextChoices):
        IMPORT = "import", "Import"
        SYNC = "sync", "Sync"
        DEMO = "demo", "Demo registry"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    source = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    since = models.DateField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, help_text="Each refused record and why.")
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
