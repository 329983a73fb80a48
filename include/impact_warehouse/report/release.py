"""The release a report is rendered from: only a published release, never the audit build.

A report names the release it was built from, so a figure printed in a past report can be
re-produced from the same immutable file (ARCHITECTURE.md, step 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from impact_warehouse.publish import current_release, list_releases, open_release
from impact_warehouse.publish.releases import Release
from impact_warehouse.settings import Settings

DEFAULT_SUPPRESSION_K = 5


class ReleaseNotFoundError(LookupError):
    """No published release to render from (staff text first, technical detail after)."""


@dataclass(frozen=True)
class ReleaseSource:
    """One published release and what the report prints about it."""

    release: Release
    releases_dir: Path

    @property
    def release_id(self) -> str:
        return self.release.release_id

    @property
    def created_at(self) -> datetime:
        return datetime.fromisoformat(self.release.created_at.replace("Z", "+00:00"))

    @property
    def data_as_of(self) -> date:
        """The date the gate judged the data by (データ時点); the publish date if unknown."""
        as_of = self.release.gate_result.get("as_of")
        return date.fromisoformat(as_of) if as_of else self.created_at.date()

    @property
    def suppression_k(self) -> int:
        return int(self.release.gate_result.get("suppression_k") or DEFAULT_SUPPRESSION_K)

    def connect(self) -> duckdb.DuckDBPyConnection:
        return open_release(self.release_id, self.releases_dir)


def resolve_release(release_id: str | None, settings: Settings) -> ReleaseSource:
    """The named release of ``settings``, or its current (published) one."""
    directory = settings.releases
    if release_id is None:
        release = current_release(directory)
        if release is None:
            raise ReleaseNotFoundError(
                "公開済みのリリースがありません。先にウェアハウスの構築と公開（impact_warehouse"
                f" DAG）を実行してください。 (no CURRENT release in {directory})"
            )
        return ReleaseSource(release, directory)
    known = {release.release_id: release for release in list_releases(directory)}
    if release_id not in known:
        raise ReleaseNotFoundError(
            f"リリース {release_id} が見つかりません。 (not in {directory}; known: "
            f"{', '.join(sorted(known)) or 'none'})"
        )
    return ReleaseSource(known[release_id], directory)
