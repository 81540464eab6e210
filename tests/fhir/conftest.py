from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def coordinator_actor(world):
    return factories.actor(world.coordinator)
