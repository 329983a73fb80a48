"""Short release ids: sortable, unique, and a unique prefix accepted wherever an id is taken."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_releases import publish

from impact_warehouse.publish import (
    ReleaseLookupError,
    list_releases,
    open_release,
    resolve_release,
)
from impact_warehouse.publish.releases import new_release_id

LEGACY_ID = "FY2025-20261123T221500Z-scheduled__2026-11-23T22_15_00_00_00"  # 60 characters


def test_ids_sort_by_fiscal_year_then_publish_time_and_are_redrawn_when_taken() -> None:
    early = new_release_id(2025, datetime(2026, 5, 1, 6, 0, tzinfo=UTC))
    late = new_release_id(2025, datetime(2026, 11, 23, 22, 15, tzinfo=UTC))
    next_year = new_release_id(2026, datetime(2026, 5, 1, 6, 0, tzinfo=UTC))
    assert early.startswith("FY2025-20260501-0600-") and len(early) == 25
    assert sorted([next_year, late, early]) == [early, late, next_year]

    moment = datetime(2026, 12, 1, 3, 12, tzinfo=UTC)
    taken = {"FY2025-20261201-0312-ab12", "FY2025-20261201-0312-0001", "FY2024-20261201-0312-f000"}
    drawn = [new_release_id(2025, moment, taken) for _ in range(200)]
    # Above every suffix of the same fiscal year and minute: sorts after them, never repeats.
    assert all(release_id > "FY2025-20261201-0312-ab12" for release_id in drawn)
    assert new_release_id(2025, moment, {"FY2025-20261201-0312-fffe"}) == (
        "FY2025-20261201-0312-ffff"
    )
    with pytest.raises(RuntimeError, match="no release id left"):
        new_release_id(2025, moment, {"FY2025-20261201-0312-ffff"})


def test_two_publishes_in_the_same_minute_get_different_ids(tmp_path: Path) -> None:
    ids = [publish(tmp_path, f"same-minute-{n}", 2).release_id for n in range(4)]
    assert len(set(ids)) == 4
    # Sorting the ids sorts the releases by publish time (list_releases: by created_at).
    assert [r.release_id for r in list_releases(tmp_path / "releases")] == ids == sorted(ids)


def _legacy_copy(tmp_path: Path, release_id: str) -> None:
    """An earlier release kept under a long id of the previous format."""
    releases = tmp_path / "releases"
    shutil.copytree(releases / release_id, releases / LEGACY_ID)
    record = json.loads((releases / LEGACY_ID / "release.json").read_text(encoding="utf-8"))
    record["release_id"] = LEGACY_ID
    record["created_at"] = "2026-11-23T22:15:00.000000Z"
    (releases / LEGACY_ID / "release.json").write_text(json.dumps(record), encoding="utf-8")


def test_a_unique_prefix_names_the_release(tmp_path: Path) -> None:
    first = publish(tmp_path, "first", 3)
    releases = tmp_path / "releases"
    assert resolve_release(first.release_id, releases) == first
    assert resolve_release(first.release_id[:-2], releases) == first
    connection = open_release(first.release_id[:-1], releases)
    try:
        assert connection.execute("select count(*) from marts.fct_figures").fetchone() == (3,)
    finally:
        connection.close()


def test_long_ids_of_earlier_releases_are_still_accepted(tmp_path: Path) -> None:
    first = publish(tmp_path, "first", 3)
    _legacy_copy(tmp_path, first.release_id)
    releases = tmp_path / "releases"
    assert resolve_release(LEGACY_ID, releases).release_id == LEGACY_ID
    assert resolve_release("FY2025-20261123T", releases).release_id == LEGACY_ID
    assert list_releases(releases)[0].release_id == LEGACY_ID  # older first


def test_an_ambiguous_prefix_lists_the_candidates_in_japanese(tmp_path: Path) -> None:
    first = publish(tmp_path, "first", 3)
    second = publish(tmp_path, "second", 4)
    with pytest.raises(ReleaseLookupError) as raised:
        resolve_release("FY2025-", tmp_path / "releases")
    error = raised.value
    assert set(error.candidates) == {first.release_id, second.release_id}
    assert "2 件あります" in error.message_ja
    assert first.release_id in error.message_ja and second.release_id in error.message_ja
    assert "ambiguous" in str(error)


def test_an_unknown_id_says_so_and_lists_the_latest_releases(tmp_path: Path) -> None:
    first = publish(tmp_path, "first", 3)
    for unknown in ("FY1999", "", "FY2025-x"):
        with pytest.raises(ReleaseLookupError) as raised:
            resolve_release(unknown, tmp_path / "releases")
        # An empty id is said to be empty rather than "not found".
        assert ("空です" if not unknown else "見つかりません") in raised.value.message_ja
        assert first.release_id in raised.value.message_ja
        assert "impact releases" in raised.value.message_ja
