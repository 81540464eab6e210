"""`consilium claims synth|scan|import`: a thin shell over consilium.engines.claims and
the outreach services (import puts a scan's findings on a program's worklist)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from consilium.engines.claims.scan import scan
from consilium.engines.claims.schema import DeliveryError
from consilium.engines.claims.synth import synth


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


class Bar:
    """One line on stderr, redrawn in place; plain lines when stderr is not a terminal."""

    def __init__(self, stream, width: int = 30):
        # `stream` is the command's OutputWrapper (self.stderr), so call_command can capture it.
        self.stream, self.width = stream, width
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self._last = ""

    def draw(self, fraction: float, text: str) -> None:
        filled = int(self.width * max(0.0, min(1.0, fraction)))
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {text}"
        if self.tty:
            self.stream.write("\r\033[K" + line, ending="")
        elif text != self._last:
            self.stream.write(line)
        self._last = text
        self.stream.flush()

    def done(self) -> None:
        if self.tty:
            self.stream.write("")


class Command(BaseCommand):
    help = "Synthetic claims deliveries and the claims scan (proactive identification)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, parser_class=argparse.ArgumentParser
        )
        s = sub.add_parser("synth", help="write a synthetic delivery")
        s.add_argument("--members", type=int, required=True)
        s.add_argument("--seed", type=int, default=1)
        s.add_argument("--as-of", type=_date, required=True, dest="as_of")
        s.add_argument("--out", type=Path, required=True)
        s.add_argument("--chunk-size", type=int, default=100_000, dest="chunk_size")
        s.add_argument(
            "--claims-per-member",
            type=float,
            default=4.0,
            dest="claims_per_member",
            help="mean background claims a member (about 1.8 lines each)",
        )

        c = sub.add_parser("scan", help="find members who would benefit from an expert review")
        c.add_argument("directory", type=Path)
        c.add_argument(
            "--as-of",
            type=_date,
            default=None,
            dest="as_of",
            help="default: the latest claim date in the delivery",
        )
        c.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        c.add_argument("--out", type=Path, required=True)
        c.add_argument("--json", action="store_true", help="print summary.json")
        c.add_argument(
            "--memory-limit",
            default="3GB",
            dest="memory_limit",
            help="DuckDB memory limit before spilling to disk",
        )

        i = sub.add_parser(
            "import",
            help="put a scan's enrolled qualifying members on a program's outreach worklist",
        )
        i.add_argument("output", type=Path, help="the scan's output directory (--out of scan)")
        i.add_argument(
            "--program",
            default=None,
            help="the program (name, slug or id); default: the --as user's, or the only one",
        )
        i.add_argument(
            "--as",
            dest="as_user",
            default=None,
            help="username of the coordinator who imports (default: the program's first "
            "active coordinator)",
        )
        i.add_argument(
            "--auto-open-score",
            type=float,
            default=None,
            dest="auto_open_score",
            help="open proactive cases for enrolled members at or above this score (default: "
            "the program's setting, else CONSILIUM_OUTREACH_AUTO_OPEN_SCORE, else never)",
        )
        i.add_argument(
            "--delivery",
            type=Path,
            default=None,
            help="the delivery directory, if it moved since the scan (its eligibility file "
            "gives the members' names and details)",
        )

    def handle(self, *args, **opts):
        if opts["action"] == "synth":
            return self._synth(opts)
        if opts["action"] == "import":
            return self._import(opts)
        return self._scan(opts)

    def _import(self, opts) -> None:
        from django.utils.timezone import localtime

        from consilium.apps.access.actors import Actor
        from consilium.apps.cases.services import RuleError
        from consilium.apps.outreach import services
        from consilium.engines.claims.outreach import OutputError

        program, user = _program_and_user(opts["program"], opts["as_user"])
        override = (
            {} if opts["auto_open_score"] is None else {"auto_open_score": opts["auto_open_score"]}
        )
        try:
            result = services.import_output(
                Actor(user, "cli"),
                opts["output"],
                program,
                delivery=opts["delivery"],
                **override,
            )
        except (OutputError, RuleError) as exc:
            raise CommandError(str(exc) if isinstance(exc, OutputError) else exc.message) from exc
        if not result.changed:
            earlier = result.duplicate_of
            self.stdout.write(
                f"Already imported: the same delivery (content hash "
                f"{earlier.delivery_hash[:12]}…) as of {earlier.as_of} is {earlier.label} of "
                f"{program.name}, imported {localtime(earlier.imported_at):%Y-%m-%d %H:%M}. "
                "Nothing changed."
            )
            return
        c = result.counts
        threshold = (
            f"auto-open at score >= {result.threshold:g}"
            if result.threshold is not None
            else "no auto-open"
        )
        self.stdout.write(
            f"{result.scan.label} of {program.name} (as of {result.scan.as_of}, {threshold}): "
            f"{c['new']:,} new, {c['updated']:,} updated, {c['unchanged']:,} unchanged "
            f"candidates; {c['pending']:,} pending on the worklist; "
            f"{c['cases_opened']:,} proactive case{'s' if c['cases_opened'] != 1 else ''} opened"
        )
        for why, n in sorted(c["skipped"].items()):
            self.stdout.write(f"  skipped: {why}: {n:,}")

    def _synth(self, opts) -> None:
        bar = Bar(self.stderr)
        result = synth(
            opts["out"],
            opts["members"],
            opts["seed"],
            opts["as_of"],
            chunk_size=opts["chunk_size"],
            claims_per_member=opts["claims_per_member"],
            progress=lambda done, total: bar.draw(done / total, f"{done:,} / {total:,} members"),
        )
        bar.done()
        self.stdout.write(
            f"{opts['out']}: {result.members:,} members, {result.medical_lines:,} medical claim "
            f"lines, {result.pharmacy_lines:,} pharmacy claims, {result.eligibility_rows:,} "
            f"eligibility spans, {result.truth_rows:,} planted members in truth.parquet"
        )

    def _scan(self, opts) -> None:
        bar = Bar(self.stderr)

        def progress(stage: int, stages: int, label: str, fraction: float, lines: int) -> None:
            text = f"{stage + 1}/{stages} {label}"
            if lines:
                text += f" - {lines:,} lines"
            bar.draw((stage + fraction) / stages, text)

        try:
            summary = scan(
                opts["directory"],
                opts["out"],
                as_of=opts["as_of"],
                engine=opts["engine"],
                progress=progress,
                memory_limit=opts["memory_limit"],
            )
        except DeliveryError as exc:
            bar.done()
            raise CommandError(str(exc)) from exc
        bar.done()
        if opts["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
        else:
            q = summary["rows_quarantined"]
            self.stdout.write(
                f"{summary['members_qualified']:,} members qualify "
                f"({summary['members_enrolled']:,} enrolled on {summary['as_of']}); "
                f"{sum(summary['rows_read'].values()):,} rows read, {sum(q.values()):,} "
                f"quarantined; {summary['seconds']} s, {summary['lines_per_second']:,.0f} "
                f"lines/s -> {opts['out']}"
            )


def _program_and_user(program_ref: str | None, username: str | None):
    """The program to import into and the coordinator acting (named in the audit trail)."""
    from django.utils.text import slugify

    from consilium.apps.accounts.models import Program, User

    user = None
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--as {username}: no such user")
        if user.role != "coordinator" or not user.is_active:
            raise CommandError(f"--as {username}: not an active coordinator")
    programs = list(Program.objects.order_by("pk"))
    if program_ref:
        found = [
            p
            for p in programs
            if program_ref in (str(p.pk), p.name) or slugify(p.name) == slugify(program_ref)
        ]
        if not found:
            names = ", ".join(f"{slugify(p.name)} ({p.name})" for p in programs) or "none"
            raise CommandError(f"--program {program_ref}: no such program; programs: {names}")
        program = found[0]
    elif user is not None and user.program_id:
        program = user.program
    elif len(programs) == 1:
        program = programs[0]
    else:
        names = ", ".join(f"{slugify(p.name)} ({p.name})" for p in programs) or "none"
        raise CommandError(f"say which program with --program; programs: {names}")
    if user is None:
        from consilium.apps.access.cli import acting_user

        user = acting_user(None, program.pk, program.name)
    elif user.program_id != program.pk:
        raise CommandError(f"--as {user.username} is not a coordinator of {program.name}")
    return program, user
