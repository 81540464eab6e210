from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from consilium.engines.casework.calendar import is_overdue
from consilium.engines.casework.lifecycle import CLOCK_RUNNING, Status


class CaseQuerySet(models.QuerySet):
    def overdue(self, today: date):
        return self.filter(status__in=[s.value for s in CLOCK_RUNNING], due_date__lt=today)


class Case(models.Model):
    class Origin(models.TextChoices):
        MEMBER_REQUEST = "member_request", "Member request"
        PHYSICIAN_REFERRAL = "physician_referral", "Physician referral"
        PROACTIVE = "proactive", "Proactive (claims)"

    STATUS_CHOICES = [(s.value, s.label) for s in Status]

    program = models.ForeignKey("accounts.Program", on_delete=models.PROTECT, related_name="cases")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="cases")
    origin = models.CharField(max_length=30, choices=Origin.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    physician = models.ForeignKey(
        "people.Physician",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text="The treating physician, who reads the expert report.",
    )
    expert = models.ForeignKey(
        "people.Expert", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    cancer_type_code = models.CharField(max_length=20, blank=True, help_text="OncoTree code.")
    cancer_type_label = models.CharField(max_length=200, blank=True)
    questions = models.JSONField(default=list, help_text="The questions the review must answer.")
    clinical_summary = models.TextField(blank=True, help_text="What the requester told us.")
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=Status.REQUESTED.value)
    status_changed_at = models.DateTimeField(default=timezone.now)
    request_date = models.DateField(default=timezone.localdate)
    ready_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["program", "status", "due_date"]),
            models.Index(fields=["status", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"CR-{self.pk:06d}" if self.pk else "CR-new"

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    def is_overdue(self, today: date | None = None) -> bool:
        return self.status_enum in CLOCK_RUNNING and is_overdue(
            self.due_date, today or timezone.localdate()
        )


class Consent(models.Model):
    class Scope(models.TextChoices):
        EXPERT_REVIEW = "expert_review", "Share my records with the program's experts for review"
        SHARE_WITH_PHYSICIAN = (
            "share_with_physician",
            "Send the expert report to my treating physician",
        )

    class Method(models.TextChoices):
        ELECTRONIC = "electronic", "Signed electronically by the member"
        PAPER = "paper", "Paper form, recorded by a coordinator"
        VERBAL = "verbal", "Verbal, recorded by a coordinator"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(max_length=30, choices=Scope.choices)
    signed_by_name = models.CharField(max_length=200, help_text="The name the member signed.")
    method = models.CharField(max_length=20, choices=Method.choices)
    signed_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-signed_at"]

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class CoverageCheck(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="coverage_checks")
    checked_for = models.DateField(help_text="The request date checked against eligibility.")
    covered = models.BooleanField()
    reason = models.TextField()
    checked_at = models.DateTimeField(default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-checked_at", "-pk"]


class TimelineEvent(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", "Case opened"
        STATUS = "status", "Status changed"
        CONSENT = "consent", "Consent"
        COVERAGE = "coverage", "Coverage check"
        DOCUMENT = "document", "Record added"
        ASSIGNMENT = "assignment", "Expert assigned"
        OPINION = "opinion", "Opinion"
        REPORT = "report", "Report"
        QUESTION = "question", "Follow-up question"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    summary = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    # Internal steps (coverage details, assignment) are not shown in the member portal.
    member_visible = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "pk"]
