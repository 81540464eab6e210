"""``consilium trials <subcommand>``: clinical trial tools.

- ``import PATH``: import ClinicalTrials.gov API v2 study JSON (a file or a directory of
  them: single records, arrays, search pages); prints the counts (new, updated,
  unchanged, refused) and each refused record with its reason. Progress on stderr.
- ``sync [--since DATE] [--url URL] [--page-size N]``: fetch cancer studies updated since
  the last sync (or DATE) from the registry API and import them, page by page; resumes
  an interrupted sync.
- ``match --case ID --as USERNAME [--limit N] [--as-of DATE] [--json]``: the open trials
  ranked for a case (audited as "decision.view" for the acting user); with --json, a JSON
  array of {nct_id, title, phase, status, score, eligibility, criteria, site, url}.
- ``match-ctml --trials PATH --clinical FILE --genomic FILE [--as-of DATE] [--json]``:
  match MatchMiner-style patients against CTML trials; prints the matches (with --json, a
  JSON array of {protocol_no, nct_id, sample_id, match_level, code, status, reasons}).
  ``--case ID [--as USERNAME]`` instead of the two files matches a Consilium case: its
  profile becomes the patient documents (sample_id is the case reference; audited as
  "decision.view"), and what the documents cannot carry is listed as "not used".

Each subcommand is a ``_<name>`` method and a ``_add_<name>`` argument builder.
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


def ctgov_files(path: Path) -> list[Path]:
    from consilium.engines.trials.ctgov import json_files

    return json_files(path)


def _date_for(flag: str):
    def parse(text: str) -> dt.date:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"{flag} must be a date like 2025-01-31, got {text!r}") from None

    return parse


_date = _date_for("--as-of")


class Command(BaseCommand):
    help = (
        "Clinical trial tools: import and sync the ClinicalTrials.gov registry, match a "
        "case against it, match-ctml (match patients against CTML trials)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        self._add_import(sub.add_parser("import", help="import ClinicalTrials.gov v2 JSON"))
        self._add_sync(sub.add_parser("sync", help="fetch updated cancer studies from the API"))
        self._add_match(sub.add_parser("match", help="rank the registry's trials for a case"))
        self._add_match_ctml(
            sub.add_parser("match-ctml", help="match MatchMiner-style patients against CTML trials")
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        getattr(self, "_" + subcommand.replace("-", "_"))(**options)

    # --- import -------------------------------------------------------------------

    def _add_import(self, p: CommandParser) -> None:
        p.add_argument("path", type=Path, metavar="PATH", help="a JSON file or a directory")

    def _import(self, *, path: Path, **_: Any) -> None:
        from consilium.apps.demo.progress import ProgressBar
        from consilium.apps.trials import services

        if not path.exists():
            raise CommandError(f"{path}: no such file or directory")
        files = ctgov_files(path)
        if not files:
            raise CommandError(f"{path}: no .json files in this directory")
        bar = ProgressBar(self.stderr._out, services.count_records(path), "importing trials")
        result = services.import_path(path, progress=lambda n: bar.step(n=n))
        bar.finish("imported")
        self.stdout.write(
            f"{path}: {len(files)} file(s), {result.read} record(s): {result.summary()}"
        )
        for problem in result.refused:
            self.stdout.write(f"  refused: {problem}")

    # --- sync ---------------------------------------------------------------------

    def _add_sync(self, p: CommandParser) -> None:
        p.add_argument(
            "--since",
            type=_date_for("--since"),
            default=None,
            metavar="DATE",
            help="studies updated on or after this date (default: since the last sync)",
        )
        p.add_argument(
            "--url",
            default=None,
            metavar="URL",
            help="API base URL (default: CONSILIUM_CTGOV_URL or https://clinicaltrials.gov/api/v2)",
        )
        p.add_argument(
            "--page-size", dest="page_size", type=int, default=100, metavar="N", help="(100)"
        )

    def _sync(self, *, since: dt.date | None, url: str | None, page_size: int, **_: Any) -> None:
        import httpx

        from consilium.apps.trials.sync import CtgovClient, SyncError, run_sync

        if not 1 <= page_size <= 1000:
            raise CommandError("--page-size must be between 1 and 1000 (the API's limit)")
        try:
            with CtgovClient(url, page_size=page_size) as client:
                outcome = run_sync(client, since=since, report=self.stdout.write)
        except (SyncError, httpx.HTTPError) as exc:
            raise CommandError(
                f"sync stopped: {exc} (the pages imported so far are kept; run it again to resume)"
            ) from None
        r = outcome.result
        self.stdout.write(
            f"Fetched {outcome.fetched} studies in {outcome.pages} page(s): {r.summary()}."
        )
        for problem in r.refused:
            self.stdout.write(f"  refused: {problem}")
        if outcome.high_water:
            self.stdout.write(f"Registry current to {outcome.high_water.isoformat()}.")

    # --- match --------------------------------------------------------------------

    def _add_match(self, p: CommandParser) -> None:
        p.add_argument("--case", required=True, type=int, metavar="ID", help="case id")
        p.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="act as this user (default: the first active coordinator of the case's "
            "program); the policy and the audit trail see them",
        )
        p.add_argument("--limit", type=int, default=10, metavar="N", help="(10)")
        p.add_argument(
            "--as-of",
            dest="as_of",
            type=_date,
            default=None,
            metavar="DATE",
            help="date ages are computed on (today)",
        )
        p.add_argument("--json", dest="as_json", action="store_true", help="print a JSON array")

    def _match(
        self,
        *,
        case: int,
        username: str | None,
        limit: int,
        as_of: dt.date | None,
        as_json: bool,
        **_: Any,
    ) -> None:
        from consilium.apps.access.audit import audited
        from consilium.apps.access.cli import case_actor
        from consilium.apps.trials.services import rank_for_case

        if limit < 1:
            raise CommandError("--limit must be at least 1")
        actor, found = case_actor(case, username, "decision.view")
        with audited(actor, "decision.view", found) as audit:
            ranked = rank_for_case(found, limit=limit, as_of=as_of)
            audit.detail = f"trial matching: {len(ranked)} trial(s)"
        if as_json:
            self.stdout.write(json.dumps(ranked, indent=2, ensure_ascii=False))
            return
        if not ranked:
            self.stdout.write("No open trial in the registry fits this case.")
        for i, t in enumerate(ranked, 1):
            site = t["site"]
            where = ""
            if site:
                where = f" · {site['facility']}, {site['city']} {site['state']}".rstrip()
                if site["distance_km"] is not None:
                    where += f" ({site['distance_km']:.0f} km)"
            self.stdout.write(
                f"{i:2d}. {t['nct_id']} [{t['eligibility']}] {t['score']:.2f} "
                f"{t['phase'] or 'phase n/a'} {t['status']}{where}\n    {t['title']}"
            )
            for c in t["criteria"]:
                if c["verdict"] != "met":
                    self.stdout.write(f"      {c['verdict']}: {c['reason']}")

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
            type=Path,
            default=None,
            metavar="FILE",
            help="JSON array of clinical documents (with --genomic; or use --case)",
        )
        p.add_argument(
            "--genomic",
            type=Path,
            default=None,
            metavar="FILE",
            help="JSON array of genomic documents (with --clinical; or use --case)",
        )
        p.add_argument(
            "--case",
            type=int,
            default=None,
            metavar="ID",
            help="match a Consilium case instead of patient files",
        )
        p.add_argument(
            "--as",
            dest="username",
            default=None,
            metavar="USERNAME",
            help="with --case: act as this user (default: the first active coordinator of "
            "the case's program); the policy and the audit trail see them",
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
        clinical: Path | None,
        genomic: Path | None,
        case: int | None,
        username: str | None,
        as_of: dt.date | None,
        as_json: bool,
        **_: Any,
    ) -> None:
        files = clinical is not None or genomic is not None
        if case is not None and files:
            raise CommandError("give either --case or --clinical and --genomic, not both")
        if case is None and not files:
            raise CommandError("give the patients: --clinical FILE --genomic FILE, or --case ID")
        if case is None and (clinical is None or genomic is None):
            missing = "--genomic" if genomic is None else "--clinical"
            raise CommandError(f"--clinical and --genomic go together: {missing} is missing")
        if case is None and username is not None:
            raise CommandError("--as names who acts on a case: it goes with --case")
        try:
            loaded, warnings = load_trials(trials)
            patient_warnings: list[str] = []
            if case is None:
                patients, patient_warnings = load_patients(clinical, genomic)
            tree = current_tree(settings.VAR_DIR)
            matcher = Matcher(loaded, as_of or dt.date.today(), tree)
        except (CTMLError, PatientDataError, OncoTreeError) as exc:
            raise CommandError(str(exc)) from None
        for warning in [*warnings, *patient_warnings, *matcher.warnings]:
            self.stderr.write(f"warning: {warning}")
        not_used: list[str] = []
        if case is None:
            matches = matcher.match_all(patients)
        else:
            patients, matches, not_used = self._match_case(matcher, case, username)
        if as_json:
            # stdout stays the JSON array; what the match could not see goes to stderr
            for item in not_used:
                self.stderr.write(f"not used: {item}")
            self.stdout.write(json.dumps(matches, indent=2, ensure_ascii=False))
            return
        for m in matches:
            level = f"{m['match_level']} {m['code']}"
            self.stdout.write(f"{m['sample_id']}\t{m['protocol_no']}\t{level}\t{m['status']}")
        self.stdout.write(
            f"{len(matches)} match(es): {len(patients)} patient(s) x {len(loaded)} trial(s)"
        )
        if not_used:
            self.stdout.write("Not used (the match could not see these):")
            for item in not_used:
                self.stdout.write(f"  {item}")

    def _match_case(
        self, matcher: Matcher, case_id: int, username: str | None
    ) -> tuple[list[Any], list[dict[str, Any]], list[str]]:
        """The case's profile as a MatchMiner patient, matched; read through the policy
        and audited as decision support."""
        from consilium.apps.access.audit import audited
        from consilium.apps.access.cli import case_actor
        from consilium.apps.preparation.facts import patient_profile
        from consilium.engines.trials.from_profile import translate

        actor, found = case_actor(case_id, username, "decision.view")
        with audited(actor, "decision.view", found) as audit:
            translation = translate(patient_profile(found), found.reference, matcher.tree)
            matches = matcher.match_all([translation.patient])
            audit.detail = (
                f"CTML matching: {len(matches)} match(es) in {len(matcher.trials)} trial(s); "
                f"{len(translation.not_used)} fact(s) not used"
            )
        return [translation.patient], matches, [str(n) for n in translation.not_used]
