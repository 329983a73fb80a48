"""The report's 目標の達成状況 (KPI targets) and the data of 経年の推移 (series).

Reads ``reporting.rpt_indicator_targets`` and ``reporting.rpt_indicator_series`` of one
release; nothing is judged or recomputed here (METRICS.md "Indicator targets").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from impact_warehouse.report.cells import Cell, Column, ReportTable, clean
from impact_warehouse.report.i18n import fiscal_year, s
from impact_warehouse.report.rounding import percent

SECTION = "targets"
# Strings keys (strings_<lang>.yaml): status_<status>, not_judged_<reason>.
STATUSES = ("achieved", "not_achieved", "not_judged")
NOT_JUDGED_REASONS = ("no_data", "suppressed", "denominator_below_k")
# ≧ ≦, the JIS forms: the report's embedded font (IPAexGothic) has no ≥ ≤ glyphs.
OPERATOR_JA = {">=": "≧", "<=": "≦"}


@dataclass(frozen=True)
class TargetsSeriesData:
    fiscal_year: int
    targets: pd.DataFrame  # this fiscal year's targets
    series: pd.DataFrame  # every fiscal year up to this one
    measure_labels: dict[tuple[str, str], str]  # (scale_code, measure) → label_ja


_TARGETS = """
    select * from reporting.rpt_indicator_targets where fiscal_year = ?
    order by indicator_code, display_order, wave_type, measure, program_code"""
_SERIES = """
    select * from reporting.rpt_indicator_series where fiscal_year <= ?
    order by indicator_code, display_order, wave_type, measure, program_code, fiscal_year"""


def load_targets_series(
    connection: duckdb.DuckDBPyConnection, fiscal_year: int
) -> TargetsSeriesData:
    return TargetsSeriesData(
        fiscal_year=fiscal_year,
        targets=connection.execute(_TARGETS, [fiscal_year]).df(),
        series=connection.execute(_SERIES, [fiscal_year]).df(),
        measure_labels=_measure_labels(connection),
    )


def _measure_labels(connection: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """Labels of the scales' named measures (catalog.scale_measures, issue 13); a release
    built before that seed existed shows the measure codes."""
    try:
        rows = connection.execute(
            "select scale_code, measure_code, label_ja from catalog.scale_measures"
        ).fetchall()
    except duckdb.CatalogException:
        return {}
    return {(scale, measure): label for scale, measure, label in rows}


def measure_text(data: TargetsSeriesData, scale_code: Any, measure: str) -> str:
    return data.measure_labels.get((str(clean(scale_code)), measure), measure)


def target_text(row: Any) -> str:
    """The target with its direction, e.g. "≧ 70.0%" (METRICS.md "Labels of direction")."""
    return f"{OPERATOR_JA[row.operator]} {percent(row.target_value)}%"


def status_text(row: Any) -> str:
    status = s(f"status_{row.status}")
    reason = clean(row.not_judged_reason)
    if not reason:
        return status
    reason_text = s(f"not_judged_{reason}") if reason in NOT_JUDGED_REASONS else reason
    return s("status_with_reason", status=status, reason=reason_text)


def margin_text(row: Any) -> str | None:
    within = clean(row.is_within_margin)
    if within is None:
        return None
    return s("within_margin") if within else s("outside_margin")


def targets_table(
    data: TargetsSeriesData, *, scale_codes: dict[str, str], program_names: dict[str, str]
) -> ReportTable | None:
    """One row per target of the fiscal year: target with its direction, estimate with its
    interval, status, whether the target is within the interval, and the source."""
    if data.targets.empty:
        return None
    rows, keys = [], []
    for row in data.targets.itertuples(index=False):
        suppressed = bool(row.is_suppressed)
        measure = measure_text(data, scale_codes.get(row.item_code), row.measure)
        rows.append(
            (
                Cell.of(f"{row.indicator_symbol}{row.indicator_content_ja}"),
                Cell.of(
                    s(
                        "target_item",
                        item=row.report_label_ja,
                        wave=row.wave_type_ja,
                        measure=measure,
                    )
                ),
                Cell.of(program_names.get(row.program_code, row.program_code)),
                Cell.of(target_text(row)),
                Cell.of(row.value, suppressed=suppressed),
                Cell.of((row.ci_lower, row.ci_upper), suppressed=suppressed),
                Cell.of(row.denominator, suppressed=suppressed),
                Cell.of(status_text(row)),
                Cell.of(margin_text(row)),
                Cell.of(row.source_ja),
            )
        )
        keys.append(row.indicator_target_key)
    return ReportTable(
        key="15_indicator_targets",
        title_ja=s("table_targets", fiscal_year=fiscal_year(data.fiscal_year)),
        columns=(
            Column(s("col_indicator")),
            Column(s("col_target_item")),
            Column(s("col_population")),
            Column(s("col_target")),
            Column(s("col_estimate"), "percent"),
            Column(s("col_interval"), "interval_percent"),
            Column(s("col_responded"), "count"),
            Column(s("col_judgement")),
            Column(s("col_margin")),
            Column(s("col_data_source")),
        ),
        rows=tuple(rows),
        note_ja=s("note_targets"),
        section=SECTION,
        row_keys=tuple(str(key) for key in keys),
    )
