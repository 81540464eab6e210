"""``consilium fhir import PATH --case ID`` and ``consilium fhir export --case ID --out FILE``.

The command acts as a named user, through the same policy and audit trail as a page:
``--as USERNAME``, by default the first active coordinator of the case's program.

import: PATH is a Bundle or resource (JSON), an NDJSON file, or a Bulk Data export
directory. Prints the report: counts, then each invalid resource with its reason; a
progress bar on stderr. Exit status 1 only when nothing could be imported (the records
are not the member's, the input is unreadable, or no resource was accepted).

export: the mCODE STU4 summary Bundle, or with ``--opinion`` the signed opinion as a
FHIR document, written to FILE (``-`` for stdout).
"""

from __future__ import annotations

import argparse
import json
import sys

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from consilium.apps.access.cli import case_actor
from consilium.apps.cases.services import RuleError
from consilium.apps.demo.progress import ProgressBar
from consilium.apps.preparation import fhir
from consilium.engines.fhir import InputError, open_path

#: Show a progress bar from this many lines or entries on.
PROGRESS_FROM = 500


class Command(BaseCommand):
    help = "Import FHIR R4 (Bundle, NDJSON, Bulk export) into a case; export mCODE."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, parser_class=argparse.ArgumentParser
        )
        imp = sub.add_parser("import", help="import a Bundle, NDJSON file or Bulk directory")
        imp.add_argument("path", help="a JSON Bundle or resource, an NDJSON file, or a directory")
        imp.add_argument("--case", type=int, required=True, dest="case_id")
        imp.add_argument("--as", dest="username", help="acting user (default: a coordinator)")
        imp.add_argument("--json", action="store_true", help="print the report as JSON")
        exp = sub.add_parser("export", help="write the mCODE summary (or the signed opinion)")
        exp.add_argument("--case", type=int, required=True, dest="case_id")
        exp.add_argument("--out", required=True, help="output file, or - for stdout")
        exp.add_argument("--opinion", action="store_true", help="the signed opinion instead")
        exp.add_argument("--as", dest="username", help="acting user (default: a coordinator)")

    def handle(self, *args, action: str, **options):
        action_name = "fhir.import" if action == "import" else "fhir.export"
        actor, case = case_actor(options["case_id"], options.get("username"), action_name)
        if action == "import":
            self._import(actor, case, options["path"], options["json"])
        else:
            self._export(actor, case, options["out"], options["opinion"])

    def _import(self, actor, case, path: str, as_json: bool) -> None:
        try:
            source = open_path(path)
        except InputError as exc:
            raise CommandError(str(exc)) from None
        total = source.size()
        bar = ProgressBar(self.stderr._out, total, "importing") if total >= PROGRESS_FROM else None
        try:
            report = fhir.import_fhir(
                actor, case, source, progress=(lambda n: bar.step(n=n)) if bar else None
            )
        except RuleError as exc:
            raise CommandError(_refusal(exc)) from None
        except InputError as exc:
            raise CommandError(str(exc)) from None
        except (PermissionDenied, Http404) as exc:
            raise CommandError(_denied(actor, exc)) from None
        if bar is not None:
            bar.finish(f"{report['total']} resources read")
            self.stderr.write(f"{report['total']} resources read from {source.name}")
        if as_json:
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(format_report(report))
        # The Patient (and Medications) only serve to read the rest.
        records = report["imported_total"] - sum(
            report["imported"].get(kind, 0) for kind in ("Patient", "Medication")
        )
        if records == 0:
            raise CommandError("nothing could be imported")

    def _export(self, actor, case, out: str, opinion: bool) -> None:
        try:
            bundle = (
                fhir.export_opinion(actor, case) if opinion else fhir.export_summary(actor, case)
            )
        except RuleError as exc:
            raise CommandError(_refusal(exc)) from None
        except (PermissionDenied, Http404) as exc:
            raise CommandError(_denied(actor, exc)) from None
        text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
        if out == "-":
            sys.stdout.write(text)
            return
        try:
            with open(out, "w", encoding="utf-8") as sink:
                sink.write(text)
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror}") from None
        what = "signed opinion" if opinion else "mCODE summary"
        self.stderr.write(f"{what} of {case.reference}: {len(bundle['entry'])} resources -> {out}")


def _denied(actor, exc: Exception) -> str:
    who = actor.user.get_username()
    if isinstance(exc, Http404):
        return f"{who} may not see this case"
    return f"{who} may not do this: {exc}"


def _refusal(exc: RuleError) -> str:
    reasons = [r for r in exc.reasons if r != exc.message]
    return "\n  ".join([exc.message, *reasons])


def format_report(report: dict) -> str:
    lines = [
        f"FHIR import of {report['source']} "
        f"(patient {', '.join(report['patients']) or 'from an earlier import'})",
        *(
            [f"  tied to the member by {report['patient_match']}"]
            if report["patient_match"]
            else []
        ),
        f"  resources read: {report['total']}",
        f"  imported: {report['imported_total']}"
        + (
            " (" + ", ".join(f"{k} {v}" for k, v in report["imported"].items()) + ")"
            if report["imported"]
            else ""
        ),
        "  facts: " + ", ".join(f"{k} {v}" for k, v in report["facts"].items()),
        "  records: " + ", ".join(f"{k} {v}" for k, v in report["documents"].items()),
        f"  invalid: {report['errors_total']}",
        f"  skipped: {report['skipped_total']}",
    ]
    for item in report["skipped"]:
        example = f" e.g. {item['examples'][0]}" if item["examples"] else ""
        lines.append(f"    {item['count']:>6}  {item['reason']}{example}")
    for item in report["parts_not_taken"]:
        lines.append(f"  part not taken ({item['count']}): {item['reason']}")
    if report["errors"]:
        lines.append("invalid resources:")
        for e in report["errors"]:
            lines.append(f"  {e['where']}: {e['resource']}: {e['reason']}")
        if report["errors_total"] > len(report["errors"]):
            lines.append(f"  ... and {report['errors_total'] - len(report['errors'])} more")
    return "\n".join(lines)
