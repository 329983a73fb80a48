"""The organisation profile (organisation.csv) and program groups (programs.csv) as data:
read by the catalog, and a bad month, time zone, placeholder or group names the file, the
line and the fix (``python -m impact_warehouse.catalog`` says so in Japanese first)."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from impact_warehouse.catalog import CatalogError, load_catalog
from impact_warehouse.catalog.__main__ import main
from impact_warehouse.settings import paths


def _copy_seeds(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(paths().seeds, seeds)
    return seeds


def _edit(seeds: Path, file_name: str, change: Callable[[list[dict[str, str]]], None]) -> None:
    path = seeds / file_name
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or []), list(reader)
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _set(column: str, value: str, row: int = 0) -> Callable[[list[dict[str, str]]], None]:
    def change(rows: list[dict[str, str]]) -> None:
        rows[row][column] = value

    return change


def test_mamabono_profile_and_groups() -> None:
    catalog = load_catalog()
    organisation = catalog.organisation
    title = organisation.report_title(2025)
    assert title == "2025年度 ママボノ 参加者に対するインパクト評価 レポート"
    assert organisation.fiscal_year_start_month == 4
    assert organisation.fiscal_year_of(date(2026, 3, 31)) == 2025
    assert organisation.fiscal_year_of(date(2026, 4, 1)) == 2026
    assert organisation.release_date(2025) == date(2026, 5, 1)
    assert organisation.local_time(datetime(2026, 4, 30, 21, 0, tzinfo=UTC)) == (
        "2026-05-01 06:00 JST"
    )
    groups = catalog.program_groups
    assert list(groups) == ["mamabono", "next"]
    assert groups["next"].program_codes == ("next_research", "npo_mentoring")
    assert (groups["next"].program_group_name_ja, groups["next"].program_group_short_ja) == (
        "ママボノNEXT",
        "NEXT",
    )


def test_another_organisation_reads_its_own_calendar(tmp_path: Path) -> None:
    seeds = _copy_seeds(tmp_path)
    _edit(seeds, "organisation.csv", _set("fiscal_year_start_month", "1"))
    _edit(seeds, "organisation.csv", _set("time_zone", "Europe/Berlin"))
    _edit(seeds, "organisation.csv", _set("release_month_day", ""))
    organisation = load_catalog(seeds).organisation
    assert organisation.fiscal_year_of(date(2026, 3, 31)) == 2026
    assert organisation.release_date(2025) is None
    assert organisation.local_time(datetime(2026, 7, 1, 4, 0, tzinfo=UTC)) == (
        "2026-07-01 06:00 CEST"
    )


CASES: dict[str, tuple[str, Callable[[list[dict[str, str]]], None], int, str]] = {
    # name: (file, edit, line, words the message must hold)
    "month_13": ("organisation.csv", _set("fiscal_year_start_month", "13"), 2, "1–12"),
    "month_in_words": ("organisation.csv", _set("fiscal_year_start_month", "April"), 2, "1–12"),
    # str.isdigit() is true for '²', which int() cannot read: no traceback, the same fix.
    "month_superscript_digit": (
        "organisation.csv",
        _set("fiscal_year_start_month", "²"),
        2,
        "1–12",
    ),
    "unknown_time_zone": ("organisation.csv", _set("time_zone", "Asia/Tokio"), 2, "IANA"),
    "release_day_not_a_day": ("organisation.csv", _set("release_month_day", "02-30"), 2, "MM-DD"),
    "title_placeholder": (
        "organisation.csv",
        _set("report_title_ja", "{year}年度 レポート"),
        2,
        "{fiscal_year}",
    ),
    # Both pass str.Formatter().parse but fail when the report formats the title.
    "title_format_spec": (
        "organisation.csv",
        _set("report_title_ja", "{fiscal_year:s}年度 レポート"),
        2,
        "a placeholder the report cannot fill",
    ),
    "title_conversion": (
        "organisation.csv",
        _set("report_title_en", "FY{fiscal_year!z} report"),
        2,
        "a placeholder the report cannot fill",
    ),
    "title_unbalanced_brace": (
        "organisation.csv",
        _set("report_title_ja", "{fiscal_year年度 レポート"),
        2,
        "an unbalanced brace",
    ),
    "empty_title": ("organisation.csv", _set("report_title_ja", ""), 2, "fill it in"),
    "group_named_all": ("programs.csv", _set("program_group_code", "all", 1), 3, "reserved"),
    "group_named_twice": (
        "programs.csv",
        _set("program_group_name_ja", "NEXT プログラム", 2),
        4,
        "same program_group_name_ja",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_profile_names_file_line_and_fix(tmp_path: Path, case: str) -> None:
    file_name, edit, line, words = CASES[case]
    seeds = _copy_seeds(tmp_path)
    _edit(seeds, file_name, edit)
    with pytest.raises(CatalogError) as raised:
        load_catalog(seeds)
    assert (raised.value.file_name, raised.value.line) == (file_name, line)
    assert f"{file_name} line {line}:" in str(raised.value)
    assert words in str(raised.value)


def test_catalog_command_points_at_the_profile_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = _copy_seeds(tmp_path)
    _edit(seeds, "organisation.csv", _set("time_zone", "JST+9"))
    assert main(["--seeds", str(seeds)]) == 1
    error = capsys.readouterr().err
    assert "organisation.csv の 2 行目" in error
    assert "'time_zone'='JST+9' is not a known time zone" in error


def test_two_organisation_rows_are_refused(tmp_path: Path) -> None:
    seeds = _copy_seeds(tmp_path)
    _edit(seeds, "organisation.csv", lambda rows: rows.append(dict(rows[0])))
    with pytest.raises(CatalogError, match="exactly one row") as raised:
        load_catalog(seeds)
    assert raised.value.file_name == "organisation.csv"
