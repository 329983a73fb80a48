"""An OS file lock with a named holder: the one way the landing zone and the releases are
guarded against a second run (``landing/lock.py``, ``publish/lock.py``).

``fcntl.flock`` on a lock file: the kernel releases it when its holder exits, however it exits
(SIGKILL, OOM, a lost container), so a dead run never blocks the next one. While held, the
file holds a JSON record of the holder (pid, host, start time, command and what the caller
adds); a second run reads it to say who it waits for, waits up to a timeout (seconds from an
environment variable), then raises the caller's own error naming that holder.
"""

from __future__ import annotations

import fcntl
import json
import logging
import math
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2


def timeout_from_env(variable: str, default: float) -> float:
    """Seconds to wait for a lock from ``variable`` (0 = do not wait), else ``default``."""
    value = os.environ.get(variable, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError as error:
        raise ValueError(f"{variable}={value!r} is not a number of seconds") from error
    if not math.isfinite(seconds):
        # nan compares false with everything: a lock's wait would never end.
        raise ValueError(f"{variable}={value!r} must be a finite number of seconds")
    if seconds < 0:
        raise ValueError(f"{variable}={value!r} must not be negative")
    return seconds


@contextmanager
def held_file_lock(
    path: Path,
    *,
    timeout: float,
    waiting_for: str,
    busy: Callable[[dict[str, Any], float], Exception],
    holder_fields: Mapping[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """Hold the lock on ``path``; yields the holder record written into it. A holder still
    there after ``timeout`` seconds: ``busy(holder, waited)`` is raised. ``waiting_for``
    names the guarded thing in the one log line a waiting run writes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(descriptor, timeout, waiting_for, busy)
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "command": " ".join(sys.argv)[:200],
            **(holder_fields or {}),
        }
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, json.dumps(holder).encode("utf-8"), 0)
        try:
            yield holder
        finally:
            # Emptied before the release: a holder record is only ever read while held, and
            # the guarded folder looks the same after a run that changed nothing.
            os.ftruncate(descriptor, 0)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _acquire(
    descriptor: int,
    timeout: float,
    waiting_for: str,
    busy: Callable[[dict[str, Any], float], Exception],
) -> None:
    started_waiting = time.monotonic()
    warned = False
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = _read_holder(descriptor)
            waited = time.monotonic() - started_waiting
            if waited >= timeout:
                raise busy(holder, waited) from None
            if not warned:
                log.warning(
                    "%s is locked by pid=%s host=%s since %s; waiting up to %.0fs",
                    waiting_for,
                    holder.get("pid"),
                    holder.get("host"),
                    holder.get("started_at"),
                    timeout,
                )
                warned = True
            time.sleep(min(POLL_SECONDS, timeout - waited))


def _read_holder(descriptor: int) -> dict[str, Any]:
    try:
        raw = os.pread(descriptor, 4096, 0)
        holder = json.loads(raw) if raw.strip() else {}
    except (OSError, ValueError):
        holder = {}
    return holder if isinstance(holder, dict) else {}
