"""Reading report JSONL files: one object a line with at least "report_id" and "text".
A bad line is reported (line number and reason), never fatal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


@dataclass(frozen=True)
class Report:
    line: int
    report_id: str
    text: str
    record: dict[str, Any]


def read(path: str | Path) -> Iterator[Report | BadLine]:
    with open(path, encoding="utf-8", errors="replace") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield BadLine(number, f"invalid JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(record, dict):
                yield BadLine(number, "not a JSON object")
                continue
            missing = [k for k in ("report_id", "text") if k not in record]
            if missing:
                yield BadLine(number, f"missing {' and '.join(missing)}")
                continue
            if not isinstance(record["text"], str):
                yield BadLine(number, '"text" is not a string')
                continue
            if (
                not isinstance(record["report_id"], str | int)
                or str(record["report_id"]).strip() == ""
            ):
                yield BadLine(number, '"report_id" is empty or not a string')
                continue
            yield Report(number, str(record["report_id"]), record["text"], record)


def count_lines(path: str | Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for raw in fh if raw.strip())
