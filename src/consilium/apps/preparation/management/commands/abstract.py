"""``consilium abstract --jsonl IN --out OUT``: abstract every report of a JSONL file.

IN: one JSON object a line with at least "report_id" and "text" (other keys ignored).
OUT: one object a line: report_id, cancer_type, pT, pN, pM, stage_group, histology,
grade, er, pr, her2 and facts (each with provenance). Bad lines are reported on stderr
with their line number and counted; they do not stop the run."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from consilium.apps.demo.progress import ProgressBar
from consilium.engines.abstraction import SUMMARY_FIELDS, abstract
from consilium.engines.abstraction import jsonl as jsonl_module


class Command(BaseCommand):
    help = (
        "Abstract structured facts (cancer type, TNM, biomarkers...) from reports in a JSONL file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--jsonl", required=True, help="input JSONL: one {report_id, text} object a line"
        )
        parser.add_argument("--out", required=True, help="output JSONL: one abstraction a line")

    def handle(self, *args, jsonl: str, out: str, **options):
        try:
            total = jsonl_module.count_lines(jsonl)
        except OSError as exc:
            raise CommandError(f"cannot read {jsonl}: {exc.strerror}") from None
        bar = ProgressBar(self.stderr._out, total, "abstracting")
        written = bad = 0
        try:
            with open(out, "w", encoding="utf-8") as sink:
                for item in jsonl_module.read(jsonl):
                    bar.step()
                    if isinstance(item, jsonl_module.BadLine):
                        bad += 1
                        self.stderr.write(f"line {item.line}: {item.reason}")
                        continue
                    result = abstract(item.text, item.report_id)
                    row = {"report_id": item.report_id}
                    row.update({k: getattr(result, k) for k in SUMMARY_FIELDS})
                    row["facts"] = [f.to_dict() for f in result.facts]
                    sink.write(json.dumps(row, ensure_ascii=False) + "\n")
                    written += 1
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror}") from None
        bar.finish(f"{written} abstracted, {bad} bad lines")
        self.stderr.write(f"{written} reports abstracted to {out}; {bad} bad lines skipped")
