"""Calling the API as a user: each client carries that user's own bearer token."""

from __future__ import annotations

import pytest
from django.test import Client

from consilium.apps.accounts.models import ApiToken

API = "/api/v1"


def token_client(user) -> Client:
    _, raw = ApiToken.issue(user, "tests")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def as_user(db):
    """``as_user(user)`` -> a test client authenticated with a fresh token of ``user``."""
    return token_client
