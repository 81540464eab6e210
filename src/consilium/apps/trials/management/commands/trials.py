"""``consilium trials <subcommand>``: clinical trial tools.

- ``match-ctml --trials PATH --clinical FILE --genomic FILE [--as-of DATE] [--json]``:
  match MatchMiner-style patients against CTML trials; prints the matches (with --json, a
  JSON array of {protocol_no, nct_id, sample_id, match_level, code, status, reasons}).

Each subcommand is a ``_<name>`` method and a ``_add_<name>`` argument builder, so the
registry import and sync subcommands sit beside it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consilium.engines.knowledge.oncotree import OncoTreeError, current_tree
from consilium.engines.trials.ctml import CTMLError, load_trials
from consilium.engines.trials.match import Matcher
from consilium.engines.trials.patients import PatientDataError, load_patients


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of must be a date like 2025-01-31, got {text!r}") from None


class Command(BaseCommand):
    help = "Clinical trial tools: match-ctml (match patients against CTML trials)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        self._add_match_ctml(
            sub.add_parser("match-ctml", help="match MatchMiner-style patients against CTML trials")
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        getattr(self, "_" + subcommand.replace("-", "_"))(**options)

    # --- match-ctml ---------------------------------------------------------------

    def _add_match_ctml(self, p: CommandParser) -> None:
        p.add_argument(
            "--trials",
            required=True,
            type=Path,
            metavar="PATH",
            help="a CTML file (JSON or YAML) or a directory of them",
        )
        p.add_argument(
            "--clinical",
            required=True,
            type=Path,
            metavar="FILE",
            help="JSON array of clinical documents",
        )
        p.add_argument(
            "--genomic",
            required=True,
            type=Path,
            metavar="FILE",
            help="JSON array of genomic documents",
        )
        p.add_argument(
            "--as-of",
            dest="as_of",
            type=_date,
            default=None,
            metavar="DATE",
            help="date ages are computed on (today)",
        )
        p.add_argument(
            "--json", dest="as_json", action="store_true", help="print a JSON array of matches"
        )

    def _match_ctml(
        self,
        *,
        trials: Path,
        clinical: Path,
        genomic: Path,
        as_of: dt.date | None,
        as_json: bool,
        **_: Any,
    ) -> None:
        try:
            loaded, warnings = load_trials(trials)
            patients, patient_warnings = load_patients(clinical, genomic)
            tree = current_tree(settings.VAR_DIR)
            matcher = Matcher(loaded, as_of or dt.date.today(), tree)
        except (CTMLError, PatientDataError, OncoTreeError) as exc:
            raise CommandError(str(exc)) from None
        for warning in [*warnings, *patient_warnings, *matcher.warnings]:
            self.stderr.write(f"warning: {warning}")
        matches = matcher.match_all(patients)
        if as_json:
            self.stdout.write(json.dumps(matches, indent=2, ensure_ascii=False))
            return
        for m in matches:
            level = f"{m['match_level']} {m['code']}"
            self.stdout.write(f"{m['sample_id']}\t{m['protocol_no']}\t{level}\t{m['status']}")
        self.stdout.write(
            f"{len(matches)} match(es): {len(patients)} patient(s) x {len(loaded)} trial(s)"
        )
