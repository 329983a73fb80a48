"""``python -m impact_warehouse.catalog``: the check staff run after editing the seeds."""

from __future__ import annotations

import shutil
import subprocess
import sys
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


def test_a_typed_percentage_is_explained_in_japanese_first_without_a_traceback(
    seeds_copy: Path,
) -> None:
    waves = seeds_copy / "waves.csv"
    lines = waves.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("response_rate_target")] = "70%"
    lines[1] = ",".join(cells)
    waves.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # As staff run it: a real process, so an escaping exception would show its traceback.
    result = subprocess.run(
        [sys.executable, "-m", "impact_warehouse.catalog", "--seeds", str(seeds_copy)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    first, second = result.stderr.splitlines()[:2]
    assert first.startswith("エラー: カタログに誤りがあります(waves.csv の 2 行目)")
    assert "waves.csv line 2: 'response_rate_target'='70%'" in second
    assert "0.70 for 70%" in second
