"""``consilium knowledge <subcommand>``: clinical knowledge the engines read.

- ``load-oncotree FILE``: validate an OncoTree release (the JSON the OncoTree API
  publishes, e.g. oncotree_2025_10_03.json) and install it as
  ``CONSILIUM_VAR_DIR/knowledge/oncotree.json``; from then on the engines use it instead
  of the compact tree shipped with the project. ``--check`` only validates and
  summarises; ``--write-compact PATH`` writes the compact CSV form the project ships.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consilium.engines.knowledge.oncotree import (
    LIQUID_TISSUES,
    OncoTreeError,
    installed_path,
    load_release,
    shipped_tree,
)

COMPACT_HEADER = """OncoTree tumour type tree, compact: every node of the release with its code,
parent code, tissue, main type and name (other fields left out).
Source: OncoTree, Memorial Sloan Kettering Cancer Center, https://oncotree.mskcc.org
(github.com/cBioPortal/oncotree), licensed CC BY 4.0. Written by
consilium knowledge load-oncotree {name} --write-compact PATH."""


class Command(BaseCommand):
    help = "Clinical knowledge: load-oncotree FILE (install an OncoTree release)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        p = sub.add_parser("load-oncotree", help="validate and install an OncoTree release JSON")
        p.add_argument("file", type=Path, metavar="FILE")
        p.add_argument(
            "--check", action="store_true", help="validate and summarise only; install nothing"
        )
        p.add_argument(
            "--write-compact",
            type=Path,
            metavar="PATH",
            help="also write the compact CSV form to PATH",
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        getattr(self, "_" + subcommand.replace("-", "_"))(**options)

    def _load_oncotree(
        self, *, file: Path, check: bool, write_compact: Path | None, **_: Any
    ) -> None:
        try:
            tree = load_release(file)
        except OncoTreeError as exc:
            raise CommandError(str(exc)) from None
        shipped = shipped_tree()
        added = sorted(set(tree.nodes) - set(shipped.nodes))
        removed = sorted(set(shipped.nodes) - set(tree.nodes))
        liquid = sum(1 for n in tree.iter_nodes() if n.tissue in LIQUID_TISSUES)
        self.stdout.write(
            f"{file}: {len(tree)} tumour types, {len(tree.tissues())} tissues "
            f"({liquid} liquid, {len(tree) - liquid} solid)"
        )
        self.stdout.write(
            f"against the shipped tree ({len(shipped)} types): {len(added)} added"
            + (f" ({', '.join(added[:10])}{' ...' if len(added) > 10 else ''})" if added else "")
            + f", {len(removed)} removed"
            + (
                f" ({', '.join(removed[:10])}{' ...' if len(removed) > 10 else ''})"
                if removed
                else ""
            )
        )
        if write_compact is not None:
            write_compact.write_text(
                tree.to_compact_csv(COMPACT_HEADER.format(name=file.name)), encoding="utf-8"
            )
            self.stdout.write(f"compact tree written to {write_compact}")
        if check:
            self.stdout.write("checked only: nothing installed")
            return
        target = installed_path(settings.VAR_DIR)
        assert target is not None
        target.parent.mkdir(parents=True, exist_ok=True)
        # copy then rename, so a reader never sees half a file
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".oncotree-", suffix=".json")
        os.close(fd)
        try:
            shutil.copyfile(file, tmp)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; it is public data
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.stdout.write(
            f"installed as {target}; the engines now use it instead of the shipped tree"
        )
