"""Fixtures for the staff-side pages, driven through Django's test client."""

from __future__ import annotations

from pathlib import Path

import pytest

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases import services as cases
from consilium.apps.reviews import services as reviews
from consilium.engines.casework.lifecycle import Status
from tests import factories as f


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Factories make a login per person; the production hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def stored_files(settings) -> list[Path]:
    root = Path(settings.STORAGE_DIR)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def audit_events(**filters):
    return AuditEvent.objects.filter(**filters)


def signed_case(world, *, deliver: bool = False):
    """The world's case with a complete, signed opinion (and reports); delivered if asked."""
    case = world.case
    f.consent(case)
    expert = f.actor(world.expert.user)
    reviews.save_draft(
        expert,
        case,
        reviews.OpinionDraft(
            diagnosis_assessment="refined",
            treatment_assessment="modify",
            discrepancy="minor",
            narrative="Add genomic testing before chemotherapy.",
            member_summary="Your diagnosis is right; one more test will guide treatment.",
            answers=["Yes, with more detail.", "Decide after the recurrence score."],
            recommendations=[
                {
                    "kind": "test",
                    "text": "Oncotype DX recurrence score",
                    "rationale": "ER positive, HER2 negative, node negative",
                }
            ],
        ),
    )
    reviews.sign(expert, case)
    case.refresh_from_db()
    if deliver:
        case = cases.transition(f.actor(world.coordinator), case, "deliver_report")
        assert case.status == Status.REPORT_DELIVERED
    return case
