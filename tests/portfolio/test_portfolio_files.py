"""A funder's portfolio.csv as staff save it: damaged files get a Japanese reason, not a
traceback, and a long file is read in one pass. No release is opened here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from impact_warehouse.portfolio.definitions import PortfolioError, read_portfolio
from impact_warehouse.settings import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "examples" / "portfolio"
HEADER = "organisation_code,catalog_dir,releases_dir\n"


def funder(tmp_path: Path, portfolio_csv: bytes) -> Path:
    folder = tmp_path / "funder"
    folder.mkdir()
    shutil.copy(SHIPPED / "common_indicators.csv", folder / "common_indicators.csv")
    (folder / "portfolio.csv").write_bytes(portfolio_csv)
    return folder


def test_a_value_longer_than_csv_allows_is_a_japanese_refusal(tmp_path: Path) -> None:
    folder = funder(tmp_path, (HEADER + "kurashi_lab,cat," + "r" * 300_000 + "\n").encode())
    with pytest.raises(PortfolioError, match="field larger than field limit") as refused:
        read_portfolio(folder)
    assert "CSV として読めません" in refused.value.message_ja


def test_a_shift_jis_portfolio_names_the_funders_file(tmp_path: Path) -> None:
    folder = funder(tmp_path, (HEADER + "kurashi_lab,団体,リリース\n").encode("cp932"))
    with pytest.raises(PortfolioError, match="not UTF-8") as refused:
        read_portfolio(folder)
    assert "portfolio.csv を UTF-8 の文字として読めません" in refused.value.message_ja


def test_a_long_portfolio_is_read_and_a_late_duplicate_named_by_its_line(tmp_path: Path) -> None:
    rows = "".join(f"org_{number},cat,rel\n" for number in range(20_000))
    folder = funder(tmp_path, (HEADER + rows + "org_7,cat,rel\n").encode())
    with pytest.raises(PortfolioError) as refused:
        read_portfolio(folder)
    assert "20002" in refused.value.message_ja and "org_7" in refused.value.message_ja
