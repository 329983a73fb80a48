"""File operations a publish relies on: durable writes and atomic replacement.

A file is first written (or copied) to a temporary name in the folder of its final name,
fsynced, then renamed onto that name. A POSIX rename within one file system is atomic: anyone
opening the name sees the old file or the new one, never a mix, and a process that already has
the old file open keeps reading the old file until it closes it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from impact_warehouse.durable_files import fsync_directory, temporary_sibling


def fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


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
