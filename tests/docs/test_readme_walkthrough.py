"""The README's walk-through for adding a cohort, wave and item, followed literally.

Every ``bash`` block between the walk-through markers runs, in order, in a copy of the
repository (so the real seeds stay untouched) with the test's Python environment as
``.venv``. The new wave must end up in the published release with its answers.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from impact_warehouse.settings import PROJECT_ROOT
from walkthrough import copy_checkout, run_walkthrough, walkthrough_script


def readme_script(checkout: Path) -> str:
    return walkthrough_script((checkout / "README.md").read_text(encoding="utf-8"), min_blocks=5)


def test_walkthrough_extracts_every_command_block_in_order() -> None:
    script = readme_script(PROJECT_ROOT)
    order = ["cohorts.csv", "waves.csv", "items.csv", "impact_warehouse.catalog", "impact demo"]
    positions = [script.index(marker) for marker in order]
    assert positions == sorted(positions)


# The walk-through runs `impact demo` (two DAG runs, every report section) in a subprocess
# with its own 900 s bound; pytest's default hang guard (600 s) must not cut it short.
@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_following_the_walkthrough_publishes_the_new_wave(tmp_path: Path) -> None:
    checkout = copy_checkout(PROJECT_ROOT, tmp_path / "checkout")
    result = run_walkthrough(checkout, readme_script(checkout), timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "catalog OK" in result.stdout
    assert "mamabono_2027_pre" in result.stdout
    assert "peer_support_felt" in result.stdout

    with duckdb.connect(str(checkout / ".work/published/warehouse.duckdb"), read_only=True) as db:
        released_fy = db.execute("select max(fiscal_year) from meta.releases").fetchone()[0]
        responded, targeted = db.execute(
            "select responded, targeted from marts.fct_response_rates "
            "where wave_code = 'mamabono_2027_pre' and breakdown_level = 'all'"
        ).fetchone()
        counted = db.execute(
            "select count(*) from marts.fct_answers "
            "where item_code = 'peer_support_felt' and is_counted"
        ).fetchone()[0]
    assert released_fy == 2027
    assert targeted > 0 and 0 < responded <= targeted
    # Everyone who responded could answer it; a skipped or invalid answer is not counted.
    assert 0 < counted <= responded
