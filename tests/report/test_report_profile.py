"""The report's identity comes from the organisation profile (organisation.csv) of the release:
another organisation's warehouse renders its own title, cover, footer, XLSX "about" rows and
program-group columns, shows times in its own time zone, and says ママボノ nowhere there."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from impact_warehouse.pipeline import release as release_job
from impact_warehouse.report import job
from impact_warehouse.settings import Settings
from other_catalog import ORGANISATION

# The end-to-end tier (make test-all): another organisation's warehouse built and reported
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def other_report(other_catalog_warehouse: Any, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("other-report")
    settings = Settings.for_work_dir(root / "work", root / "inbox")
    audit = Path(shutil.copy(other_catalog_warehouse.database, root / "audit.duckdb"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_WORK_DIR", str(settings.work))
        outcome = release_job.gate_publish_and_alert(
            settings,
            fiscal_year=2025,
            run_id="profile-tests",
            as_of=other_catalog_warehouse.as_of,
            audit_db=audit,
        )
        assert outcome["gate_passed"], outcome
        rendered = job.render_after_publish(outcome, settings)
    return {report["fiscal_year"]: report for report in rendered}[2025]


def _between(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def test_title_cover_and_footer_are_the_organisations(other_report: dict) -> None:
    html = Path(other_report["html"]).read_text(encoding="utf-8")
    title = "2025年度 ミライワーク 就業支援プログラム 成果レポート"
    assert f"<title>{title}</title>" in html
    cover = _between(html, '<header class="cover">', "</header>")
    footer = _between(html, "<footer>", "</footer>")
    assert title in cover and ORGANISATION["tagline_ja"] in cover
    assert ORGANISATION["footer_ja"] in footer
    for part in (html[: html.index("</header>")], footer):
        assert "ママボノ" not in part and "mamabono" not in part.lower()
    # times in the organisation's zone (Europe/Berlin), not UTC or the machine's zone
    published = re.search(r"<dt>リリース公開</dt><dd>([^<]+)</dd>", cover)
    assert published and re.search(r" (CET|CEST)$", published.group(1)), cover
    methods = _between(html, 'id="methods"', "</section>")
    assert "対照群は参加者と結び付かない別の人たちで、全国の就業中の女性です。" in methods
    assert "三大都市圏" not in methods


def test_group_columns_and_about_rows_come_from_the_catalog(other_report: dict) -> None:
    html = Path(other_report["html"]).read_text(encoding="utf-8")
    table = _between(html, 'data-table="02_employment"', "</table>")
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", _between(table, "<thead", "</thead>"))
    assert [header.strip() for header in headers][1:] == ["ラボ", "復職者", "合計"]
    # the note says what a group of several programs adds up, by the group's own header
    assert "復職者 は" in _between(html, 'id="table-02_employment"', "CSV:")
    about = openpyxl.load_workbook(other_report["xlsx"]).worksheets[0]
    values = {row[0]: row[1] for row in about.iter_rows(values_only=True) if row[0]}
    assert values["レポート"] == "2025年度 ミライワーク 成果レポート"
    assert values["発行"] == "NPO法人ミライワーク"
