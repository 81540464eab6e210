"""The ``consilium`` console script: Django's management commands with the project's
settings, so ``consilium migrate`` and ``consilium demo`` work from any directory."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consilium.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["consilium", *argv])
    args[0] = "consilium"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
