"""Read one fiscal year's reporting tables (``reporting.rpt_*``) from a published release.

Every figure in the report comes from these queries; nothing is recomputed here, so the
report shows exactly the published cells, suppression included (METRICS.md "Small cells").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from impact_warehouse.catalog import Organisation, load_catalog
from impact_warehouse.catalog.organisation import read_organisation
from impact_warehouse.settings import BUILTIN_CATALOG_DIR


class FiscalYearMissingError(LookupError):
    """The release holds no figures for the fiscal year asked for."""


@dataclass(frozen=True)
class ReportData:
    """The reporting rows of one fiscal year, each frame in report order."""

    fiscal_year: int
    outputs: pd.DataFrame
    employment: pd.DataFrame
    support_measures: pd.DataFrame
    cumulative: pd.DataFrame
    waves: pd.DataFrame
    # Every outcome figure of the year (rpt_outcome_results): the outcome sections select
    # and format these rows; what the sections are comes from the catalog frames below.
    outcome_results: pd.DataFrame
    time_use: pd.DataFrame
    summary: pd.DataFrame
    programs: pd.DataFrame
    indicators: pd.DataFrame
    item_indicators: pd.DataFrame
    items: pd.DataFrame
    organisation: Organisation
    scales: pd.DataFrame
    scale_measures: pd.DataFrame
    scale_labels: pd.DataFrame
    wave_types: pd.DataFrame
    item_sections: pd.DataFrame
    # Items whose yes allows quoting free text (voice_codebook.csv): not an outcome, so no
    # item section of their own (outcome_plan.item_sections).
    consent_items: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["item_code"]))


_QUERIES: dict[str, str] = {
    "outputs": """
        select * from reporting.rpt_outputs where fiscal_year = $fy
        order by program_code = 'all', category_ja, program_code""",
    "employment": """
        select * from reporting.rpt_outputs_employment where fiscal_year = $fy
        order by display_order, program_group_code""",
    "support_measures": """
        select * from reporting.rpt_support_measures where fiscal_year = $fy
        order by display_order, program_code""",
    # The cumulative chart runs from the first fiscal year up to the report's, not beyond.
    "cumulative": """
        select * from reporting.rpt_cumulative_participants where fiscal_year <= $fy
        order by fiscal_year, program_code""",
    # Response rates per wave (METRICS.md "Response rate"): the report's survey overviews.
    "waves": """
        select w.wave_code, w.wave_type, w.wave_type_ja, w.program_code, w.open_date,
               w.close_date, w.targeted_population_ja, r.targeted, r.responded,
               r.respondents, r.response_rate
        from marts.dim_waves as w
        left join marts.fct_response_rates as r
          on r.wave_code = w.wave_code and r.breakdown_level = 'all'
        where w.fiscal_year = $fy
        order by case w.wave_type when 'pre' then 1 when 'post' then 2
                 when 'followup' then 3 else 4 end, w.program_code nulls last, w.wave_code""",
    "outcome_results": """
        select * from reporting.rpt_outcome_results where fiscal_year = $fy
        order by program_code <> 'all', program_code, display_order, item_code,
                 case wave_type when 'pre' then 1 when 'post' then 2 when 'followup' then 3
                 else 4 end, measure_display_order, measure""",
    "time_use": """
        select * from reporting.rpt_time_use where fiscal_year = $fy
        order by case respondent_group when 'followup' then 1 when 'comparison' then 2
                 else 3 end""",
    "summary": """
        select * from reporting.rpt_summary where fiscal_year = $fy
        order by indicator_code, display_order, figure_code""",
    "programs": "select * from catalog.programs order by program_code",
    "indicators": "select * from catalog.indicators order by indicator_code",
    "item_indicators": "select * from catalog.item_indicators order by indicator_code, item_code",
    "items": "select * from catalog.items order by display_order, item_code",
    "scales": "select * from catalog.scales order by scale_code",
    "scale_measures": """
        select * from catalog.scale_measures order by scale_code, display_order, measure_code""",
    "scale_labels": "select * from catalog.scale_labels order by scale_code, value_code desc",
    "wave_types": "select * from catalog.wave_types",
    "item_sections": "select * from catalog.item_sections order by display_order, section_code",
    "consent_items": """
        select distinct consent_item_code as item_code from catalog.voice_codebook
        where consent_item_code is not null order by 1""",
}
# A catalog may leave these seeds out (a catalog with no "challenges" sections has no
# item_sections.csv): the report then reads them as empty, with these columns.
_OPTIONAL_TABLES: dict[str, tuple[str, list[str]]] = {
    "item_sections": (
        "catalog.item_sections",
        ["section_code", "section_ja", "lead_ja", "display_order"],
    ),
    "consent_items": ("catalog.voice_codebook", ["item_code"]),
}


def _has_table(connection: duckdb.DuckDBPyConnection, qualified_name: str) -> bool:
    schema, table = qualified_name.split(".")
    return bool(
        connection.execute(
            "select count(*) from information_schema.tables"
            " where table_catalog = current_database() and table_schema = ?"
            " and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _frame(
    connection: duckdb.DuckDBPyConnection, name: str, query: str, fiscal_year: int
) -> pd.DataFrame:
    if name in _OPTIONAL_TABLES:
        table, columns = _OPTIONAL_TABLES[name]
        if not _has_table(connection, table):
            return pd.DataFrame(columns=columns)
    parameters = [fiscal_year] * query.count("$fy")
    return connection.execute(query.replace("$fy", "?"), parameters).df().reset_index(drop=True)


def available_fiscal_years(connection: duckdb.DuckDBPyConnection) -> list[int]:
    """Fiscal years with outputs in the release (a year that ran at least one program)."""
    rows = connection.execute(
        "select distinct fiscal_year from reporting.rpt_outputs order by 1"
    ).fetchall()
    return [int(year) for (year,) in rows]


def load_report_data(connection: duckdb.DuckDBPyConnection, fiscal_year: int) -> ReportData:
    years = available_fiscal_years(connection)
    if fiscal_year not in years:
        raise FiscalYearMissingError(
            f"{fiscal_year}年度のデータがこのリリースにありません。"
            f" (fiscal year {fiscal_year} not in reporting.rpt_outputs; years: {years})"
        )
    frames = {
        name: _frame(connection, name, query, fiscal_year) for name, query in _QUERIES.items()
    }
    return ReportData(fiscal_year=fiscal_year, organisation=load_organisation(connection), **frames)


def load_organisation(connection: duckdb.DuckDBPyConnection) -> Organisation:
    """The profile the release was built with (``catalog.organisation``), checked as the seed is.

    A release built before the profile existed has no such table: it was Mamabono's, and the
    project's own seed says so.
    """
    try:
        frame = connection.execute("select * from catalog.organisation").df()
    except duckdb.CatalogException:
        return load_catalog(BUILTIN_CATALOG_DIR).organisation
    rows = [
        (line, {column: "" if pd.isna(value) else str(value) for column, value in row.items()})
        for line, row in enumerate(frame.to_dict("records"), start=2)
    ]
    return read_organisation("catalog.organisation", rows)
