"""File operations a publish relies on: durable writes and atomic replacement.

A file is first written (or copied) to a temporary name in the folder of its final name,
fsynced, then renamed onto that name. A POSIX rename within one file system is atomic: anyone
opening the name sees the old file or the new one, never a mix, and a process that already has
the old file open keeps reading the old file until it closes it.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path


def fsync_directory(directory: Path) -> None:
    """Make a rename inside ``directory`` durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def temporary_sibling(path: Path) -> Path:
    """A hidden name next to ``path``; same folder, so the final rename stays atomic."""
    return path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")


def write_text_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_sibling(path)
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    fsync_directory(path.parent)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
