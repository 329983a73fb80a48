"""Files that appear complete or not at all: written to a temporary, fsynced, renamed.

Landing parts, key sidecars, watermarks, run summaries and the vault's raw records are all
written so (:func:`write_atomically`); a temporary left by a killed process is removed by
the next run of its source (:func:`remove_temporaries`, under the landing lock).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Any

from impact_warehouse.durable_files import TEMPORARY_MARK, fsync_directory, temporary_sibling


def write_atomically(path: Path, lines: Iterable[str] | Iterable[bytes]) -> str:
    """Write lines (text, or UTF-8 bytes) to ``path`` so that it appears complete or not at all.

    Returns the sha256 of the bytes written. On any failure (a full disk) the temporary file
    is removed and the error names the file; a temporary left by a killed process is removed
    by the next run of its source (:func:`remove_temporaries`, under the landing lock).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_sibling(path)
    digest = hashlib.sha256()
    try:
        with temporary.open("wb") as handle:
            # A thousand lines per encode, hash and write: per line those calls cost more
            # than the bytes, and a whole page at once would double the peak memory.
            iterator = iter(lines)
            while chunk := list(islice(iterator, 1000)):
                data = _joined(chunk)
                digest.update(data)
                handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OSError(error.errno, f"{error.strerror} while writing {path}", str(path)) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)
    return digest.hexdigest()


def _joined(chunk: list[Any]) -> bytes:
    """Lines as the file holds them: each ended by a newline, UTF-8."""
    if isinstance(chunk[0], bytes):
        return b"\n".join(chunk) + b"\n"
    return ("\n".join(chunk) + "\n").encode("utf-8")


def is_temporary(path: Path) -> bool:
    return path.name.startswith(".") and TEMPORARY_MARK in path.name


def remove_temporaries(directory: Path, *, name_prefix: str = "") -> list[Path]:
    """Remove temporaries (``.<name>.tmp-*``) under ``directory``. Only call it while no
    other process writes there (under the source's landing lock): a live writer's temporary
    looks the same as a dead one's."""
    if not directory.is_dir():
        return []
    removed = []
    for path in sorted(directory.rglob(f".{name_prefix}*{TEMPORARY_MARK}*")):
        if path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
