from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from consilium.engines.casework.coverage import EligibilitySpan as SpanData


class Member(models.Model):
    """A person covered by the program's sponsor. A member may have no login (a case
    opened proactively from claims)."""

    SEX_CHOICES = [
        ("female", "Female"),
        ("male", "Male"),
        ("other", "Other"),
        ("unknown", "Unknown"),
    ]

    program = models.ForeignKey(
        "accounts.Program", on_delete=models.PROTECT, related_name="members"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_profile",
    )
    member_number = models.CharField(max_length=40, help_text="The plan's member id.")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=SEX_CHOICES)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, help_text="Two-letter US state code.")
    postal_code = models.CharField(max_length=10, blank=True)
    preferred_language = models.CharField(max_length=40, default="English")

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "member_number"], name="member_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, on: date) -> int:
        dob = self.date_of_birth
        return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))

    def span_data(self) -> list[SpanData]:
        return [s.as_data() for s in self.eligibility_spans.all()]


class EligibilitySpan(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="eligibility_spans")
    plan = models.CharField(max_length=100)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    expert_review_benefit = models.BooleanField(default=True)

    class Meta:
        ordering = ["-start"]

    def as_data(self) -> SpanData:
        return SpanData(self.start, self.end, self.plan, self.expert_review_benefit)


class Physician(models.Model):
    """A treating oncologist outside the program who refers and reads reports."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="physician_profile",
    )
    name = models.CharField(max_length=200)
    npi = models.CharField(max_length=10, blank=True, help_text="National Provider Identifier.")
    specialty = models.CharField(max_length=100, default="Medical oncology")
    practice = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=2, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Expert(models.Model):
    """A subspecialist who reviews cases. Subspecialties are OncoTree tissues."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_profile"
    )
    subspecialties = models.JSONField(default=list, help_text="OncoTree tissues, e.g. ['Breast'].")
    licensure_states = models.JSONField(default=list, help_text="Two-letter state codes.")
    institution = models.CharField(max_length=200)
    languages = models.JSONField(default=list)
    weekly_capacity = models.PositiveSmallIntegerField(default=5)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__last_name"]

    def __str__(self) -> str:
        return self.user.display_name
