from __future__ import annotations

from django.db import models
from django.utils import timezone


class DemoSeed(models.Model):
    """The marker that the demo program is in this database: written in the same
    transaction as the program itself, so it exists exactly when the whole program does."""

    program = models.OneToOneField(
        "accounts.Program", on_delete=models.PROTECT, related_name="demo_seed"
    )
    seed = models.PositiveIntegerField()
    version = models.PositiveSmallIntegerField(help_text="The generator's SEED_VERSION.")
    cases = models.PositiveIntegerField()
    seeded_at = models.DateTimeField(default=timezone.now)
    # [{"role", "username", "case_id"}]: who the demo logins are. Never the passwords,
    # which live only in VAR_DIR/demo-logins.json.
    logins = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"Demo seed {self.seed} (v{self.version}) of {self.program}"
