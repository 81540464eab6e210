"""Content-addressed storage for record files, outside the web root.

A file lives at STORAGE_DIR/ab/cd/<sha256>: the same bytes are stored once however many
cases hold them, a name can never collide or be guessed from the upload's name, and the
hash proves the bytes are the ones received.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def root() -> Path:
    return Path(settings.STORAGE_DIR)


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return root() / sha256[:2] / sha256[2:4] / sha256


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(data: bytes) -> tuple[str, bool]:
    """Store ``data``; return its SHA-256 and whether this call created the file.

    Written to a temporary file, flushed to disk, then renamed into place, so a crash
    leaves either no file or the whole file, never half of one.
    """
    sha = digest(data)
    target = path_for(sha)
    if target.exists():
        return sha, False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha, True


def read(sha256: str) -> bytes:
    data = path_for(sha256).read_bytes()
    if digest(data) != sha256:
        raise OSError(f"stored record {sha256[:12]}… does not match its hash")
    return data


def discard(sha256: str) -> None:
    """Remove a file no document refers to (used when a database write fails)."""
    path_for(sha256).unlink(missing_ok=True)
