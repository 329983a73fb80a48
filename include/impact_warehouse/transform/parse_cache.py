"""dbt's saved parse, shared by the work folders of one checkout.

dbt writes its parse of the project to ``<target>/partial_parse.msgpack`` and, on the next run
with the same target folder, re-parses only the files that changed (partial parsing). A build
in a new work folder (a scratch run, a benchmark, each test's own folder) has no saved parse
and parses the whole project: about 7 s of an 18 s demo build.

This cache keeps the last parse of each build set-up (project folder, profile target, DuckDB
file name, seed path, ``--vars``) under ``IMPACT_DBT_PARSE_CACHE`` (default
``<project>/.work/dbt_parse_cache``, one per checkout; an empty value turns it off). A target
folder without a parse of its own starts from the cache's copy, and a parse dbt wrote in the
run goes back to the cache. Work folders with the project's own catalog share a set-up; an
organisation's catalog is staged inside its work folder (``catalog_seeds.seed_path_for``), so
its first build in a new folder still parses in full.

Nothing here decides whether a saved parse is still right: dbt checks it against the project's
files (checksums), the profile's connection details, the variables and the environment
variables the project reads, and parses in full when anything differs or the file cannot be
read. dbt does not check the project's folder (its nodes keep it, and seeds are read from
it), so the folder is part of the set-up's name, and only a parse dbt wrote in this run is
kept: one it merely accepted in a target folder used by another copy of the project could
name that copy. Files are copied and renamed into place, so a reader never sees half a file;
a cache folder that cannot be written (a read-only install) is skipped with a debug line,
never an error. The cache holds parsed SQL that dbt runs: it must be writable by the
installation's users only, like the project itself.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from impact_warehouse.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

CACHE_ENV = "IMPACT_DBT_PARSE_CACHE"
DEFAULT_CACHE_DIR = PROJECT_ROOT / ".work" / "dbt_parse_cache"
SUFFIX = ".msgpack"
# About 2.6 MB each on the demo project. Set-ups come and go (a test's copy of the project, a
# catalog's seed folder), so the least recently used beyond this many are removed.
MAX_ENTRIES = 24
ENTRY_DIGITS = 24
_ENTRY_NAME = re.compile(rf"[0-9a-f]{{{ENTRY_DIGITS}}}{re.escape(SUFFIX)}")


def cache_dir() -> Path | None:
    """``IMPACT_DBT_PARSE_CACHE``, else the default; None when set to an empty value."""
    configured = os.environ.get(CACHE_ENV)
    if configured is None:
        return DEFAULT_CACHE_DIR
    # Absolute now: dbt runs in the DuckDB file's folder, where a relative path would point.
    return Path(configured).expanduser().resolve() if configured.strip() else None


def entry_for(
    *,
    project: Path,
    profile_target: str | None,
    database_name: str,
    seed_path: str,
    vars: Mapping[str, Any] | None,
) -> Path | None:
    """The cache file for one build set-up, or None when the cache is off.

    Named by what dbt's own check compares and a run here can vary, so that set-ups that
    would reject each other's parse (another catalog, other ``--vars``) keep one file each
    instead of replacing each other's.
    """
    folder = cache_dir()
    if folder is None:
        return None
    setup = json.dumps(
        [str(project), profile_target, database_name, seed_path, dict(vars or {})],
        sort_keys=True,
        default=str,
    )
    return folder / (hashlib.sha256(setup.encode("utf-8")).hexdigest()[:ENTRY_DIGITS] + SUFFIX)


def restore(entry: Path, saved_parse: Path) -> bool:
    """Copy the cache's parse to ``saved_parse`` when the target folder has none of its own."""
    if saved_parse.exists() or not entry.is_file():
        return False
    try:
        _copy_into_place(entry, saved_parse)
        os.utime(entry)  # recently used: the last to be removed
    except OSError as error:
        log.debug("dbt's saved parse could not be copied from %s: %s", entry, error)
        return False
    log.info("dbt starts from the parse saved in %s", entry)
    return True


Signature = tuple[int, int, int] | None


def signature(saved_parse: Path) -> Signature:
    """What tells a rewritten file from the one that was there (None: no file)."""
    try:
        status = saved_parse.stat()
    except OSError:
        return None
    return (status.st_ino, status.st_mtime_ns, status.st_size)


def keep(saved_parse: Path, entry: Path, *, before: Signature = None) -> bool:
    """Copy the parse dbt saved in the target folder to the cache, when dbt wrote it after
    ``before`` (the file's :func:`signature` when the run started)."""
    if not saved_parse.is_file() or signature(saved_parse) == before:
        return False
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        _copy_into_place(saved_parse, entry)
        _remove_least_recently_used(entry.parent)
    except OSError as error:
        log.debug("dbt's saved parse could not be kept in %s: %s", entry, error)
        return False
    return True


def _remove_least_recently_used(folder: Path, keep: int = MAX_ENTRIES) -> None:
    """All but the ``keep`` most recently written or restored entries of ``folder`` (only
    files named as entries are, never anything else kept there)."""
    entries = []
    for path in folder.glob("*" + SUFFIX):
        if not _ENTRY_NAME.fullmatch(path.name):
            continue
        try:
            entries.append((path.stat().st_mtime, path))
        except FileNotFoundError:  # removed by another build meanwhile
            continue
    for _, path in sorted(entries, reverse=True)[keep:]:
        path.unlink(missing_ok=True)


def _copy_into_place(source: Path, destination: Path) -> None:
    """``source``'s bytes at ``destination``, whole or not at all (copy, then rename)."""
    handle, scratch = tempfile.mkstemp(prefix=".incoming-", dir=destination.parent)
    os.close(handle)
    try:
        shutil.copyfile(source, scratch)
        os.replace(scratch, destination)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
