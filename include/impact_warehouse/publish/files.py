"""File operations a publish relies on: durable writes and atomic replacement.

A file is first written (or copied) to a temporary name in the folder of its final name,
fsynced, then renamed onto that name. A POSIX rename within one file system is atomic: anyone
opening the name sees the old file or the new one, never a mix, and a process that already has
the old file open keeps reading the old file until it closes it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from impact_warehouse.durable_files import fsync_directory, temporary_sibling


def fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def write_text_atomically(path: Path, text: str) -> None:
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_sibling(path)
    with temporary.open("wb") as handle:
        handle.write(data)
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


class DamagedRecordError(ValueError):
    """A record a publish wrote (a release's ``release.json``, a gate run, ``CURRENT``) cannot
    be read: edited by hand or damaged on disk. ``message_ja`` is for staff; ``str()`` names
    the file and what is wrong with it."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path} cannot be read: {problem}")
        self.path = path
        self.message_ja = (
            f"記録ファイル {path} が読めません(手で編集されたか、ディスクが傷んでいます)。"
            "バックアップから戻すか、担当エンジニアに連絡してください。"
        )


def read_json_record(path: Path) -> dict[str, Any]:
    """A JSON object written by :func:`write_text_atomically`, or :class:`DamagedRecordError`."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DamagedRecordError(path, "the file is missing") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise DamagedRecordError(path, f"{type(error).__name__}: {error}") from None
    if not isinstance(record, dict):
        raise DamagedRecordError(path, f"it holds a JSON {type(record).__name__}, not an object")
    return record


FieldTypes = Mapping[str, type | tuple[type, ...]]
OPTIONAL_TEXT = (str, type(None))


def checked_fields(record: Any, path: Path, types: FieldTypes) -> dict[str, Any]:
    """``record`` when it is an object and each named field is there with a value of its type
    (``True`` is no number here), else :class:`DamagedRecordError` naming the field."""
    if not isinstance(record, dict):
        raise DamagedRecordError(path, f"it holds a JSON {type(record).__name__}, not an object")
    for name, expected in types.items():
        if name not in record:
            raise DamagedRecordError(path, f"it has no field {name!r}")
        value = record[name]
        allowed = expected if isinstance(expected, tuple) else (expected,)
        if not isinstance(value, allowed) or (type(value) is bool and bool not in allowed):
            wanted = " or ".join(_type_name(kind) for kind in allowed)
            raise DamagedRecordError(
                path, f"its field {name!r} is {type(value).__name__}, not {wanted}"
            )
    return record


POINTER_MAX_BYTES = 4096


def read_pointer(
    pointer: Path, names: Callable[[str], bool], what: str, *, empty_is_none: bool = True
) -> str | None:
    """The folder name a pointer file (a ``CURRENT``) holds: None when there is none yet (no
    file, or with ``empty_is_none`` an empty one); :class:`DamagedRecordError` when it cannot
    be read or ``names`` refuses what it holds (``what``: the kind of folder it should name,
    for the message)."""
    # A pointer is always written as a file and renamed into place, never linked. Opened
    # without following a link (one to another file, e.g. /etc/passwd, would put its first
    # line in the message) and without waiting on a pipe; then it must be a regular file.
    flags = os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(pointer, flags)
    except (FileNotFoundError, NotADirectoryError):
        return None  # nothing published yet (a link to nowhere is ELOOP, below)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise DamagedRecordError(pointer, "it is a link, not a regular file") from None
        if error.errno == errno.ENXIO:  # a socket, or a FIFO no one writes: no file to open
            raise DamagedRecordError(pointer, "it is not a regular file") from None
        raise DamagedRecordError(pointer, f"{type(error).__name__}: {error}") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise DamagedRecordError(pointer, "it is not a regular file")
    with os.fdopen(descriptor, "rb") as handle:
        try:
            # A folder name is short: a large file is damage, and not read whole.
            name = handle.read(POINTER_MAX_BYTES).decode("utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise DamagedRecordError(pointer, f"{type(error).__name__}: {error}") from None
    if not name and empty_is_none:
        return None
    if not names(name):
        raise DamagedRecordError(pointer, f"it names {name[:80]!r}, which is not {what}")
    return name


def _type_name(kind: type) -> str:
    return "null" if kind is type(None) else kind.__name__
