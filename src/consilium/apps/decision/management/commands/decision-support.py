"""``consilium decision-support --case ID --as USERNAME [--json]``: the case's testing
gaps, therapy options (tier, source) and trials, from its current facts.

The command acts as the named user: the access policy decides (``decision.view``: the
assigned expert or a coordinator of the case's program) and the read is audited on the
"cli" channel. With --json it prints {"case", "profile", "gaps", "tests_done",
"therapies", "trials", ...}: the same JSON as GET /api/v1/cases/{id}/decision-support.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from consilium.apps.access.cli import case_actor
from consilium.apps.decision import services

WIDTH = 100


class Command(BaseCommand):
    help = "Testing gaps, biomarker-matched therapies and trials for one case."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--case", required=True, type=int, metavar="ID", help="case id")
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="act as this user (default: the first active coordinator of the case's "
            "program); the policy and the audit trail see them",
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print JSON instead of text"
        )

    def handle(self, *args: Any, case: int, username: str | None, as_json: bool, **options):
        actor, found = case_actor(case, username, "decision.view")
        data = services.panel(actor, found)
        if as_json:
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))
            return
        self.stdout.write(render_text(data))


def _wrap(text: str, indent: str = "    ") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def render_text(data: dict) -> str:
    """The readable form: the profile line, then gaps, therapies and trials."""
    p = data["profile"]
    case = data["case"]
    lines = [f"Case {case['reference']} (id {case['id']}, {case['status']})"]
    cancer = (
        f"{p['cancer_type_name']} ({p['cancer_type_code']})"
        if p["cancer_type_code"]
        else f"cancer type not known ({p['cancer_type'] or 'none on file'})"
    )
    stage = (
        f"stage {p['stage_group']}"
        if p["stage_group"]
        else ("metastatic" if p["advanced"] else "stage not stated")
    )
    lines.append(f"{cancer}; {stage}; {len(p['biomarkers'])} biomarker result(s) on file")
    for note in data["notes"]:
        lines.append(_wrap(f"Note: {note}", ""))
    knowledge = data["knowledge"]
    lines.append(f"Rules: testing {knowledge['testing']}, therapies {knowledge['therapies']}")

    lines.append("")
    lines.append(f"TESTING GAPS ({len(data['gaps'])})")
    if not data["gaps"]:
        lines.append("  none")
    for g in data["gaps"]:
        lines.append(f"  - {g['test']} [{g['status_label']}] ({g['id']})")
        lines.append(_wrap(g["reason"]))
        if g["applies_if"]:
            lines.append(_wrap("Applies " + "; ".join(g["applies_if"]) + "."))
        for s in g["sources"]:
            lines.append(_wrap("Source: " + s["citation"]))
    if data["tests_done"]:
        done = "; ".join(f"{t['test']}: {t['result']}" for t in data["tests_done"])
        lines.append(_wrap(f"Done: {done}", "  "))

    lines.append("")
    lines.append(f"THERAPY OPTIONS ({len(data['therapies'])})")
    if not data["therapies"]:
        lines.append("  none")
    for t in data["therapies"]:
        flag = " RESISTANCE" if t["resistance"] else ""
        possible = " (possible)" if t["match"] == "possible" else ""
        lines.append(f"  - Tier {t['tier']}{flag}: {t['biomarker']}{possible} ({t['id']})")
        lines.append(_wrap(f"On file: {t['evidence']}"))
        lines.append(_wrap(f"Drugs: {', '.join(t['drugs'])}; {t['setting']}"))
        for m in t["missing"]:
            lines.append(_wrap(f"To confirm: {m}"))
        if t["applies_if"]:
            lines.append(_wrap("Applies " + "; ".join(t["applies_if"]) + "."))
        if t["note"]:
            lines.append(_wrap(t["note"]))
        for s in t["sources"]:
            lines.append(_wrap("Source: " + s["citation"]))
    lines.append("  Tiers: " + "; ".join(f"{k} = {v}" for k, v in data["tiers"].items()))

    lines.append("")
    lines.append(f"TRIALS ({len(data['trials'])})")
    if not data["trials_available"]:
        lines.append(f"  {services.NOT_AVAILABLE}")
    elif data["trials_error"]:
        lines.append(f"  {data['trials_error']}")
    elif not data["trials"]:
        lines.append("  no matching trial")
    for t in data["trials"]:
        lines.append(f"  - {t['nct_id']}: {t.get('title') or ''}")
        lines.append(_wrap(t["recommendation"]["rationale"]))
    return "\n".join(lines) + "\n"
