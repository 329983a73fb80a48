"""``python -m impact_warehouse.catalog``: the check staff run after editing the seeds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from impact_warehouse.catalog.__main__ import main
from impact_warehouse.settings import paths


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(paths().seeds, copy)
    return copy


def test_valid_seeds_list_waves_per_fiscal_year(seeds_copy: Path, capsys) -> None:
    assert main(["--seeds", str(seeds_copy)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("catalog OK: 3 programs")
    assert "FY2025: cohorts mamabono_2025" in printed
    assert "followup_2025 (2026-01-16〜2026-01-31)" in printed


def test_a_wave_targeting_an_unknown_cohort_names_the_file_and_line(
    seeds_copy: Path, capsys
) -> None:
    with (seeds_copy / "wave_targets.csv").open("a", encoding="utf-8") as handle:
        handle.write("mamabono_2026_post,mamabono_2099\n")
    assert main(["--seeds", str(seeds_copy)]) == 1
    error = capsys.readouterr().err
    assert "wave_targets.csv" in error
    assert "mamabono_2099" in error
