"""Who switched the published release, when, from which release to which.

Every switch of the release analysts open (a publish, or ``impact releases --make-current``)
is appended to ``<work>/releases/history.jsonl``, one JSON object a line. The file is rewritten
whole under a temporary name and renamed (see :mod:`.files`), so a reader never sees half a
line. Only the holder of the releases lock (:mod:`.lock`) writes it; a switch interrupted
before its line was written gets it from the next publish or rollback (:mod:`.switch`).
"""

from __future__ import annotations

import getpass
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from impact_warehouse.publish.files import write_bytes_atomically

log = logging.getLogger(__name__)

HISTORY_FILE = "history.jsonl"


def current_actor() -> str:
    """The person (login) running the command; ``IMPACT_ACTOR`` overrides it (e.g. in Airflow)."""
    explicit = os.environ.get("IMPACT_ACTOR", "").strip()
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (container without a passwd entry)
        return f"uid {os.getuid()}"


def read_history(releases_dir: Path) -> list[dict[str, Any]]:
    """Every recorded switch, oldest first ([] before the first one). A line that is not a
    switch (edited by hand, damaged on disk) is left out with a warning."""
    events = []
    # Split at "\n" only: a reason may hold U+2028 or U+0085, which JSON leaves unescaped
    # and str.splitlines() would take for line ends.
    text = _history_bytes(releases_dir).decode("utf-8", "replace").removeprefix("\ufeff")
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError:
            event = None
        if isinstance(event, dict):
            events.append(event)
        else:
            log.warning("%s line %d is not a switch; left out", releases_dir / HISTORY_FILE, number)
    return events


def _history_bytes(releases_dir: Path) -> bytes:
    path = releases_dir / HISTORY_FILE
    return path.read_bytes() if path.exists() else b""


def record_event(
    releases_dir: Path,
    *,
    action: str,
    release_id: str,
    previous_release_id: str | None,
    actor: str | None = None,
    at: datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Append one switch to the history (the caller holds the releases lock)."""
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    event = {
        "at": moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "action": action,
        "from": previous_release_id,
        "to": release_id,
        "by": actor or current_actor(),
        **{key: value for key, value in extra.items() if value is not None},
    }
    # Earlier bytes are kept as written, a damaged line too: the history is an audit trail.
    earlier = _history_bytes(releases_dir)
    if earlier and not earlier.endswith(b"\n"):
        earlier += b"\n"
    line = json.dumps(event, ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogateescape")
    write_bytes_atomically(releases_dir / HISTORY_FILE, earlier + line + b"\n")
    return event
