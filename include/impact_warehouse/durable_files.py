"""The two steps every durable write shares (``landing/atomic_files.py`` for landing parts,
``publish/files.py`` for releases): a temporary beside the final name, and an fsync of the
folder after the rename. Here, low in the package, so the landing does not import publish."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

# A temporary is ``.<name>.tmp-<8 hex>``: hidden, and recognisable to the cleanup of a run
# killed mid-write.
TEMPORARY_MARK = ".tmp-"


def temporary_sibling(path: Path) -> Path:
    """A hidden name next to ``path``; same folder, so the final rename stays atomic."""
    return path.with_name(f".{path.name}{TEMPORARY_MARK}{uuid.uuid4().hex[:8]}")


def fsync_directory(directory: Path) -> None:
    """Make a rename inside ``directory`` durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
