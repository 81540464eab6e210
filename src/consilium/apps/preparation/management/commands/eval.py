"""``consilium eval abstraction --data FILE``: score the abstraction engine against a
labelled JSONL (the format of ../shared/data/tcga-reports/dev.jsonl) and print, per
field, accuracy, coverage and precision when answered, plus median and p95 ms/report."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from consilium.apps.demo.progress import ProgressBar
from consilium.engines.abstraction import evaluate
from consilium.engines.abstraction import jsonl as jsonl_module
from consilium.engines.abstraction.lexicon import versions


class Command(BaseCommand):
    help = "Evaluate an engine against labelled data. Targets: abstraction."

    def add_arguments(self, parser):
        targets = parser.add_subparsers(dest="target", required=True, metavar="TARGET")
        sub = targets.add_parser(
            "abstraction", help="score the abstraction engine on labelled reports"
        )
        sub.add_argument(
            "--data", required=True, help="labelled JSONL: {report_id, text, labels: {...}} a line"
        )
        sub.add_argument(
            "--confusions",
            type=int,
            default=0,
            metavar="N",
            help="also print the N most frequent confusions per field",
        )
        sub.add_argument(
            "--json",
            dest="json_out",
            default=None,
            metavar="FILE",
            help="also write the figures as JSON",
        )

    def handle(
        self,
        *args,
        target: str,
        data: str,
        confusions: int = 0,
        json_out: str | None = None,
        **options,
    ):
        if target != "abstraction":
            raise CommandError(f"unknown target {target!r}")
        try:
            total = jsonl_module.count_lines(data)
        except OSError as exc:
            raise CommandError(f"cannot read {data}: {exc.strerror}") from None
        bar = ProgressBar(self.stderr._out, total, "evaluating")
        bad = 0

        def records():
            nonlocal bad
            for item in jsonl_module.read(data):
                bar.step()
                if isinstance(item, jsonl_module.BadLine):
                    bad += 1
                    self.stderr.write(f"line {item.line}: {item.reason}")
                    continue
                yield {
                    "report_id": item.report_id,
                    "text": item.text,
                    "labels": item.record.get("labels") or {},
                }

        result = evaluate.score(records())
        result.bad_lines = bad
        bar.finish(f"{result.reports} reports")
        self.stdout.write(evaluate.render(result, confusions=confusions))
        self.stdout.write("data versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
        if json_out:
            with open(json_out, "w", encoding="utf-8") as fh:
                json.dump({**result.as_dict(), "data_versions": versions()}, fh, indent=2)
