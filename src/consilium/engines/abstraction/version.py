"""The abstraction engine's version: a digest of the code and data that turn a text into
facts. A stored run records it; a run for the same text and the same version is never
repeated, and a new version replaces the proposals nobody has reviewed yet.

Derived from the files themselves, so a change to a rule, a lexicon or the code cannot
forget to bump a number by hand.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Modules that do not take part in reading one text (evaluation, file formats, merging
# many records, the timeline, this file).
NOT_ENGINE = frozenset({"evaluate.py", "jsonl.py", "merge.py", "timeline.py", "version.py"})
# Code of other engines that reading a text uses (serum.py reads dates with it).
BORROWED = (HERE.parent / "records" / "dates.py",)


@cache
def engine_version() -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in HERE.glob("*.py") if p.name not in NOT_ENGINE)
    files += sorted((HERE / "data").glob("*.yaml"))
    files += list(BORROWED)
    for path in files:
        digest.update(path.relative_to(HERE.parent).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return f"abstraction-{digest.hexdigest()[:16]}"
