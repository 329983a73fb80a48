"""One writer of the releases at a time: an OS file lock around every publish and rollback.

Two publishes at once (the scheduled run and a manual ``impact publish``) could each copy its
release over the published file and write ``CURRENT`` in turn, leaving analysts on one release
and ``CURRENT`` naming the other. Every publish and every ``impact releases --make-current``
holds ``fcntl.flock`` on ``<work>/releases/switch.lock`` from its first step (choosing the
release id) to its last (the history line). The kernel releases the lock however the holder
exits (SIGKILL, OOM, a lost container), so a dead publish never blocks the next one; the next
holder then removes what the dead one left (see :mod:`.recovery`).

A second writer waits up to ``IMPACT_PUBLISH_LOCK_TIMEOUT`` seconds (default 1800: a publish
copies the whole warehouse), then stops with :class:`PublishBusyError`, whose ``staff_message``
names the holder (pid, host, command, start time: written into the lock file while held).
The lock itself is :mod:`impact_warehouse.file_lock`, as the landing lock's; the two guard
different folders.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from impact_warehouse.file_lock import held_file_lock, timeout_from_env

LOCK_FILE = "switch.lock"
LOCK_TIMEOUT_ENV = "IMPACT_PUBLISH_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_SECONDS = 1800.0


def lock_timeout_seconds() -> float:
    """``IMPACT_PUBLISH_LOCK_TIMEOUT`` (seconds, 0 = do not wait), default 1800."""
    return timeout_from_env(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT_SECONDS)


class PublishBusyError(RuntimeError):
    """Another publish or rollback holds the releases lock and did not release it in time."""

    def __init__(
        self, holder: dict[str, Any], waited: float, path: Path, operation_ja: str = "公開"
    ) -> None:
        self.holder = holder
        self.lock_file = path
        who = (
            f"プロセス {holder.get('pid', '不明')}（ホスト {holder.get('host', '不明')}、"
            f"{holder.get('started_at', '開始時刻不明')} に開始）"
        )
        self.staff_message = (
            f"別の公開（またはリリースの切り替え）が実行中のため、{waited:.0f} 秒待っても"
            f"{operation_ja}を始められませんでした。実行中: {who}。"
            "その処理が終わってから、もう一度実行してください。現在公開中のリリースは"
            f"そのままです（待ち時間は {LOCK_TIMEOUT_ENV} で変えられます）。"
        )
        super().__init__(
            f"publish lock {path} is held by pid={holder.get('pid')} host={holder.get('host')} "
            f"command={holder.get('command')!r} since {holder.get('started_at')}; "
            f"gave up after {waited:.0f}s\n{self.staff_message}"
        )


@contextmanager
def publish_lock(
    releases_dir: Path, *, timeout: float | None = None, operation_ja: str = "公開"
) -> Iterator[dict[str, Any]]:
    """Hold the releases lock; yields the holder record written into the lock file.

    ``operation_ja`` names what waits, for the staff message (公開, リリースの切り替え).
    """
    path = releases_dir / LOCK_FILE
    with held_file_lock(
        path,
        timeout=lock_timeout_seconds() if timeout is None else timeout,
        waiting_for=f"releases in {releases_dir}",
        busy=lambda holder, waited: PublishBusyError(holder, waited, path, operation_ja),
    ) as holder:
        yield holder
