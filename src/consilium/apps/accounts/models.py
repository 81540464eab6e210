from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from consilium.engines.casework.roles import Role


class Program(models.Model):
    """An expert review program run for one sponsor (a health plan or an employer)."""

    name = models.CharField(max_length=200, unique=True)
    sponsor = models.CharField(max_length=200)
    review_due_business_days = models.PositiveSmallIntegerField(
        default=5, help_text="Business days from ready-for-review to the due date."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    ROLE_CHOICES = [(r.value, r.label) for r in Role]

    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    credentials = models.CharField(
        max_length=120, blank=True, help_text="Shown after the name, e.g. 'MD, PhD'."
    )

    @property
    def display_name(self) -> str:
        name = self.get_full_name() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A per-user token for systems calling the API. Only its hash is stored."""

    PREFIX = "csm_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token; the raw value is returned once and never stored."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, token_hash=_hash_token(raw), hint=raw[-6:])
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        token = (
            cls.objects.active().select_related("user").filter(token_hash=_hash_token(raw)).first()
        )
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user
