"""The funder's portfolio, built from two organisations' published releases.

Done when (issue 16): the portfolio release equals an independent computation from the two
releases. Here that computation is plain DuckDB SQL over the two published files and the
mapping CSVs, with none of the portfolio package's code; then: no participant-level column
or value in the portfolio file, the manifest names each source release and its sha256, a bad
mapping or a missing release is refused in Japanese and writes nothing, and the report shows
both organisations with the caveats beside each comparison.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from portfolio_sources import Sources, write_funder_folder

from impact_warehouse.cli import main
from impact_warehouse.portfolio import (
    PortfolioError,
    PortfolioRelease,
    build_portfolio,
    read_portfolio,
)

# The end-to-end tier (make test-all): two releases built and published, then the portfolio
pytestmark = pytest.mark.slow

FIGURE_COLUMNS = """
    fiscal_year, wave_type, wave_type_ja, indicator_code, indicator_symbol, indicator_ja,
    item_code, report_label_ja, scale_code, measure, measure_label_ja, good_direction,
    numerator, denominator, value, ci_lower, ci_upper, comparison_denominator,
    comparison_value, comparison_ci_lower, comparison_ci_upper, difference_points,
    difference_ci_lower, difference_ci_upper, is_suppressed, suppression_reason
"""
PARTICIPANT_COLUMN = re.compile(
    r"participant|respondent|pseudonym|email|phone|response_id|submission|answer|person", re.I
)


@dataclass(frozen=True)
class Built:
    folder: Path
    release: PortfolioRelease


@pytest.fixture(scope="module")
def built(sources: Sources, tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = write_funder_folder(tmp_path_factory.mktemp("funder"), sources.both)
    releases_dir = tmp_path_factory.mktemp("portfolio-releases")
    return Built(folder, build_portfolio(read_portfolio(folder), releases_dir))


def _independent_figures(organisation_code: str, releases_dir: Path, mapping: Path) -> list:
    """The organisation-wide published figures the mapping names, straight from the file."""
    (release_id,) = (releases_dir / "CURRENT").read_text(encoding="utf-8").split()
    published = releases_dir / release_id / "warehouse.duckdb"
    with duckdb.connect(str(published), read_only=True) as connection:
        return connection.execute(
            f"""
            with mapping as (
                select * from read_csv('{mapping}', header = true, all_varchar = true)
            ),
            release as (select fiscal_year from meta.releases where is_current)
            select '{organisation_code}', mapping.common_indicator_code, {FIGURE_COLUMNS},
                scales.label_ja, wordings.wording_ja, mapping.note_ja, mapping.note_en
            from reporting.rpt_outcome_results as results
            inner join mapping using (indicator_code, item_code, wave_type, measure)
            inner join catalog.scales as scales using (scale_code)
            inner join catalog.item_wordings as wordings using (item_code)
            where results.fiscal_year = (select fiscal_year from release)
                and results.fiscal_year
                    between wordings.valid_from_fy and coalesce(wordings.valid_to_fy, 9999)
                and results.program_code = 'all' and results.population = 'respondents'
            """
        ).fetchall()


def test_the_portfolio_equals_a_computation_straight_from_the_two_releases(
    sources: Sources, built: Built
) -> None:
    expected = sorted(
        row
        for source in sources.both
        for row in _independent_figures(
            source.organisation_code,
            source.releases_dir,
            source.catalog_dir / "portfolio" / "shared_indicators.csv",
        )
    )
    with duckdb.connect(str(built.release.database_path), read_only=True) as connection:
        actual = sorted(
            connection.execute(
                f"select organisation_code, common_indicator_code, {FIGURE_COLUMNS}, "
                "scale_label_ja, question_wording_ja, note_ja, note_en "
                "from portfolio.indicator_figures"
            ).fetchall()
        )
    assert actual == expected
    # Every mapping row found its figure: 3 for Mamabono, 4 for the example organisation.
    assert len(actual) == 7
    assert {(row[0], row[1]) for row in actual} >= {
        ("service_grant", "self_efficacy"),
        ("hataraku_mirai", "self_efficacy"),
        ("hataraku_mirai", "loneliness"),
    }


def test_the_manifest_names_each_source_release_and_its_sha256(
    sources: Sources, built: Built
) -> None:
    manifest = json.loads((built.release.directory / "portfolio.json").read_text("utf-8"))
    named = {source["organisation_code"]: source for source in manifest["sources"]}
    for source in sources.both:
        entry = named[source.organisation_code]
        assert entry["release_id"] == source.release.release_id
        published = source.releases_dir / source.release.release_id / "warehouse.duckdb"
        assert entry["sha256"] == hashlib.sha256(published.read_bytes()).hexdigest()
    assert (
        manifest["sha256"] == hashlib.sha256(built.release.database_path.read_bytes()).hexdigest()
    )
    assert manifest["tables"] == {
        "organisations": 2,
        "common_indicators": 4,
        "indicator_figures": 7,
    }
    parquet = sorted(path.name for path in (built.release.directory / "parquet").iterdir())
    assert parquet == [f"portfolio.{table}.parquet" for table in sorted(manifest["tables"])]
    pointer = (built.release.directory.parent / "CURRENT").read_text("utf-8").strip()
    assert pointer == built.release.portfolio_id
    assert not list(built.release.directory.parent.glob(".building-*"))


def test_no_participant_level_column_or_identifier_in_the_portfolio_file(
    sources: Sources, built: Built
) -> None:
    with duckdb.connect(str(built.release.database_path), read_only=True) as connection:
        tables = connection.execute(
            "select schema_name, table_name from duckdb_tables() order by 1, 2"
        ).fetchall()
        columns = connection.execute(
            "select table_name, column_name, data_type from duckdb_columns() "
            "where database_name = current_database()"
        ).fetchall()
        texts = {
            value
            for table, column, data_type in columns
            if data_type == "VARCHAR"
            for (value,) in connection.execute(
                f'select distinct "{column}" from portfolio."{table}"'
            ).fetchall()
            if value is not None
        }
        smallest = connection.execute(
            "select min(denominator) from portfolio.indicator_figures where not is_suppressed"
        ).fetchone()[0]
    assert tables == [
        ("portfolio", "common_indicators"),
        ("portfolio", "indicator_figures"),
        ("portfolio", "organisations"),
    ]
    assert [column for _, column, _ in columns if PARTICIPANT_COLUMN.search(column)] == []
    assert smallest >= 5  # organisation-wide shares only: no small cell
    with duckdb.connect(str(sources.audit_db), read_only=True) as audit:
        keys = {
            str(value)
            for (value,) in audit.execute(
                "select distinct participant_key from marts.dim_participants"
            ).fetchall()
        }
    assert keys and not keys & texts


def test_dbt_does_not_seed_the_catalogs_mapping(sources: Sources) -> None:
    with duckdb.connect(str(sources.audit_db), read_only=True) as connection:
        tables = {
            row[0]
            for row in connection.execute("select table_name from duckdb_tables()").fetchall()
        }
    assert "shared_indicators" not in tables and "rpt_outcome_results" in tables


def _check(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["portfolio", "check", str(folder)])
    return code, capsys.readouterr().out


def _catalog_with_mapping(root: Path, source_catalog: Path, edit: Callable[[str], str]) -> Path:
    catalog = root / "catalog"
    (catalog / "portfolio").mkdir(parents=True)
    text = (source_catalog / "portfolio" / "shared_indicators.csv").read_text("utf-8")
    (catalog / "portfolio" / "shared_indicators.csv").write_text(edit(text), "utf-8")
    return catalog


def _duplicate_first_row(text: str) -> str:
    lines = text.splitlines()
    return "\n".join([*lines, lines[1]]) + "\n"


@pytest.mark.parametrize(
    ("edit", "japanese"),
    [
        (lambda text: text.replace("I07,", "I99,"), "指標「I99」はこの団体の indicators.csv に"),
        (
            lambda text: text.replace("post,confident", "post,very_confident"),
            "「very_confident」は設問「career_confidence」の尺度の割合にありません",
        ),
        (_duplicate_first_row, "共通指標「self_efficacy」への対応が2行あります"),
        (
            lambda text: text.replace("self_efficacy,", "resilience,"),
            "共通指標「resilience」は common_indicators.csv にありません",
        ),
        (
            lambda text: text.replace("post,confident", "post,high").replace(
                "self_efficacy,", "loneliness,"
            ),
            "共通指標「loneliness」は低いほどよい指標です",
        ),
        (
            lambda text: text.replace('"Top 2 of 4', "Top 2 of 4").replace('peers."', "peers."),
            "見出しより値が多くあります",
        ),
    ],
    ids=[
        "unknown-indicator",
        "unknown-measure",
        "duplicate",
        "unknown-common",
        "direction",
        "unquoted-comma",
    ],
)
def test_a_bad_mapping_is_refused_in_japanese_with_its_file_and_line(
    sources: Sources,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: Callable[[str], str],
    japanese: str,
) -> None:
    catalog = _catalog_with_mapping(tmp_path, sources.mamabono.catalog_dir, edit)
    folder = write_funder_folder(
        tmp_path / "funder", [("service_grant", catalog, sources.mamabono.releases_dir)]
    )
    code, output = _check(folder, capsys)
    assert code == 1
    assert output.startswith("エラー: ")
    assert japanese in output
    assert "shared_indicators.csv の" in output and "行目" in output
    releases = tmp_path / "portfolio-releases"
    with pytest.raises(PortfolioError):
        build_portfolio(read_portfolio(folder), releases)
    assert not releases.exists() or not any(releases.iterdir())


def test_an_organisation_without_a_current_release_is_refused(
    sources: Sources, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_funder_folder(
        tmp_path / "funder",
        [sources.mamabono, ("hataraku_mirai", sources.example.catalog_dir, tmp_path / "none")],
    )
    code, output = _check(folder, capsys)
    assert code == 1
    assert "団体「hataraku_mirai」の公開中のリリース" in output
    assert "impact publish" in output


def test_a_release_without_the_published_table_is_refused(
    sources: Sources, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    releases = tmp_path / "releases"
    release_id = sources.example.release.release_id
    shutil.copytree(sources.example.releases_dir / release_id, releases / release_id)
    warehouse = releases / release_id / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("drop table reporting.rpt_outcome_results")
    record = json.loads((releases / release_id / "release.json").read_text("utf-8"))
    record["sha256"] = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    (releases / release_id / "release.json").write_text(json.dumps(record), "utf-8")
    (releases / "CURRENT").write_text(release_id + "\n", "utf-8")
    folder = write_funder_folder(
        tmp_path / "funder", [("hataraku_mirai", sources.example.catalog_dir, releases)]
    )
    code, output = _check(folder, capsys)
    assert code == 1
    assert "公開表 reporting.rpt_outcome_results がありません" in output


def test_a_release_that_does_not_match_its_recorded_sha256_is_refused(
    sources: Sources, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    releases = tmp_path / "releases"
    release_id = sources.example.release.release_id
    shutil.copytree(sources.example.releases_dir / release_id, releases / release_id)
    with (releases / release_id / "warehouse.duckdb").open("ab") as handle:
        handle.write(b"\0")
    (releases / "CURRENT").write_text(release_id + "\n", "utf-8")
    folder = write_funder_folder(
        tmp_path / "funder", [("hataraku_mirai", sources.example.catalog_dir, releases)]
    )
    code, output = _check(folder, capsys)
    assert code == 1
    assert "記録(sha256)と一致しません" in output


def _report_text(path: Path) -> str:
    page = path.read_text("utf-8")
    return html.unescape(
        re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S))
    )


def test_the_report_compares_both_organisations_with_the_caveats_beside_them(
    sources: Sources, built: Built
) -> None:
    page = built.release.report_path.read_text("utf-8")
    text = _report_text(built.release.report_path)
    assert "認定NPO法人サービスグラント" in text and "NPO法人はたらくみらい(架空)" in text
    for source in sources.both:
        mapping = source.catalog_dir / "portfolio" / "shared_indicators.csv"
        with duckdb.connect() as connection:
            notes = connection.execute(
                f"select note_ja from read_csv('{mapping}', header = true, all_varchar = true)"
            ).fetchall()
        for (note,) in notes:
            assert note in text
    # The questions as asked, beside the figures (the example's wording, Mamabono's of FY2025).
    assert "自分に合った仕事を探して応募できるという自信がある" in text
    assert "自分らしいキャリアを歩んでいけるという自信はどのくらい" in text
    section = page.split('data-common-indicator="self_efficacy"')[1].split("</section>")[0]
    assert section.count("<tr data-organisation=") == 2
    assert "団体によって尺度が違います" in _report_text_of(section)
    assert "95%信頼区間" in text and "低いほどよい" in text
    # Offline: nothing fetched (the only URL is the SVG namespace).
    assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) <= {"http://www.w3.org/2000/svg"}


def _report_text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_the_cli_builds_a_portfolio_and_writes_its_report_again(
    built: Built,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path / "work"))
    killed = tmp_path / "work" / "portfolio" / "releases" / ".building-0badf00d"
    killed.mkdir(parents=True)  # what a build killed mid-way leaves
    assert main(["portfolio", "build", str(built.folder)]) == 0
    assert not killed.exists()
    output = capsys.readouterr().out
    assert "ポートフォリオ P-" in output and "service_grant: リリース" in output
    out = tmp_path / "again.html"
    assert main(["portfolio", "report", "--out", str(out)]) == 0
    assert "NPO法人はたらくみらい(架空)" in _report_text(out)


def _tampered_copy(sources: Sources, tmp_path: Path, statements: list[str]) -> Path:
    """The example's release copied, changed by ``statements``, its sha256 re-recorded (as
    whoever makes a release can), and made current; returns a funder folder naming it."""
    releases = tmp_path / "releases"
    release_id = sources.example.release.release_id
    shutil.copytree(sources.example.releases_dir / release_id, releases / release_id)
    warehouse = releases / release_id / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        for statement in statements:
            connection.execute(statement)
    record = json.loads((releases / release_id / "release.json").read_text("utf-8"))
    record["sha256"] = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    (releases / release_id / "release.json").write_text(json.dumps(record), "utf-8")
    (releases / "CURRENT").write_text(release_id + "\n", "utf-8")
    return write_funder_folder(
        tmp_path / "funder", [("hataraku_mirai", sources.example.catalog_dir, releases)]
    )


def test_a_release_cannot_read_the_funders_files_into_the_portfolio(
    sources: Sources, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "funder-secret.env"
    secret.write_text("SECRET=hunter2\n", "utf-8")
    folder = _tampered_copy(
        sources,
        tmp_path,
        [
            "create table catalog.item_wordings_base as select * from catalog.item_wordings",
            "drop table catalog.item_wordings",
            "create view catalog.item_wordings as select base.* replace (secret.content as "
            f"wording_ja) from catalog.item_wordings_base as base, read_text('{secret}') as secret",
        ],
    )
    code, output = _check(folder, capsys)
    assert code == 1
    assert "公開表 catalog.item_wordings がありません" in output
    assert "hunter2" not in output
    # Even read directly, the locked-down connection refuses the file.
    from impact_warehouse.portfolio.sources import _LOCKED_DOWN

    with duckdb.connect(config=dict(_LOCKED_DOWN)) as connection, pytest.raises(duckdb.Error):
        connection.execute(f"select content from read_text('{secret}')").fetchall()


def test_a_suppressed_mapped_figure_is_shown_as_suppressed_not_a_crash(
    sources: Sources, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What a small organisation publishes: every share suppressed, denominators withheld.
    folder = _tampered_copy(
        sources,
        tmp_path,
        [
            "update reporting.rpt_outcome_results set is_suppressed = true, "
            "suppression_reason = 'denominator_below_k', numerator = null, denominator = null, "
            "value = null, ci_lower = null, ci_upper = null",
        ],
    )
    releases = tmp_path / "portfolio-releases"
    release = build_portfolio(read_portfolio(folder), releases)
    text = _report_text(release.report_path)
    assert "NPO法人はたらくみらい(架空)" in text
    with duckdb.connect(str(release.database_path), read_only=True) as connection:
        shown = connection.execute(
            "select count(*), count(value), count(denominator), bool_and(is_suppressed) "
            "from portfolio.indicator_figures"
        ).fetchone()
    assert shown[0] > 0 and shown[1:] == (0, 0, True)


def _with_fiscal_year(folder: Path, year: str) -> Path:
    """``folder``'s portfolio.csv with a fiscal_year column holding ``year`` on every row."""
    path = folder / "portfolio.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join([f"{header},fiscal_year", *(f"{row},{year}" for row in rows)]) + "\n",
        encoding="utf-8",
    )
    return folder


def test_portfolio_csv_chooses_the_fiscal_year_compared(
    sources: Sources, built: Built, tmp_path: Path
) -> None:
    """Each release holds every year: a funder compares the year it names, not whichever
    year an organisation released last; a year without figures is refused in Japanese."""
    with duckdb.connect(str(built.release.database_path), read_only=True) as connection:
        (released_year,) = connection.execute(
            "select distinct fiscal_year from portfolio.indicator_figures"
        ).fetchone()
    same = _with_fiscal_year(write_funder_folder(tmp_path / "same", sources.both), released_year)
    again = build_portfolio(read_portfolio(same), tmp_path / "same-releases")
    with duckdb.connect(str(again.database_path), read_only=True) as connection:
        assert connection.execute(
            "select count(*), min(fiscal_year), max(fiscal_year) from portfolio.indicator_figures"
        ).fetchone() == (7, released_year, released_year)

    before = _with_fiscal_year(write_funder_folder(tmp_path / "before", sources.both), "1999")
    with pytest.raises(PortfolioError, match="FY1999") as missing:
        build_portfolio(read_portfolio(before), tmp_path / "before-releases")
    assert "1999 年度の団体全体の数字" in missing.value.message_ja
    wrong = _with_fiscal_year(write_funder_folder(tmp_path / "wrong", sources.both), "FY25")
    with pytest.raises(PortfolioError, match="is not a year") as refused:
        read_portfolio(wrong)
    assert "年度(例 2025)ではありません" in refused.value.message_ja
