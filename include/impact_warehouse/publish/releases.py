"""Releases of the warehouse and the atomic switch of the published ("current") one.

Every publish writes an immutable release ``<work>/releases/<release_id>/`` holding
``warehouse.duckdb`` (the analyst copy, see :mod:`.snapshot`) and ``release.json`` (fiscal year,
run id, time, git commit, gate result, tables with row counts, sha256 of the file, the
organisation's code). The file analysts open, ``<work>/published/warehouse.duckdb``, is then
replaced by a copy of the new release, and ``<work>/releases/CURRENT`` names it.

Why the published warehouse is a file that is replaced, not tables swapped inside it: the
default engine (DuckDB) lets one process write a database file at a time, and while a process
holds it for writing no other process can open it, not even to read. Swapping tables in place
would lock analysts out for the whole publish and could show them a mix of old and new tables.
Writing the new file beside the old one and renaming it over the published name is atomic
(POSIX rename): a reader that opens the name gets the old release or the new one, complete, and
a reader already connected (read-only) keeps reading the old file until it reconnects. The same
scheme works for any single-file engine; a server database would use a schema swap instead.

A release is published only after the quality gate passed; the caller does not call
:func:`publish_release` on a failure, so the current release stays as it was. A publish (and a
rollback, :mod:`.rollback`) runs whole under the releases lock (:mod:`.lock`): one writer at a
time. It first settles what a killed publish left (:func:`.switch.recover`), and switches the
published file through :func:`.switch.switch_published`, whose one atomic switch point keeps
the published file, ``CURRENT`` and ``impact status`` in agreement even across a SIGKILL; each
switch is recorded in ``releases/history.jsonl`` (:mod:`.history`). Release ids are short
(:func:`new_release_id`) and a unique prefix names a release (:func:`resolve_release`).
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from impact_warehouse.durable_files import fsync_directory
from impact_warehouse.publish.docs_columns import describe_added_columns
from impact_warehouse.publish.files import (
    OPTIONAL_TEXT,
    DamagedRecordError,
    checked_fields,
    fsync_file,
    read_json_record,
    sha256_of,
    write_text_atomically,
)
from impact_warehouse.publish.lock import publish_lock
from impact_warehouse.publish.snapshot import (
    PARQUET_FOLDER,
    ReleaseRow,
    TableCount,
    read_organisation_code,
    write_analyst_copy,
    write_parquet_files,
)
from impact_warehouse.publish.switch import (
    BUILDING_PREFIX,
    CURRENT_POINTER,
    current_release_id,
    is_release_name,
    recover,
    switch_published,
)
from impact_warehouse.settings import PROJECT_ROOT
from impact_warehouse.transform.docs_site import DOCS_FOLDER

log = logging.getLogger(__name__)

WAREHOUSE_FILE = "warehouse.duckdb"
_RELEASE_FIELDS = {
    "release_id": str,
    "fiscal_year": int,
    "run_id": str,
    "created_at": str,
    "git_commit": OPTIONAL_TEXT,
    "gate_result": dict,
    "tables": list,
    "sha256": str,
}
_TABLE_FIELDS = {"schema": str, "table": str, "row_count": int}
RELEASE_FILE = "release.json"


@dataclass(frozen=True)
class Release:
    release_id: str
    fiscal_year: int
    run_id: str
    created_at: str
    git_commit: str | None
    gate_result: dict[str, Any]
    tables: tuple[TableCount, ...]
    sha256: str
    directory: Path
    # Releases written before organisations were registered have none.
    organisation_code: str | None = None

    @property
    def warehouse_path(self) -> Path:
        return self.directory / WAREHOUSE_FILE

    def to_json(self) -> str:
        record = asdict(self)
        record.pop("directory")
        return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def read(cls, directory: Path) -> Release:
        """The release kept in ``directory``; :class:`DamagedRecordError` when its record
        cannot be read as one (a hand edit, a damaged disk)."""
        path = directory / RELEASE_FILE
        record = checked_fields(read_json_record(path), path, _RELEASE_FIELDS)
        if record["release_id"] != directory.name:
            # A copied folder, or an id edited by hand: served under it, it would clash with
            # the release it was copied from or point CURRENT at a folder that is not there.
            raise DamagedRecordError(
                path, f"it names release {record['release_id'][:80]!r}, not its folder's"
            )
        if "organisation_code" in record:  # releases from before organisations have none
            checked_fields(record, path, {"organisation_code": OPTIONAL_TEXT})
        try:
            tables = tuple(
                TableCount(**checked_fields(table, path, _TABLE_FIELDS))
                for table in record["tables"]
            )
            return cls(**{**record, "tables": tables}, directory=directory)
        except TypeError as error:  # a field a release or a table count does not have
            raise DamagedRecordError(
                path, f"it is not a release record ({type(error).__name__}: {error})"
            ) from None

    def as_row(self, *, is_current: bool) -> ReleaseRow:
        return ReleaseRow(
            release_id=self.release_id,
            fiscal_year=self.fiscal_year,
            run_id=self.run_id,
            created_at=self.created_at,
            git_commit=self.git_commit,
            gate_result=self.gate_result,
            is_current=is_current,
            organisation_code=self.organisation_code,
        )


def detect_git_commit() -> str | None:
    """The checked-out commit of the project, or None outside a git checkout."""
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.strip() or None


def new_release_id(fiscal_year: int, created: datetime, taken: Iterable[str] = ()) -> str:
    """``FY2025-20261201-0312-ab12``: fiscal year, publish time (UTC, to the minute), 4 hex.

    Short enough to read out and type (a unique prefix is accepted wherever an id is taken,
    see :func:`resolve_release`). Ids sort by fiscal year, then publish time: the hex suffix
    is drawn above every suffix ``taken`` in the same fiscal year and minute, so a second
    publish within a minute still sorts after the first, and never repeats an id.
    """
    prefix = f"FY{fiscal_year}-{created.astimezone(UTC).strftime('%Y%m%d-%H%M')}-"
    used = [
        int(release_id[len(prefix) :], 16)
        for release_id in taken
        if release_id.startswith(prefix) and _is_hex4(release_id[len(prefix) :])
    ]
    low = max(used) + 1 if used else 0
    if low > 0xFFFF:
        raise RuntimeError(f"no release id left for {prefix}* (65536 publishes in one minute)")
    # Random within a window above the last one, so ids are not guessable counters but leave
    # room for the next publish of the same minute.
    return f"{prefix}{low + secrets.randbelow(min(0x1000, 0x10000 - low)):04x}"


def _is_hex4(text: str) -> bool:
    return len(text) == 4 and all(character in "0123456789abcdef" for character in text)


class ReleaseLookupError(LookupError):
    """A release id (or prefix) names no release, or more than one.

    ``message_ja`` is the staff-facing text (what was asked, the candidates); ``str()`` is the
    English detail for logs.
    """

    def __init__(self, message_en: str, message_ja: str, candidates: Sequence[str]) -> None:
        super().__init__(message_en)
        self.message_ja = message_ja
        self.candidates = tuple(candidates)


def resolve_release(release_id: str, releases_dir: Path) -> Release:
    """The release named by a full id or by a prefix that only one release id starts with.

    Ids of every format are accepted (the long ``FY2025-20261123T221500Z-<run id>`` ids of
    earlier releases too): an exact match wins, otherwise the prefix must be unique.
    """
    directory = releases_dir
    wanted = release_id.strip()
    releases, damaged = scan_releases(directory)
    by_id = {release.release_id: release for release in releases}
    if wanted in by_id:
        return by_id[wanted]
    for error in damaged:
        if wanted and error.path.parent.name == wanted:
            raise error  # asked for by its full name: say why it cannot be served
    matches = [
        release.release_id
        for release in releases
        if wanted and release.release_id.startswith(wanted)
    ]
    if len(matches) == 1:
        return by_id[matches[0]]
    if matches:
        listed = "\n".join(f"  {candidate}" for candidate in matches)
        raise ReleaseLookupError(
            f"release prefix {wanted!r} is ambiguous in {directory}: {', '.join(matches)}",
            f"「{wanted}」で始まるリリースが {len(matches)} 件あります。"
            f"どれか分かるところまで長く指定してください:\n{listed}",
            matches,
        )
    latest = [release.release_id for release in releases[-5:]]
    listed = "\n".join(f"  {candidate}" for candidate in latest) or "  (ありません)"
    if not wanted:
        raise ReleaseLookupError(
            f"no release id given (an empty id names no release in {directory})",
            f"リリースIDが空です。`impact releases` で一覧を確認し、IDかその先頭部分を指定して"
            f"ください。最近のリリース:\n{listed}",
            latest,
        )
    raise ReleaseLookupError(
        f"no release {wanted!r} in {directory}; latest: {', '.join(latest) or 'none'}",
        f"リリース {wanted} が見つかりません。`impact releases` で一覧を確認してください。"
        f"最近のリリース:\n{listed}",
        latest,
    )


def list_releases(releases_dir: Path) -> list[Release]:
    """Every complete release, oldest first. A release whose record cannot be read is left
    out with a warning (:func:`scan_releases` names them): one damaged folder must not stop
    listing, publishing or rolling back to the others."""
    return scan_releases(releases_dir)[0]


def scan_releases(releases_dir: Path) -> tuple[list[Release], list[DamagedRecordError]]:
    """Every complete release, oldest first, and the folders whose ``release.json`` cannot be
    read, each with its problem."""
    if not releases_dir.is_dir():
        return [], []
    releases: list[Release] = []
    damaged: list[DamagedRecordError] = []
    for child in releases_dir.iterdir():
        if child.is_dir() and not child.name.startswith(".") and (child / RELEASE_FILE).exists():
            try:
                releases.append(Release.read(child))
            except DamagedRecordError as error:
                log.warning("release left out: %s", error)
                damaged.append(error)
    releases.sort(key=lambda release: (release.created_at, release.release_id))
    return releases, damaged


def current_release(releases_dir: Path) -> Release | None:
    """The release analysts open now (also during, or after a crash in, a switch);
    :class:`DamagedRecordError` when ``CURRENT`` names a release whose record cannot be read."""
    directory = releases_dir
    release_id = current_release_id(directory)
    if not release_id:
        return None
    # The name itself was checked where it was read (CURRENT or the switch journal).
    if not (directory / release_id).is_dir():
        raise DamagedRecordError(
            directory / CURRENT_POINTER,
            f"it names {release_id[:80]!r}, which is not a release folder in {directory}",
        )
    return Release.read(directory / release_id)


def previous_release_id(releases_dir: Path) -> str | None:
    """What a switch records as the release it replaces: the current release's id when it
    names a release folder, else None (a damaged ``CURRENT`` is not copied into the history)."""
    try:
        release_id = current_release_id(releases_dir)
    except DamagedRecordError as error:
        log.warning("replacing a current release that cannot be read: %s", error)
        return None
    if release_id is None or not (releases_dir / release_id).is_dir():
        return None
    return release_id


def open_release(release_id: str, releases_dir: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to one release's warehouse (id or unique prefix), to re-produce
    its figures."""
    directory = releases_dir
    if is_release_name(release_id) and (directory / release_id / RELEASE_FILE).exists():
        release = Release.read(directory / release_id)
    else:
        release = resolve_release(release_id, directory)
    return duckdb.connect(str(release.warehouse_path), read_only=True)


def publish_release(
    audit_db: Path,
    *,
    fiscal_year: int,
    run_id: str,
    gate_result: dict[str, Any],
    git_commit: str | None = None,
    releases_dir: Path,
    published_path: Path,
    attach: Callable[[Path], None] | None = None,
) -> Release:
    """Keep the audit warehouse as a new release and make it the published one.

    ``attach`` adds the release's other parts (Data Docs, the dbt docs site) to the release
    folder while it is still being built under a hidden name: once a release is listed or
    published, nothing writes into it.

    Refuses a ``gate_result`` that says it failed (``passed`` or ``success`` is False): the
    gate, not this function, decides, but a wrong call must not replace the current release.
    """
    if gate_result.get("passed") is False or gate_result.get("success") is False:
        raise ValueError(f"gate failed for run {run_id}; not publishing: {gate_result}")
    with publish_lock(releases_dir):
        recover(releases_dir, published_path)
        release = _keep_release(
            audit_db,
            fiscal_year=fiscal_year,
            run_id=run_id,
            gate_result=gate_result,
            git_commit=git_commit,
            releases_dir=releases_dir,
            attach=attach,
        )
        switch_published(
            release.release_id,
            release.warehouse_path,
            releases_dir=releases_dir,
            published_path=published_path,
            action="publish",
            # Only its id: a release whose record was damaged is still replaced.
            previous_release_id=previous_release_id(releases_dir),
            run_id=run_id,
        )
    return release


def _keep_release(
    audit_db: Path,
    *,
    fiscal_year: int,
    run_id: str,
    gate_result: dict[str, Any],
    git_commit: str | None,
    releases_dir: Path,
    attach: Callable[[Path], None] | None = None,
) -> Release:
    """Write the new release folder (under the releases lock, so its id is unique)."""
    created = datetime.now(UTC)
    releases_dir.mkdir(parents=True, exist_ok=True)
    existing = [child.name for child in releases_dir.iterdir()]
    release_id = new_release_id(fiscal_year, created, existing)
    final_directory = releases_dir / release_id
    if final_directory.exists():
        raise FileExistsError(f"release already exists: {final_directory}")
    draft = Release(
        release_id=release_id,
        fiscal_year=fiscal_year,
        run_id=run_id,
        created_at=created.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        git_commit=git_commit if git_commit is not None else detect_git_commit(),
        gate_result=gate_result,
        tables=(),
        sha256="",
        directory=final_directory,
        organisation_code=read_organisation_code(audit_db),
    )
    history = [release.as_row(is_current=False) for release in list_releases(releases_dir)]

    # Built under a hidden name and renamed whole, so a listed release is always complete.
    building = releases_dir / f"{BUILDING_PREFIX}{uuid.uuid4().hex[:8]}"
    building.mkdir(parents=True)
    try:
        warehouse = building / WAREHOUSE_FILE
        tables = write_analyst_copy(
            audit_db, warehouse, releases=[*history, draft.as_row(is_current=True)]
        )
        fsync_file(warehouse)
        write_parquet_files(warehouse, building / PARQUET_FOLDER)
        if attach is not None:
            attach(building)
            describe_added_columns(building / DOCS_FOLDER, warehouse)
        release = replace(draft, tables=tuple(tables), sha256=sha256_of(warehouse))
        write_text_atomically(building / RELEASE_FILE, release.to_json())
        building.rename(final_directory)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    fsync_directory(releases_dir)
    return release
