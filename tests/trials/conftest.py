"""Each test starts without the registry index another test built (the index is cached
per process and keyed by the registry's state, which two tests' databases could share)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_registry_index():
    yield
    from consilium.apps.trials.services import forget_index

    forget_index()
