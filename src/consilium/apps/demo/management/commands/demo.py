"""``consilium demo``: prepare the database, seed the synthetic program once, print a
sign-in for each role, and serve the site on 127.0.0.1."""

from __future__ import annotations

import textwrap
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from consilium.apps.demo import logins as demo_logins
from consilium.apps.demo import seed as demo_seed
from consilium.apps.demo.progress import ProgressBar
from consilium.engines.synthetic import DEFAULT_CASES, SEED_VERSION

ROLE_LABELS = {
    "member": "Member",
    "physician": "Physician",
    "coordinator": "Coordinator",
    "expert": "Expert",
    "admin": "Admin",
}


class Command(BaseCommand):
    help = (
        "Run the demo: create and migrate the database, seed a synthetic review "
        "program (once), print one sign-in per role and serve http://127.0.0.1:PORT."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (8000)")
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="prepare the database and print the sign-ins, then stop",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=7,
            help="random seed of the synthetic program (7); the same seed gives the same program",
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=DEFAULT_CASES,
            help=f"number of synthetic cases ({DEFAULT_CASES})",
        )

    def handle(self, *args, port: int, no_serve: bool, seed: int, cases: int, **options):
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, got {port}")
        if seed < 0:
            raise CommandError("--seed must not be negative")
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Database: {self._database()}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database schema is up to date.")

        started = time.monotonic()
        bar: ProgressBar | None = None

        def total(n: int) -> None:
            nonlocal bar
            bar = ProgressBar(self.stderr._out, n, "seeding the synthetic program")

        def tick(label: str) -> None:
            if bar is not None:
                bar.step(label)

        try:
            result = demo_seed.seed(seed=seed, cases=cases, progress_total=total, progress=tick)
        except demo_seed.SeedConflict as exc:
            raise CommandError(str(exc)) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        demo = result.demo
        if result.created:
            if bar is not None:
                bar.finish("seeded")
            demo_logins.save(demo, result.passwords)
            self.stdout.write(
                f"Seeded {demo.program.name}: {demo.cases} cases, "
                f"{demo.program.members.count()} members (seed {demo.seed}) in "
                f"{time.monotonic() - started:.1f} s."
            )
        else:
            when = timezone.localtime(demo.seeded_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"Already seeded on {when} with seed {demo.seed}: nothing created.")
            if seed != demo.seed or cases != demo.cases:
                self.stdout.write(
                    f"  (--seed {seed} --cases {cases} ignored: start from an empty "
                    f"CONSILIUM_VAR_DIR to seed a different program)"
                )
            if demo.version != SEED_VERSION:
                self.stdout.write(
                    f"  (seeded by generator version {demo.version}; this version is "
                    f"{SEED_VERSION}: remove {settings.VAR_DIR} to see the newer demo)"
                )
        self._claims(demo)
        from consilium.apps.trials.demo import ensure_demo_registry

        if (trials := ensure_demo_registry()) is not None:
            self.stdout.write(f"Trial registry: {trials.new} synthetic demo trials imported.")
        passwords = demo_logins.ensure(demo)
        self._print_logins(demo, passwords, port)
        if no_serve:
            return
        from consilium.apps.demo.server import serve
        from consilium.background import start_consumer

        # The demo runs its background queue (abstraction, scans) in this process.
        consumer = start_consumer()
        self.stdout.write(f"\nServing http://127.0.0.1:{port}/ (press Ctrl-C to stop)\n")
        self.stdout.flush()
        try:
            serve(port)
        finally:
            consumer.stop(graceful=True)

    def _claims(self, demo) -> None:
        """Claims deliveries for proactive outreach (apps/outreach/demo.py), once."""
        from consilium.apps.outreach.demo import seed_claims

        started = time.monotonic()
        claims = seed_claims(demo.program, seed=demo.seed, tick=lambda label: None)
        if not claims.created:
            return
        scan = claims.scan
        if scan.status == scan.Status.DONE:
            done = (
                f"scanned and imported ({scan.members_qualified} members qualify, "
                f"{scan.import_counts.get('pending', 0)} on the outreach worklist)"
            )
        elif scan.status == scan.Status.FAILED:
            done = f"not scanned: {scan.error}"
        else:
            done = "queued for scanning in the background"
        self.stdout.write(
            f"Claims deliveries written in {time.monotonic() - started:.1f} s: "
            f"{scan.delivery_name} {done}; {claims.waiting} waits in the inbox for Run scan."
        )

    def _database(self) -> str:
        db = settings.DATABASES["default"]
        if connection.vendor == "sqlite":
            return f"SQLite at {db['NAME']}"
        host = db.get("HOST") or "localhost"
        return f"{connection.vendor} database {db.get('NAME')} on {host}"

    def _print_logins(self, demo, passwords: dict[str, str], port: int) -> None:
        rows = demo_logins.logins(demo, passwords)
        out = self.stdout
        out.write(
            f"\nSign in at http://127.0.0.1:{port}/login/ as any of these (synthetic data only):\n"
        )
        width = max(len(r.username) for r in rows) if rows else 10
        for r in rows:
            out.write(
                f"\n  {ROLE_LABELS[r.role]:<12} {r.username:<{width}}  password: {r.password}"
            )
            out.write(f"  {'':<12} {r.name}")
            for line in textwrap.wrap(r.look_at, 76):
                out.write(f"  {'':<12} {line}")
        out.write(f"\nPasswords are kept in {demo_logins.path()} (readable only by you).")
