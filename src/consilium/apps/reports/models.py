from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Report(models.Model):
    class Kind(models.TextChoices):
        PHYSICIAN = "physician", "Expert report for the treating physician"
        MEMBER = "member", "Plain-language summary for the member"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reports")
    opinion = models.ForeignKey("reviews.Opinion", on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The rendered body is kept so the report read later is exactly the one delivered.
    html = models.TextField()
    generated_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_to = models.CharField(max_length=200, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="one_report_per_kind")]


class FollowUpQuestion(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="followups")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
