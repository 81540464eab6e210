"""Who may call the API at all: bearer tokens and the browser session (with CSRF)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from consilium.apps.accounts.models import ApiToken
from tests.api.conftest import API

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401(world):
    response = Client().get(f"{API}/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_unsafe_method_without_credentials_is_401_not_a_csrf_refusal(world):
    response = Client(enforce_csrf_checks=True).post(
        f"{API}/cases/{world.case.pk}/transitions",
        {"name": "withdraw"},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_unknown_token_is_401(world):
    client = Client(headers={"Authorization": "Bearer csm_not-a-real-token"})
    assert client.get(f"{API}/me").status_code == 401
    assert client.get(f"{API}/cases/{world.case.pk}").status_code == 401


def test_revoked_token_is_401(world):
    token, raw = ApiToken.issue(world.coordinator, "revoked")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get(f"{API}/me").status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    assert client.get(f"{API}/me").status_code == 401


def test_token_of_deactivated_user_is_401(world):
    _, raw = ApiToken.issue(world.coordinator, "former staff")
    world.coordinator.is_active = False
    world.coordinator.save()
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get(f"{API}/me").status_code == 401


def test_valid_token_identifies_the_caller(world, as_user):
    response = as_user(world.coordinator).get(f"{API}/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == world.coordinator.username
    assert body["role"] == "coordinator"
    assert body["program"] == {"id": world.program.pk, "name": "Acme Health"}


def test_session_reads_without_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member.user)
    response = client.get(f"{API}/cases/{world.case.pk}")
    assert response.status_code == 200
    assert response.json()["reference"] == world.case.reference


def test_session_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member.user)
    response = client.post(
        f"{API}/cases/{world.case.pk}/transitions",
        {"name": "withdraw", "reason": "Changed my mind"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    world.case.refresh_from_db()
    assert world.case.status == "IN_REVIEW"


def test_session_post_with_csrf_token_goes_through(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member.user)
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    response = client.post(
        f"{API}/cases/{world.case.pk}/transitions",
        {"name": "withdraw", "reason": "Changed my mind"},
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "WITHDRAWN"
