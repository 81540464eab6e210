from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SignedOpinionError(Exception):
    """A signed opinion is a record of what the expert said: it never changes."""


class Opinion(models.Model):
    class Diagnosis(models.TextChoices):
        CONFIRMED = "confirmed", "Diagnosis confirmed"
        REFINED = "refined", "Diagnosis refined"
        CHANGED = "changed", "Diagnosis changed"

    class Treatment(models.TextChoices):
        AGREE = "agree", "Agree with the treatment plan"
        MODIFY = "modify", "Modify the treatment plan"
        ALTERNATIVE = "alternative", "Recommend an alternative plan"

    class Discrepancy(models.TextChoices):
        NONE = "none", "None"
        MINOR = "minor", "Minor"
        MAJOR = "major", "Major"

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="opinion")
    author = models.ForeignKey("people.Expert", on_delete=models.PROTECT, related_name="opinions")
    diagnosis_assessment = models.CharField(max_length=20, choices=Diagnosis.choices, blank=True)
    diagnosis_comment = models.TextField(blank=True)
    treatment_assessment = models.CharField(max_length=20, choices=Treatment.choices, blank=True)
    treatment_comment = models.TextField(blank=True)
    discrepancy = models.CharField(max_length=10, choices=Discrepancy.choices, blank=True)
    answers = models.JSONField(
        default=list, help_text="[{'question': ..., 'answer': ...}] for the case's questions."
    )
    narrative = models.TextField(blank=True, help_text="The expert's opinion for the physician.")
    member_summary = models.TextField(
        blank=True, help_text="Plain-language words for the member, from the expert."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def is_complete(self) -> bool:
        return bool(self.diagnosis_assessment and self.treatment_assessment and self.discrepancy)

    def save(self, *args, **kwargs):
        if self.pk and Opinion.objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise SignedOpinionError("a signed opinion cannot change; add an addendum instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and Opinion.objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise SignedOpinionError("a signed opinion cannot be deleted")
        return super().delete(*args, **kwargs)


class Recommendation(models.Model):
    class Kind(models.TextChoices):
        TEST = "test", "Test"
        THERAPY = "therapy", "Therapy"
        TRIAL = "trial", "Clinical trial"
        REFERRAL = "referral", "Referral"
        OTHER = "other", "Other"

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="recommendations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    rationale = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def _opinion_signed(self) -> bool:
        return Opinion.objects.filter(pk=self.opinion_id, signed_at__isnull=False).exists()

    def save(self, *args, **kwargs):
        if self._opinion_signed():
            raise SignedOpinionError("recommendations of a signed opinion cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._opinion_signed():
            raise SignedOpinionError("recommendations of a signed opinion cannot change")
        return super().delete(*args, **kwargs)


class Addendum(models.Model):
    """Added after signing: the way a signed opinion is corrected or extended."""

    opinion = models.ForeignKey(Opinion, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
