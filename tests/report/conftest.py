"""One published demo release per session, and its FY2025 and FY2026 reports.

The demo warehouse comes from the session fixture in tests/conftest.py (land the demo sources,
dbt build); it is published through the real gate (``pipeline.release``), then the reports are
rendered the way the DAG does (``report.job.render_after_publish``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pytest

from impact_warehouse.pipeline import release as release_job
from impact_warehouse.publish import current_release
from impact_warehouse.publish.releases import Release, publish_release
from impact_warehouse.report import job
from impact_warehouse.settings import Settings
from shared_builds import built_once


@dataclass(frozen=True)
class PublishedReports:
    settings: Settings
    release: Release
    reports: dict[int, dict]

    def database(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.release.warehouse_path), read_only=True)

    def html_path(self, fiscal_year: int) -> Path:
        return Path(self.reports[fiscal_year]["html"])

    def html(self, fiscal_year: int) -> str:
        return self.html_path(fiscal_year).read_text(encoding="utf-8")

    def out_dir(self, fiscal_year: int) -> Path:
        return self.html_path(fiscal_year).parent


@pytest.fixture(scope="session")
def published_reports(demo_warehouse_for_seed, tmp_path_factory) -> PublishedReports:
    """The demo release (labelled FY2026, as in ``make demo``) and its rendered reports,
    published once per test run (tests/shared_builds.py): the tests read the release and the
    reports, and render their own into their own folders."""
    build = demo_warehouse_for_seed(2025)

    def produce(root: Path) -> dict[str, Any]:
        settings = Settings.for_work_dir(root / "work", root / "inbox")
        audit = Path(shutil.copy(build.database, root / "audit.duckdb"))
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("IMPACT_WORK_DIR", str(settings.work))
            outcome = release_job.gate_publish_and_alert(
                settings, fiscal_year=2026, run_id="report-tests", as_of=build.as_of, audit_db=audit
            )
            assert outcome["gate_passed"], outcome
            rendered = job.render_after_publish(outcome, settings)
        for report in rendered:
            print(f"rendered FY{report['fiscal_year']} in {report['seconds']} s: {report['html']}")
        return {"root": str(root), "release_id": outcome["release_id"], "reports": rendered}

    record = built_once(tmp_path_factory, "published-reports", produce)
    root = Path(record["root"])
    settings = Settings.for_work_dir(root / "work", root / "inbox")
    release = current_release(settings.releases)
    assert release is not None and release.release_id == record["release_id"]
    reports = {report["fiscal_year"]: report for report in record["reports"]}
    return PublishedReports(settings, release, reports)


@pytest.fixture
def publish_edited(
    published_reports: PublishedReports, tmp_path: Path
) -> Callable[[str, Callable[[duckdb.DuckDBPyConnection], Any]], tuple[Settings, Release, Any]]:
    """Publish the demo release again in the test's own folder, its warehouse changed first
    by ``edit`` (given a connection to the copy): the settings, the new release and what
    ``edit`` returned."""

    def publish(
        run_id: str, edit: Callable[[duckdb.DuckDBPyConnection], Any]
    ) -> tuple[Settings, Release, Any]:
        release = published_reports.release
        audit = Path(shutil.copy(release.warehouse_path, tmp_path / "audit.duckdb"))
        with duckdb.connect(str(audit)) as connection:
            edited = edit(connection)
        settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
        copy = publish_release(
            audit,
            fiscal_year=release.fiscal_year,
            run_id=run_id,
            gate_result=release.gate_result,
            releases_dir=settings.work / "releases",
            published_path=tmp_path / "published.duckdb",
        )
        return settings, copy, edited

    return publish


@dataclass
class HtmlCell:
    text: str
    suppressed: bool


@dataclass
class HtmlTable:
    headers: list[str]
    rows: dict[str, list[HtmlCell]]

    def cell(self, row_key: str, header: str) -> HtmlCell:
        return self.rows[row_key][self.headers.index(header)]


class _TableParser(HTMLParser):
    """Every ``<table data-table>``: its headers, and its rows by ``data-key``."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, HtmlTable] = {}
        self._table: HtmlTable | None = None
        self._row: str | None = None
        self._cell: HtmlCell | None = None
        self._header: str | None = None
        self._headers_known = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table" and attributes.get("data-table"):
            # A table split between its section and the appendix (report/appendix.py) is one
            # table: the same key, the same headers, its rows in either place.
            self._table = self.tables.setdefault(attributes["data-table"], HtmlTable([], {}))
            self._headers_known = bool(self._table.headers)
        elif self._table is None:
            return
        elif tag == "th" and not self._headers_known:
            self._header = ""
        elif tag == "tr" and attributes.get("data-key"):
            self._row = attributes["data-key"]
            self._table.rows[self._row] = []
        elif tag == "td" and self._row is not None:
            self._cell = HtmlCell("", attributes.get("data-suppressed") == "true")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.text += data
        elif self._header is not None:
            self._header += data

    def handle_endtag(self, tag: str) -> None:
        if self._table is None:
            return
        if tag == "th" and self._header is not None:
            self._table.headers.append(self._header.strip())
            self._header = None
        elif tag == "td" and self._cell is not None and self._row is not None:
            self._cell.text = self._cell.text.strip()
            self._table.rows[self._row].append(self._cell)
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "table":
            self._table = None


def parse_tables(html: str) -> dict[str, HtmlTable]:
    parser = _TableParser()
    parser.feed(html)
    return parser.tables


@pytest.fixture(scope="session")
def html_tables(published_reports: PublishedReports) -> dict[int, dict[str, HtmlTable]]:
    """FY → table key → the rendered table."""
    return {year: parse_tables(published_reports.html(year)) for year in published_reports.reports}


@pytest.fixture(scope="session")
def table_parser() -> Callable[[str], dict[str, HtmlTable]]:
    """:func:`parse_tables`, for tests that render a page of their own."""
    return parse_tables
