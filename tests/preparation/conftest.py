"""Fixtures of the case preparation tests."""

from __future__ import annotations

import pytest

from tests.api.conftest import token_client


@pytest.fixture
def as_user(db):
    """``as_user(user)`` -> an API client carrying a fresh bearer token of ``user``."""
    return token_client
