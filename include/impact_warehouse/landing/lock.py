"""One run per landing zone source at a time: an OS file lock around each source's landing.

A manual ``impact pull`` during the scheduled run used to land every record twice: both runs
read the landed-key index before either wrote. Each source unit (the operations workbooks, the
panel deliveries, one Google Form) is now landed under ``fcntl.flock`` on a lock file in
``<landing>/_state/locks/``. The kernel releases the lock when its holder exits, however it
exits (SIGKILL, OOM, a lost container), so a dead run never blocks the next one. A second run
waits up to ``IMPACT_LANDING_LOCK_TIMEOUT`` seconds, then stops with a message naming the
source and the holder (pid, host, start time: written into the lock file while held).

Under the lock the run first removes temporaries a killed run or a full disk left in the
source's folders, and every store re-reads the key index before writing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from impact_warehouse.file_lock import held_file_lock, timeout_from_env
from impact_warehouse.landing.store import remove_temporaries
from impact_warehouse.settings import Settings

log = logging.getLogger(__name__)

LOCK_TIMEOUT_ENV = "IMPACT_LANDING_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_SECONDS = 600.0
# Operations workbooks and panel deliveries are landed as a whole source; forms per form.
WHOLE_SOURCE = "all"

SOURCE_LABELS_JA = {
    "operations": "事業台帳（運営ワークブック）",
    "panel_file": "比較パネルの納品ファイル",
    "google_forms": "Google フォームの回答",
}


def lock_timeout_seconds() -> float:
    """``IMPACT_LANDING_LOCK_TIMEOUT`` (seconds, 0 = do not wait), default 600."""
    return timeout_from_env(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT_SECONDS)


def lock_path(state_dir: Path, source: str, source_ref: str) -> Path:
    safe_ref = re.sub(r"[^A-Za-z0-9_.-]+", "_", source_ref)
    return state_dir / "locks" / f"{source}--{safe_ref}.lock"


class LandingBusyError(RuntimeError):
    """Another run holds the source's landing lock and did not release it in time."""

    def __init__(
        self, source: str, source_ref: str, holder: dict[str, Any], waited: float, path: Path
    ) -> None:
        self.source = source
        self.source_ref = source_ref
        self.holder = holder
        self.lock_file = path
        label = SOURCE_LABELS_JA.get(source, source)
        target = label if source_ref == WHOLE_SOURCE else f"{label}（{source_ref}）"
        who = (
            f"プロセス {holder.get('pid', '不明')}（ホスト {holder.get('host', '不明')}、"
            f"{holder.get('started_at', '開始時刻不明')} に開始）"
        )
        self.staff_message = (
            f"{target}は別の取り込みが実行中のため、{waited:.0f} 秒待っても開始できませんでした。"
            f"実行中: {who}。その取り込みが終わってから、もう一度実行してください"
            f"（待ち時間は {LOCK_TIMEOUT_ENV} で変えられます）。"
        )
        super().__init__(
            f"landing lock {path} for {source}/{source_ref} is held by "
            f"pid={holder.get('pid')} host={holder.get('host')} "
            f"since {holder.get('started_at')}; gave up after {waited:.0f}s\n{self.staff_message}"
        )


@contextmanager
def landing_lock(
    state_dir: Path, source: str, source_ref: str, *, timeout: float | None = None
) -> Iterator[dict[str, Any]]:
    """Hold the landing lock of one source unit; yields the holder record written into it."""
    path = lock_path(state_dir, source, source_ref)
    with held_file_lock(
        path,
        timeout=lock_timeout_seconds() if timeout is None else timeout,
        waiting_for=f"landing {source}/{source_ref}",
        busy=lambda holder, waited: LandingBusyError(source, source_ref, holder, waited, path),
        holder_fields={"source": source, "source_ref": source_ref},
    ) as holder:
        yield holder


def unit_directories(settings: Settings, source: str, source_ref: str) -> list[Path]:
    """The landing folders only this source unit writes (its lock covers them)."""
    if source_ref == WHOLE_SOURCE:
        return [settings.landing / source, settings.quarantine / source]
    folders = [
        settings.landing / source / kind / source_ref for kind in _entity_kinds(settings, source)
    ]
    return [*folders, settings.quarantine / source / source_ref]


def _entity_kinds(settings: Settings, source: str) -> list[str]:
    root = settings.landing / source
    return sorted(child.name for child in root.iterdir() if child.is_dir()) if root.is_dir() else []


def sweep_unit_temporaries(settings: Settings, source: str, source_ref: str) -> list[Path]:
    """Remove temporaries left in the unit's folders by a killed run or a full disk.

    Call under the unit's lock. Raw quarantined records in the vault are content-addressed and
    shared by a source's units, so their temporaries are only removed by a whole-source unit.
    """
    removed: list[Path] = []
    for folder in unit_directories(settings, source, source_ref):
        removed += remove_temporaries(folder)
    watermarks = settings.state / "watermarks" / source
    if source_ref == WHOLE_SOURCE:
        removed += remove_temporaries(watermarks)
        removed += remove_temporaries(settings.vault / "quarantine_raw" / source)
    else:
        removed += remove_temporaries(watermarks, name_prefix=f"{source_ref}.json")
    for path in removed:
        log.warning("removed a temporary file left by an earlier run: %s", path)
    return removed


@contextmanager
def landing_unit(
    settings: Settings, source: str, source_ref: str = WHOLE_SOURCE, *, timeout: float | None = None
) -> Iterator[list[Path]]:
    """Lock a source unit and clean its temporaries; yields the temporaries removed."""
    with landing_lock(settings.state, source, source_ref, timeout=timeout):
        yield sweep_unit_temporaries(settings, source, source_ref)
