"""The example queries of include/analyst_queries/ on a published demo release.

A demo build (seed 2025) goes through the real gate-and-publish job, which also writes the
dbt docs site into the release. Every ``.sql`` file then runs on the analysts' file
``<work>/published/warehouse.duckdb``, opened read-only as the README tells analysts to, and
must answer: rows come back, the columns are the ones its header documents, and the key FY2025
figures of METRICS.md come out.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from impact_warehouse.pipeline import release as release_job
from impact_warehouse.publish import Release, current_release
from impact_warehouse.settings import PROJECT_ROOT, Settings, paths

QUERIES_DIR = PROJECT_ROOT / "include" / "analyst_queries"
QUERY_FILES = sorted(QUERIES_DIR.glob("*.sql"))
FY2025_OPEN_FOLLOWUP = date(2026, 1, 31)  # last day of followup_2025's window
POINT = 0.1  # METRICS.md figures are checked to within 0.1 percentage point


@dataclass(frozen=True)
class Published:
    outcome: dict[str, Any]
    release: Release
    analyst_file: Path


@pytest.fixture(scope="module")
def published(
    demo_warehouse_for_seed: Callable[[int], Any], tmp_path_factory: pytest.TempPathFactory
) -> Published:
    build = demo_warehouse_for_seed(2025)
    root = tmp_path_factory.mktemp("analyst")
    audit = Path(shutil.copy(build.database, root / "audit.duckdb"))
    settings = replace(Settings.for_work_dir(root / "work", root / "inbox"), landing=build.landing)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_WORK_DIR", str(settings.work))
        patch.setenv("IMPACT_ALERT_CHANNELS", "outbox")
        outcome = release_job.gate_publish_and_alert(
            # A FY2025 release (the queries read the release's fiscal year), judged while the
            # FY2025 follow-up window is still open.
            settings,
            fiscal_year=2025,
            run_id="analyst-queries",
            as_of=FY2025_OPEN_FOLLOWUP,
            audit_db=audit,
        )
        release = current_release(paths().releases)
    assert outcome["gate_passed"] and release is not None
    return Published(outcome, release, settings.work / "published" / "warehouse.duckdb")


def run_query(published: Published, name: str) -> pd.DataFrame:
    with duckdb.connect(str(published.analyst_file), read_only=True) as connection:
        return connection.execute((QUERIES_DIR / name).read_text(encoding="utf-8")).df()


def documented_columns(sql: str) -> list[str]:
    """Names listed under ``-- Columns:`` in the header (one per ``--   name  meaning`` line)."""
    header = sql.split("\n\n", 1)[0] if not sql.startswith("--") else sql
    lines = [line for line in header.splitlines() if line.startswith("--")]
    start = next(i for i, line in enumerate(lines) if line.startswith("-- Columns:"))
    return [
        match.group(1)
        for line in lines[start + 1 :]
        if (match := re.match(r"--   (\w+)\s", line + " "))
    ]


def test_there_is_a_query_for_every_question_of_the_report() -> None:
    topics = {re.sub(r"^\d+_", "", path.stem) for path in QUERY_FILES}
    assert {
        "outputs",
        "participants_by_employment",
        "cumulative_participants",
        "response_rates",
        "short_term_positive_shares",
        "pre_post_confidence",
        "followup_vs_comparison",
        "time_use",
        "summary",
    } <= topics


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda path: path.name)
def test_each_query_runs_read_only_and_returns_the_documented_columns(
    published: Published, path: Path
) -> None:
    sql = path.read_text(encoding="utf-8")
    assert sql.startswith("-- Question:"), "start with the question the query answers"
    assert "\n-- Grain:" in sql and "\n-- Columns:" in sql
    result = run_query(published, path.name)
    assert len(result) > 0, f"{path.name} returned no rows on the demo release"
    assert list(result.columns) == documented_columns(sql)


def by(frame: pd.DataFrame, **where: Any) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame[mask]
    assert len(rows) == 1, f"expected one row for {where}, got {len(rows)}"
    return rows.iloc[0]


def test_outputs_and_employment_match_the_report(published: Published) -> None:
    outputs = run_query(published, "01_outputs.sql")
    participants = dict(zip(outputs.program_code, outputs.participants, strict=True))
    assert participants["mamabono"] == 32
    assert participants["next_research"] == 13
    assert participants["npo_mentoring"] == 20
    employment = run_query(published, "02_participants_by_employment.sql")
    on_leave = employment[employment.employment_status_ja == "産休・育休中"]
    by_group = dict(zip(on_leave.program_group_code, on_leave.participations, strict=True))
    assert by_group == {"mamabono": 26, "next": 8, "all": 34}
    totals = employment.groupby("program_group_code").participations.sum().to_dict()
    assert totals == {"mamabono": 32, "next": 33, "all": 65}


def test_response_rates_match_the_report(published: Published) -> None:
    rates = run_query(published, "05_response_rates.sql")
    followup = by(rates, wave_type="followup", breakdown_code="all")
    assert (followup.targeted, followup.responded) == (126, 32)
    assert followup.response_rate * 100 == pytest.approx(25.4, abs=POINT)
    post = by(rates, wave_code="mamabono_2025_post", breakdown_code="mamabono")
    assert (post.targeted, post.responded) == (32, 24)


def test_confidence_before_and_after_is_the_reports_unpaired_share(published: Published) -> None:
    confidence = run_query(published, "07_pre_post_confidence.sql")
    respondents = confidence[confidence.population == "respondents"]
    post = by(respondents, item_code="career_confidence", wave_type="post", measure="confident")
    pre = by(respondents, item_code="career_confidence", wave_type="pre", measure="confident")
    assert (post.numerator, post.denominator) == (31, 41)  # 75.6%
    assert (pre.numerator, pre.denominator) == (23, 45)  # 51.1%
    anxious = by(respondents, item_code="return_anxiety", wave_type="pre", measure="anxious")
    assert anxious.value * 100 == pytest.approx(56.3, abs=POINT)
    assert post.ci_lower < post.value < post.ci_upper


def test_short_term_and_mid_term_figures_match_the_report(published: Published) -> None:
    short_term = run_query(published, "06_short_term_positive_shares.sql")
    assert by(short_term, item_code="skill_recognised").share * 100 == pytest.approx(
        87.8, abs=POINT
    )
    assert (short_term.ci_lower <= short_term.share).all()
    mid_term = run_query(published, "08_followup_vs_comparison.sql")
    expected = {
        "challenged_at_work": 35.3,
        "wants_challenge_at_work": 57.7,
        "challenged_in_private": 38.9,
        "wants_challenge_in_private": 53.5,
        "connections_widened": 44.4,
        "wants_wider_connections": 48.0,
    }
    for item_code, points in expected.items():
        row = by(mid_term[mid_term.measure.isin(["yes", "agree"])], item_code=item_code)
        assert row.difference_points == pytest.approx(points, abs=POINT), item_code
        assert row.difference_ci_lower < row.difference_points < row.difference_ci_upper
    time_use = run_query(published, "10_time_use.sql")
    followup = by(time_use, respondent_group="followup")
    assert followup.partner_difference_hours == pytest.approx(0.6, abs=0.05)  # "about 0.6 h"
    assert followup.partner_share_difference_points == pytest.approx(2.1, abs=POINT)


def test_a_figure_recounted_from_the_answers_equals_the_published_one(
    published: Published,
) -> None:
    traced = run_query(published, "12_trace_a_figure.sql")
    assert set(zip(traced.item_code, traced.measure, strict=True)) == {
        ("career_confidence", "confident")
    }
    assert (traced.answers_meeting == traced.published_numerator).all()
    assert traced.recounted_share.tolist() == pytest.approx(traced.published_share.tolist())
    assert (by(traced, program_code="all").answers_meeting, len(traced)) == (31, 3)


def test_the_release_query_names_the_current_release(published: Published) -> None:
    releases = run_query(published, "00_this_release.sql")
    current = by(releases, is_current=True)
    assert current.release_id == published.release.release_id
    assert bool(current.gate_passed)


def test_the_release_carries_a_docs_site_describing_every_published_table(
    published: Published,
) -> None:
    docs = published.release.directory / "docs"
    assert published.outcome["docs_site"] == str(docs)
    index = (docs / "index.html").read_text(encoding="utf-8")
    # dbt's static site: manifest and catalog are inlined, so it opens offline.
    assert "MANIFEST.JSON INLINE DATA" not in index and "rpt_cumulative_participants" in index
    manifest = json.loads((docs / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((docs / "catalog.json").read_text(encoding="utf-8"))
    documented = {
        (node["schema"], node.get("alias") or node["name"]): node
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
    }
    catalogued = {
        (node["metadata"]["schema"], node["metadata"]["name"]) for node in catalog["nodes"].values()
    }
    with duckdb.connect(str(published.analyst_file), read_only=True) as connection:
        tables = connection.execute(
            "select schema_name, table_name from meta.tables order by all"
        ).fetchall()
        columns = connection.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where schema_name in ('catalog', 'marts', 'reporting')"
        ).fetchall()
    assert tables, "the release lists its tables in meta.tables"
    for schema, table in tables:
        node = documented.get((schema, table))
        assert node is not None, f"{schema}.{table} is missing from the docs"
        assert node["description"].strip(), f"{schema}.{table} has no description"
        assert (schema, table) in catalogued
    for schema, table, column in columns:
        described = documented[(schema, table)]["columns"].get(column, {})
        assert described.get("description", "").strip(), f"{schema}.{table}.{column}"


# Tables that have no FY2026 figures in the demo build: on a release labelled FY2026 (what
# `make demo` publishes in December) their queries fall back to FY2025.
NO_FY2026_FIGURES = (
    "06_short_term_positive_shares.sql",
    "07_pre_post_confidence.sql",
    "08_followup_vs_comparison.sql",
    "09_mommy_track.sql",
    "10_time_use.sql",
    "11_summary.sql",
    "12_trace_a_figure.sql",
)


@pytest.fixture(scope="module")
def next_year_release(published: Published, tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The same build, published as the new fiscal year's release (the May release carries the
    new year before its surveys have run)."""
    copy = tmp_path_factory.mktemp("next_year") / "warehouse.duckdb"
    shutil.copyfile(published.analyst_file, copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute("update meta.releases set fiscal_year = 2026 where is_current")
    return replace(published, analyst_file=copy)


@pytest.mark.parametrize("name", NO_FY2026_FIGURES)
def test_queries_read_the_latest_fiscal_year_with_figures(
    published: Published, next_year_release: Published, name: str
) -> None:
    this_year = run_query(published, name)
    next_year = run_query(next_year_release, name)
    assert len(next_year) > 0
    pd.testing.assert_frame_equal(next_year, this_year)


def test_every_published_column_carries_its_description(published: Published) -> None:
    """persist_docs: an analyst's SQL client shows what each table and column means."""
    with duckdb.connect(str(published.analyst_file), read_only=True) as connection:
        undocumented = connection.execute(
            """
            select schema_name || '.' || table_name || '.' || column_name
            from duckdb_columns()
            where schema_name in ('catalog', 'marts', 'reporting')
                and coalesce(comment, '') = ''
            order by 1
            """
        ).fetchall()
        tables_without = connection.execute(
            """
            select schema_name || '.' || table_name from duckdb_tables()
            where schema_name in ('catalog', 'marts', 'reporting') and coalesce(comment, '') = ''
            """
        ).fetchall()
    assert not tables_without
    assert not undocumented, (
        f"{len(undocumented)} columns without a description: {undocumented[:10]}"
    )
