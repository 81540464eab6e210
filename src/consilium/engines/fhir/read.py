"""Reading FHIR input: a Bundle (transaction, batch, collection, searchset), a single
resource, an NDJSON file, or a Bulk Data export directory of NDJSON files.

NDJSON is read line by line and never held whole, so an export of any size streams.
Each input can be read more than once (the importer first looks for the patients,
then reads everything). A line or entry that is not a FHIR resource comes back as an
``Entry`` with a ``problem``; an input that cannot be read at all raises ``InputError``.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

#: Bundle types read as a set of records. A document or message Bundle is one record
#: with a fixed structure, and history/response Bundles are about a server's state.
BUNDLE_TYPES = ("transaction", "batch", "collection", "searchset")
NDJSON_SUFFIXES = (".ndjson", ".jsonl")
_TYPE = re.compile(rb'"resourceType"\s*:\s*"([A-Za-z]+)"')


class InputError(ValueError):
    """The input as a whole cannot be read; the message says what and where."""


@dataclass(frozen=True)
class Entry:
    where: str
    resource: dict | None
    full_url: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class SkippedFile:
    """A file of a Bulk directory that holds no resources to read."""

    name: str
    reason: str


class Input:
    name: str = ""

    def entries(self, only: frozenset[str] | None = None) -> Iterator[Entry]:
        """Every entry; with ``only``, entries that may be of those resource types
        (a cheap pre-filter: callers still check the type)."""
        raise NotImplementedError

    def skipped_files(self) -> list[SkippedFile]:
        return []

    def size(self) -> int:
        """How many entries (lines) there are, for a progress bar."""
        raise NotImplementedError


class NdjsonInput(Input):
    def __init__(self, name: str, opener: Callable[[], BinaryIO]):
        self.name, self._open = name, opener

    def entries(self, only: frozenset[str] | None = None) -> Iterator[Entry]:
        with self._open() as handle:
            for number, raw in enumerate(handle, 1):
                line = raw.strip()
                if not line:
                    continue
                if only is not None and not any(t.decode() in only for t in _TYPE.findall(line)):
                    continue
                yield _parse_line(line, f"{self.name} line {number}")

    def size(self) -> int:
        n = 0
        with self._open() as handle:
            while chunk := handle.read(1 << 20):
                n += chunk.count(b"\n")
        return max(n, 1)


def _parse_line(line: bytes, where: str) -> Entry:
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        return Entry(where, None, problem=f"not valid JSON: {_json_error(exc)}")
    if not isinstance(data, dict):
        return Entry(where, None, problem="not a JSON object")
    if not isinstance(data.get("resourceType"), str):
        return Entry(where, None, problem="no resourceType: not a FHIR resource")
    return Entry(where, data)


def _json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return str(exc)


class JsonInput(Input):
    """A Bundle or a single resource, already parsed."""

    def __init__(self, name: str, document: dict):
        self.name, self.document = name, document
        kind = document.get("resourceType")
        if not isinstance(kind, str):
            raise InputError(f"{name}: no resourceType: not a FHIR resource")
        if kind == "Bundle":
            btype = document.get("type")
            if btype not in BUNDLE_TYPES:
                raise InputError(
                    f"{name}: a Bundle of type {btype!r} is not imported; send a "
                    f"{', '.join(BUNDLE_TYPES[:-1])} or {BUNDLE_TYPES[-1]} Bundle"
                )
            entries = document.get("entry") or []
            if not isinstance(entries, list):
                raise InputError(f"{name}: Bundle.entry is not a list")
            self._entries = entries
        else:
            self._entries = None

    def entries(self, only: frozenset[str] | None = None) -> Iterator[Entry]:
        if self._entries is None:
            yield Entry(self.name, self.document)
            return
        for i, item in enumerate(self._entries):
            where = f"{self.name} entry[{i}]"
            if not isinstance(item, dict):
                yield Entry(where, None, problem="the entry is not a JSON object")
                continue
            full_url = item.get("fullUrl") if isinstance(item.get("fullUrl"), str) else None
            resource = item.get("resource")
            if resource is None:
                request = item.get("request") or {}
                what = f" ({request.get('method')} request)" if isinstance(request, dict) else ""
                yield Entry(where, None, full_url, problem=f"the entry has no resource{what}")
                continue
            if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
                yield Entry(where, None, full_url, problem="no resourceType: not a FHIR resource")
                continue
            if only is not None and resource["resourceType"] not in only:
                continue
            yield Entry(where, resource, full_url)

    def size(self) -> int:
        return len(self._entries) if self._entries is not None else 1


class BulkInput(Input):
    """A Bulk Data export: a directory of NDJSON files, one resource a line. A file
    whose first line is not a resource (the export's log, a manifest) is skipped whole,
    and so is any file that is not NDJSON; both are reported."""

    def __init__(self, path: Path):
        self.path, self.name = path, path.name
        self._files: list[Path] = []
        self._skipped: list[SkippedFile] = []
        for child in sorted(path.iterdir()):
            if child.is_dir():
                continue
            if not child.name.lower().endswith(NDJSON_SUFFIXES):
                self._skipped.append(SkippedFile(child.name, "not an NDJSON file"))
                continue
            reason = _not_resources(child)
            if reason:
                self._skipped.append(SkippedFile(child.name, reason))
            else:
                self._files.append(child)
        if not self._files:
            raise InputError(f"{path}: no NDJSON file of FHIR resources in this directory")

    def files(self) -> list[Path]:
        return list(self._files)

    def skipped_files(self) -> list[SkippedFile]:
        return list(self._skipped)

    def entries(self, only: frozenset[str] | None = None) -> Iterator[Entry]:
        for f in self._files:
            yield from NdjsonInput(f.name, lambda f=f: f.open("rb")).entries(only)

    def size(self) -> int:
        return sum(NdjsonInput(f.name, lambda f=f: f.open("rb")).size() for f in self._files)


def _not_resources(path: Path) -> str | None:
    with path.open("rb") as handle:
        for raw in handle:
            line = raw.strip()
            if not line:
                continue
            try:
                first = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                return None  # reported line by line
            if isinstance(first, dict) and "resourceType" not in first:
                return "not FHIR resources (the first line has no resourceType: a log?)"
            return None
    return "empty file"


def open_path(path: str | Path) -> Input:
    """A file (Bundle, resource or NDJSON) or a Bulk Data directory."""
    p = Path(path)
    if p.is_dir():
        return BulkInput(p)
    if not p.is_file():
        raise InputError(f"{p}: no such file or directory")
    if p.name.lower().endswith(NDJSON_SUFFIXES):
        return NdjsonInput(p.name, lambda: p.open("rb"))
    return _document_or_ndjson(p.name, p.read_bytes(), lambda: p.open("rb"))


def open_bytes(data: bytes, name: str = "upload") -> Input:
    """Uploaded bytes: NDJSON when named so or when the content is one object a line."""
    if not data.strip():
        raise InputError(f"{name} is empty")
    if name.lower().endswith(NDJSON_SUFFIXES):
        return NdjsonInput(name, lambda: io.BytesIO(data))
    return _document_or_ndjson(name, data, lambda: io.BytesIO(data))


def _document_or_ndjson(name: str, data: bytes, opener: Callable[[], BinaryIO]) -> Input:
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        # Several objects, one a line: NDJSON under another name.
        if exc.msg == "Extra data" and _first_line_is_object(data):
            return NdjsonInput(name, opener)
        raise InputError(f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except UnicodeDecodeError:
        raise InputError(f"{name} is not UTF-8 text") from None
    if not isinstance(document, dict):
        raise InputError(f"{name}: expected a JSON object (a Bundle or a resource)")
    return JsonInput(name, document)


def _first_line_is_object(data: bytes) -> bool:
    first = data.lstrip().split(b"\n", 1)[0]
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False
