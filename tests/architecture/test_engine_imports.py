"""Engines are plain Python: they import no Django and no Django app, so they run from a
CLI, a notebook, a background task or a Spark job. This test keeps that rule from eroding."""

import ast
from pathlib import Path

import consilium.engines

ENGINES = Path(consilium.engines.__file__).parent
FORBIDDEN = ("django", "ninja", "consilium.apps", "consilium.settings", "consilium.api")


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def test_engines_import_no_django_or_apps():
    offenders = [
        f"{path.relative_to(ENGINES.parent)}:{line} imports {name}"
        for path in sorted(ENGINES.rglob("*.py"))
        for line, name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert offenders == []


def test_the_check_sees_engine_modules():
    # Guard against the test passing because it found nothing to read.
    assert len(list(ENGINES.rglob("*.py"))) >= 8
