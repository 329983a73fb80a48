"""The switch of the published release, crash-safe: one atomic switch point and a journal.

Analysts open ``<work>/published/warehouse.duckdb``; ``<work>/releases/CURRENT`` names the
release it holds, for ``impact status``, reports and rollback. The two are two files, so no
single rename changes both. The file analysts open is the truth; the one atomic switch point is
the rename of a complete copy onto the published name:

1. copy the release to a hidden temporary beside the published file and fsync it;
2. write the journal ``releases/SWITCHING`` (atomically): the release switched to, the one
   switched from, and the device and inode of that copy;
3. rename the copy onto the published name: **the switch point**;
4. write ``CURRENT``, append the history line (once: the line carries the switch id), remove
   the journal.

Whoever reads the current release while a journal exists (:func:`current_release_id`) looks at
the published file: if it is the journal's copy (same device and inode) the switch happened
and the journal's release is current, otherwise ``CURRENT`` still is. So readers, ``CURRENT``
and ``impact status`` agree at every point, also after a SIGKILL between steps 3 and 4, without
waiting for anything. The next publish or rollback (under the releases lock, :mod:`.lock`)
finishes such a switch (:func:`recover`): it completes step 4 if the switch point was passed,
drops the journal if not, and removes what dead publishes left (``.building-*`` folders, the
published file's ``.tmp-*`` copy, temporaries of ``CURRENT``, the journal and the history).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from impact_warehouse.durable_files import fsync_directory, temporary_sibling
from impact_warehouse.publish.files import (
    OPTIONAL_TEXT,
    DamagedRecordError,
    checked_fields,
    fsync_file,
    read_json_record,
    read_pointer,
    write_text_atomically,
)
from impact_warehouse.publish.history import current_actor, read_history, record_event

log = logging.getLogger(__name__)

CURRENT_POINTER = "CURRENT"
JOURNAL_FILE = "SWITCHING"
BUILDING_PREFIX = ".building-"
# Written by the history itself; a journal's details may not name them.
_EVENT_FIELDS = frozenset(
    {"action", "release_id", "previous_release_id", "actor", "at", "switch", "recovered"}
    | {"from", "to", "by"}
)
# What a switch's completion reads from its journal (:func:`_finish`).
_JOURNAL_FIELDS = {
    "switch": str,
    "action": str,
    "to": str,
    "from": OPTIONAL_TEXT,
    "by": str,
    "published": str,
    "at": str,
    "device": int,
    "inode": int,
    "details": dict,
}


def is_release_name(name: str) -> bool:
    """Could ``name`` be a release folder of the releases folder: one plain, visible name (no
    path, no hidden or temporary folder, nothing unprintable, short enough for a file name)."""
    return (
        0 < len(name) <= 200
        and name not in (".", "..")
        and not name.startswith(".")
        and "/" not in name
        and name.isprintable()
    )


def pointer_release_id(releases_dir: Path) -> str | None:
    """What ``CURRENT`` says (None before the first publish); :class:`DamagedRecordError`
    when it cannot be read or names no possible release folder."""
    return read_pointer(releases_dir / CURRENT_POINTER, is_release_name, "a release folder")


def _read_journal(releases_dir: Path) -> dict[str, Any] | None:
    path = releases_dir / JOURNAL_FILE
    try:
        journal = read_json_record(path)
    except DamagedRecordError:
        try:
            under_way = path.exists()
        except OSError:  # the folder cannot be searched (permissions): the record's own error
            under_way = True
        if not under_way:
            return None  # no switch under way (or one just finished)
        raise
    checked_fields(journal, path, _JOURNAL_FIELDS)
    for name in ("to", "from"):
        value = journal[name]
        if value is not None and not is_release_name(value):
            raise DamagedRecordError(path, f"its field {name!r} names no release folder")
    try:
        datetime.fromisoformat(journal["at"])
    except ValueError:
        raise DamagedRecordError(path, "its field 'at' is not a time") from None
    if _EVENT_FIELDS.intersection(journal["details"]):
        raise DamagedRecordError(path, "its details repeat fields of the switch itself")
    return journal


def _switch_point_passed(journal: dict[str, Any]) -> bool:
    """Is the published file the copy the journal announced (step 3 done)?"""
    try:
        published = os.stat(journal["published"])
    except FileNotFoundError:
        return False
    return (published.st_dev, published.st_ino) == (journal["device"], journal["inode"])


def current_release_id(releases_dir: Path) -> str | None:
    """The id of the release the published file holds (read only, never waits)."""
    journal = _read_journal(releases_dir)
    if journal is not None and _switch_point_passed(journal):
        return str(journal["to"])
    return pointer_release_id(releases_dir)


def _finish(releases_dir: Path, journal: dict[str, Any], *, recovered: bool) -> dict[str, Any]:
    """Step 4: CURRENT, the history line (unless already written), the journal removed."""
    write_text_atomically(releases_dir / CURRENT_POINTER, journal["to"] + "\n")
    switch_id = journal["switch"]
    event = next((e for e in read_history(releases_dir) if e.get("switch") == switch_id), None)
    if event is None:
        event = record_event(
            releases_dir,
            action=journal["action"],
            release_id=journal["to"],
            previous_release_id=journal["from"],
            actor=journal["by"],
            at=datetime.fromisoformat(journal["at"]),
            switch=switch_id,
            recovered=True if recovered else None,
            **journal["details"],
        )
    (releases_dir / JOURNAL_FILE).unlink(missing_ok=True)
    fsync_directory(releases_dir)
    return event


def switch_published(
    release_id: str,
    release_file: Path,
    *,
    releases_dir: Path,
    published_path: Path,
    action: str,
    previous_release_id: str | None,
    actor: str | None = None,
    **details: Any,
) -> dict[str, Any]:
    """Make ``release_file`` the file analysts open and record it; returns the history event.

    The caller holds :func:`.lock.publish_lock` and has run :func:`recover`.
    """
    published_path.parent.mkdir(parents=True, exist_ok=True)
    staged = temporary_sibling(published_path)
    journal_path = releases_dir / JOURNAL_FILE
    try:
        shutil.copyfile(release_file, staged)
        fsync_file(staged)
        fsync_directory(published_path.parent)
        identity = staged.stat()
        journal = {
            "switch": uuid.uuid4().hex,
            "action": action,
            "to": release_id,
            "from": previous_release_id,
            "by": actor or current_actor(),
            # The folder resolved, not the name: the rename replaces the name itself.
            "published": str(published_path.parent.resolve() / published_path.name),
            "at": datetime.now(UTC).isoformat(),
            "device": identity.st_dev,
            "inode": identity.st_ino,
            "details": {key: value for key, value in details.items() if value is not None},
        }
        write_text_atomically(journal_path, json.dumps(journal, ensure_ascii=False) + "\n")
        os.replace(staged, published_path)  # the switch point
    except BaseException:
        # The rename is the last step in here: failing anywhere, nothing was switched, so
        # nothing may announce this release.
        journal_path.unlink(missing_ok=True)
        staged.unlink(missing_ok=True)
        raise
    fsync_directory(published_path.parent)
    return _finish(releases_dir, journal, recovered=False)


def remove_leftovers(releases_dir: Path, published_path: Path) -> list[Path]:
    """Remove what dead publishes left (call under the lock, after the journal is settled)."""
    removed: list[Path] = []
    if releases_dir.is_dir():
        for child in releases_dir.iterdir():
            if child.name.startswith(BUILDING_PREFIX) and child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
                removed.append(child)
            elif child.name.startswith(".") and ".tmp-" in child.name and child.is_file():
                child.unlink(missing_ok=True)
                removed.append(child)
    if published_path.parent.is_dir():
        for child in published_path.parent.glob(f".{published_path.name}.tmp-*"):
            child.unlink(missing_ok=True)
            removed.append(child)
    for path in removed:
        log.warning("removed what an interrupted publish left: %s", path)
    return removed


def recover(releases_dir: Path, published_path: Path) -> list[Path]:
    """Settle a switch a dead process left half done, then remove its leftovers.

    Call under the releases lock, first thing of every publish and rollback. Returns the
    leftovers removed.
    """
    journal = _read_journal(releases_dir)
    if journal is not None:
        if _switch_point_passed(journal):
            log.warning(
                "completing switch %s to release %s interrupted after the published file was "
                "replaced (CURRENT and history were not yet written)",
                journal["switch"],
                journal["to"],
            )
            _finish(releases_dir, journal, recovered=True)
        else:
            log.warning(
                "dropping switch %s to release %s interrupted before the published file was "
                "replaced; release %s stays current",
                journal["switch"],
                journal["to"],
                pointer_release_id(releases_dir),
            )
            (releases_dir / JOURNAL_FILE).unlink()
            fsync_directory(releases_dir)
    return remove_leftovers(releases_dir, published_path)
