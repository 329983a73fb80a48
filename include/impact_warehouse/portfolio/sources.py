"""One organisation's current release, read only, and the mapped figures it publishes.

The portfolio reads nothing but what the organisation published: the release folder's
``release.json`` and ``warehouse.duckdb`` (checked against the sha256 the release recorded),
and in it the published table ``reporting.rpt_outcome_results``, whose small cells are
already suppressed (METRICS.md "Small cells"). Of that table it takes the organisation-wide
figure (``program_code = 'all'``, ``population = 'respondents'``) of the release's fiscal
year for each mapped indicator × item × wave type × measure: aggregates with their n and
interval as published, never a participant row. The release's own catalog tables say
whether a mapping names an indicator, item, wave type and measure that exist, and give the
scale's label and the question's wording of that fiscal year, printed beside the figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from impact_warehouse.portfolio.definitions import (
    DIRECTION_JA,
    CommonIndicator,
    Mapping,
    Organisation,
    PortfolioError,
)
from impact_warehouse.publish.files import sha256_of
from impact_warehouse.publish.releases import Release, current_release

PUBLISHED_TABLE = "reporting.rpt_outcome_results"
ORGANISATION_WIDE = {"program_code": "all", "population": "respondents"}
# The published columns a portfolio figure carries: aggregates and their labels only.
FIGURE_COLUMNS: tuple[str, ...] = (
    "fiscal_year",
    "wave_type",
    "wave_type_ja",
    "indicator_code",
    "indicator_symbol",
    "indicator_ja",
    "item_code",
    "report_label_ja",
    "scale_code",
    "measure",
    "measure_label_ja",
    "good_direction",
    "numerator",
    "denominator",
    "value",
    "ci_lower",
    "ci_upper",
    "comparison_denominator",
    "comparison_value",
    "comparison_ci_lower",
    "comparison_ci_upper",
    "difference_points",
    "difference_ci_lower",
    "difference_ci_upper",
    "is_suppressed",
    "suppression_reason",
)
# Beside each figure, from the release's catalog: what the instrument was.
INSTRUMENT_COLUMNS: tuple[str, ...] = ("scale_label_ja", "question_wording_ja")


@dataclass(frozen=True)
class SourceRelease:
    organisation: Organisation
    release: Release
    organisation_name_ja: str
    organisation_name_en: str

    @property
    def fiscal_year(self) -> int:
        """The year compared: portfolio.csv's ``fiscal_year``, else the release's own."""
        return self.organisation.fiscal_year or self.release.fiscal_year


def current_source(organisation: Organisation) -> SourceRelease:
    """The organisation's current release, its file checked against its recorded sha256."""
    code = organisation.organisation_code
    release = current_release(organisation.releases_dir)
    if release is None:
        raise PortfolioError(
            f"団体「{code}」の公開中のリリースが {organisation.releases_dir} にありません。"
            "その団体で impact publish を済ませるか、portfolio.csv の releases_dir を"
            f"直してください({organisation.line} 行目)。",
            f"{code}: no current release in {organisation.releases_dir}",
        )
    if not release.warehouse_path.is_file() or sha256_of(release.warehouse_path) != release.sha256:
        raise PortfolioError(
            f"団体「{code}」のリリース {release.release_id} のファイルが release.json の"
            "記録(sha256)と一致しません。リリースを作り直してもらってください。",
            f"{code}: {release.warehouse_path} does not match sha256 {release.sha256}",
        )
    with open_read_only(release) as connection:
        for relation in READ_RELATIONS:
            _require_table(connection, code, release, relation)
        row = connection.execute(
            "select organisation_code, organisation_name_ja, organisation_name_en "
            "from catalog.organisation"
        ).fetchone()
    if row is None or row[0] != code:
        raise PortfolioError(
            f"portfolio.csv の {organisation.line} 行目は団体「{code}」ですが、"
            f"{organisation.releases_dir} のリリースは団体「{row[0] if row else '?'}」の"
            "ものです。releases_dir を直してください。",
            f"{code}: release {release.release_id} belongs to {row[0] if row else None!r}",
        )
    return SourceRelease(organisation, release, row[1], row[2] or "")


# Relations the portfolio reads from a release. Each must be a table: a view in a release
# file could read the funder's own files (read_text, read_csv) into the portfolio.
READ_RELATIONS = (
    "catalog.organisation",
    "catalog.indicators",
    "catalog.item_indicators",
    "catalog.items",
    "catalog.scale_measures",
    "catalog.scales",
    "catalog.item_wordings",
    PUBLISHED_TABLE,
)
# An organisation's release is another party's file: opened with no access to files, network
# or extensions, and settings the file cannot change back.
_LOCKED_DOWN = {
    "enable_external_access": "false",
    "autoinstall_known_extensions": "false",
    "autoload_known_extensions": "false",
    "lock_configuration": "true",
}


def open_read_only(release: Release) -> duckdb.DuckDBPyConnection:
    """A connection to ``release``'s file that reads it and nothing else (any reader of
    another party's release uses this one: the portfolio, the PostgreSQL access loader)."""
    return duckdb.connect(str(release.warehouse_path), read_only=True, config=dict(_LOCKED_DOWN))


def _require_table(
    connection: duckdb.DuckDBPyConnection, code: str, release: Release, qualified: str
) -> None:
    schema, table = qualified.split(".")
    (found,) = connection.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    if not found:
        raise PortfolioError(
            f"団体「{code}」のリリース {release.release_id} に公開表 {qualified} がありません。"
            "集計表を公開している新しいリリースを作ってもらってください。",
            f"{code}: release {release.release_id} has no table {qualified}",
        )


def check_mappings(
    source: SourceRelease,
    mappings: tuple[Mapping, ...],
    common: dict[str, CommonIndicator],
) -> None:
    """Refuse a mapping the release cannot answer: an unknown indicator, item, wave type or
    measure, or a measure whose good direction differs from the common indicator's."""
    path = source.organisation.mapping_path
    catalog = _release_catalog(source.release)
    for mapping in mappings:
        _check_mapping(mapping, path, catalog, common)


@dataclass(frozen=True)
class _ReleaseCatalog:
    """What a release's catalog lets a mapping name."""

    indicators: set[str]
    fed: set[tuple[str, str, str]]  # (item_code, wave_type, indicator_code)
    measures: dict[tuple[str, str], str]  # (item_code, measure_code) → good_direction


def _release_catalog(release: Release) -> _ReleaseCatalog:
    """The release's indicators, item-indicator links and item measures, read once."""
    with open_read_only(release) as connection:
        indicators = {
            row[0]
            for row in connection.execute(
                "select indicator_code from catalog.indicators"
            ).fetchall()
        }
        fed = set(
            connection.execute(
                "select item_code, wave_type, indicator_code from catalog.item_indicators"
            ).fetchall()
        )
        measures = dict(
            ((item, measure), direction)
            for item, measure, direction in connection.execute(
                "select items.item_code, measures.measure_code, measures.good_direction "
                "from catalog.items as items inner join catalog.scale_measures as measures "
                "on items.scale_code = measures.scale_code"
            ).fetchall()
        )
    return _ReleaseCatalog(indicators, fed, measures)


def _check_mapping(
    mapping: Mapping, path: Path, catalog: _ReleaseCatalog, common: dict[str, CommonIndicator]
) -> None:
    """Refuse one mapping line the release cannot answer (see :func:`check_mappings`)."""
    indicators, fed, measures = catalog.indicators, catalog.fed, catalog.measures
    where = f"{path} の {mapping.line} 行目"
    if mapping.indicator_code not in indicators:
        raise PortfolioError(
            f"{where}: 指標「{mapping.indicator_code}」はこの団体の indicators.csv に"
            "ありません。indicators.csv の indicator_code から選んでください。",
            f"{path} line {mapping.line}: unknown indicator {mapping.indicator_code!r}",
        )
    if (mapping.item_code, mapping.wave_type, mapping.indicator_code) not in fed:
        raise PortfolioError(
            f"{where}: 設問「{mapping.item_code}」の {mapping.wave_type} 調査は指標"
            f"「{mapping.indicator_code}」の数字ではありません。item_indicators.csv に"
            "ある組み合わせにしてください。",
            f"{path} line {mapping.line}: ({mapping.item_code}, {mapping.wave_type}) "
            f"does not feed {mapping.indicator_code}",
        )
    direction = measures.get((mapping.item_code, mapping.measure))
    if direction is None:
        known = sorted(measure for item, measure in measures if item == mapping.item_code)
        raise PortfolioError(
            f"{where}: 「{mapping.measure}」は設問「{mapping.item_code}」の尺度の割合に"
            f"ありません。scale_measures.csv の measure_code({', '.join(known)})から"
            "選んでください。",
            f"{path} line {mapping.line}: unknown measure {mapping.measure!r} "
            f"for {mapping.item_code} (known: {', '.join(known)})",
        )
    wanted = common[mapping.common_indicator_code].good_direction
    if direction != wanted:
        raise PortfolioError(
            f"{where}: 「{mapping.measure}」は{DIRECTION_JA[direction]}割合ですが、"
            f"共通指標「{mapping.common_indicator_code}」は{DIRECTION_JA[wanted]}指標です。"
            "向きの同じ割合を選ぶか、別の共通指標に対応させてください。",
            f"{path} line {mapping.line}: measure {mapping.measure!r} is "
            f"{direction}-is-better, common indicator is {wanted}-is-better",
        )


def mapped_figures(source: SourceRelease, mappings: tuple[Mapping, ...]) -> list[dict[str, Any]]:
    """One published figure per mapping, as the release holds it (suppressed cells empty)."""
    release = source.release
    columns = ", ".join(f"results.{column}" for column in FIGURE_COLUMNS)
    figures = []
    with open_read_only(release) as connection:
        for mapping in mappings:
            rows = connection.execute(
                f"""
                select {columns}, scales.label_ja, wordings.wording_ja
                from {PUBLISHED_TABLE} as results
                left join catalog.scales as scales on results.scale_code = scales.scale_code
                left join catalog.item_wordings as wordings
                    on results.item_code = wordings.item_code
                    and results.fiscal_year >= wordings.valid_from_fy
                    and results.fiscal_year <= coalesce(wordings.valid_to_fy, results.fiscal_year)
                where results.fiscal_year = ? and results.program_code = ?
                    and results.population = ? and results.indicator_code = ?
                    and results.item_code = ? and results.wave_type = ? and results.measure = ?
                """,
                [
                    source.fiscal_year,
                    ORGANISATION_WIDE["program_code"],
                    ORGANISATION_WIDE["population"],
                    mapping.indicator_code,
                    mapping.item_code,
                    mapping.wave_type,
                    mapping.measure,
                ],
            ).fetchall()
            if len(rows) != 1:
                raise PortfolioError(
                    f"{source.organisation.mapping_path} の {mapping.line} 行目: リリース "
                    f"{release.release_id} には {source.fiscal_year} 年度の団体全体の数字"
                    f"({mapping.item_code} / {mapping.wave_type} / {mapping.measure})が"
                    f"{'ありません' if not rows else '複数あります'}。その年度に調査したか"
                    "確かめるか、portfolio.csv の fiscal_year で比べる年度を選んでください。",
                    f"{source.organisation.organisation_code}: {len(rows)} rows in "
                    f"{PUBLISHED_TABLE} for FY{source.fiscal_year} {mapping}",
                )
            figures.append(dict(zip(FIGURE_COLUMNS + INSTRUMENT_COLUMNS, rows[0], strict=True)))
    return figures
