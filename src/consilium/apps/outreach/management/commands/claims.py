"""`consilium claims synth|scan`: a thin shell over consilium.engines.claims."""

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

    def handle(self, *args, **opts):
        if opts["action"] == "synth":
            return self._synth(opts)
        return self._scan(opts)

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
