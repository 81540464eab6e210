"""A crash while seeding leaves no rows and no stored files behind."""

import pytest
from django.conf import settings

from consilium.apps.accounts.models import Program, User
from consilium.apps.cases.models import Case
from consilium.apps.demo import seed
from consilium.apps.demo.models import DemoSeed


class Boom(Exception):
    pass


def test_a_failure_half_way_rolls_everything_back(db, monkeypatch):
    original = seed._Writer._case
    written = []

    def failing(self, spec):
        if len(written) == 6:
            raise Boom("disk on fire")
        written.append(spec.key)
        return original(self, spec)

    monkeypatch.setattr(seed._Writer, "_case", failing)
    with pytest.raises(Boom):
        seed.seed(seed=7, cases=12)
    assert len(written) == 6
    assert (
        Program.objects.count(),
        User.objects.count(),
        Case.objects.count(),
        DemoSeed.objects.count(),
    ) == (0, 0, 0, 0)
    assert settings.STORAGE_DIR.exists()  # files were written, then removed
    stored = [p for p in settings.STORAGE_DIR.rglob("*") if p.is_file()]
    assert stored == []

    monkeypatch.setattr(seed._Writer, "_case", original)
    assert seed.seed(seed=7, cases=12).created
    assert Case.objects.count() == 12
