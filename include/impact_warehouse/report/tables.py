"""The report's tables, built from the reporting rows of one fiscal year: the outputs and
survey tables here, the outcome tables by the module of their kind of section.

Each builder returns a :class:`ReportTable` in report order; the HTML page, the CSV files and
the XLSX workbook are all written from these objects, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd

from impact_warehouse.report.cells import Cell, Column, ReportTable, clean, make_table
from impact_warehouse.report.comparison import comparison_table
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.distribution import distribution_tables
from impact_warehouse.report.i18n import fiscal_year, s
from impact_warehouse.report.labels import program_name
from impact_warehouse.report.outcome_plan import OutcomeSection
from impact_warehouse.report.pre_post import pre_post_tables
from impact_warehouse.report.summary import summary_table
from impact_warehouse.report.time_use import time_use_table


def _rows(frame: pd.DataFrame) -> Iterable[Any]:
    return frame.itertuples(index=False)


def outputs_table(data: ReportData) -> ReportTable:
    columns = [
        Column(s("col_category")),
        Column(s("col_program")),
        Column(s("col_cohorts_run"), "count"),
        Column(s("col_projects"), "count"),
        Column(s("col_participations"), "count"),
        Column(s("col_participants"), "count"),
        Column(s("col_organisations"), "count"),
        Column(s("col_multi_person_projects"), "count"),
    ]
    rows = []
    for row in _rows(data.outputs):
        hidden = bool(row.is_suppressed)
        rows.append(
            [
                Cell.of(row.category_ja if row.program_code != "all" else s("total")),
                Cell.of(
                    row.program_name_ja if row.program_code != "all" else s("all_programs_row")
                ),
                Cell.of(row.cohorts_run),
                Cell.of(row.projects),
                Cell.of(row.participations, suppressed=hidden),
                Cell.of(row.participants, suppressed=hidden),
                Cell.of(row.organisations),
                Cell.of(row.multi_person_projects),
            ]
        )
    return make_table(
        "outputs",
        s("table_outputs", fiscal_year=fiscal_year(data.fiscal_year)),
        "outputs",
        columns,
        rows,
        s("note_outputs"),
        keys=data.outputs.outputs_key,
    )


def employment_table(data: ReportData) -> ReportTable:
    # One column per program group of programs.csv (Mamabono: ママボノ and NEXT), then 合計.
    headers = {**_group_headers(data), "all": s("total")}
    groups = list(headers)
    columns = [Column(s("col_employment_status"))] + [Column(headers[g], "count") for g in groups]
    frame = data.employment
    rows = []
    keys = []
    for _, status_rows in frame.groupby("display_order", sort=True):
        keys.append(f"{data.fiscal_year}|{status_rows.employment_status_code.iloc[0]}")
        by_group = status_rows.set_index("program_group_code")
        cells = [Cell.of(status_rows.employment_status_ja.iloc[0])]
        for group in groups:
            if group not in by_group.index:
                cells.append(Cell.of(None))
                continue
            row = by_group.loc[group]
            cells.append(Cell.of(row.participations, suppressed=bool(row.is_suppressed)))
        rows.append(cells)
    totals = [Cell.of(s("total"))]
    for group in groups:
        group_rows = frame[frame.program_group_code == group]
        if group_rows.empty:
            totals.append(Cell.of(None))
            continue
        first = group_rows.iloc[0]
        totals.append(Cell.of(first.group_participations, suppressed=bool(first.is_suppressed)))
    rows.append(totals)
    return make_table(
        "employment",
        s("table_employment", fiscal_year=fiscal_year(data.fiscal_year)),
        "outputs",
        columns,
        rows,
        s("note_employment") + _group_notes(data),
        keys=[*keys, f"{data.fiscal_year}|total"],
    )


def _group_headers(data: ReportData) -> dict[str, str]:
    """Program group → its column header (short name, else name), in programs order."""
    programs = data.programs.drop_duplicates("program_group_code")
    headers = programs.program_group_short_ja.fillna(programs.program_group_name_ja)
    return dict(zip(programs.program_group_code, headers, strict=True))


def _group_notes(data: ReportData) -> str:
    """What each group of several programs adds up ("NEXT は社会調査編と …の合計。")."""
    headers = _group_headers(data)
    notes = []
    for code, group in data.programs.groupby("program_group_code", sort=False):
        if len(group) < 2:
            continue
        first = group.iloc[0]
        header = headers[code]
        # Program names repeat the group's name ("ママボノNEXT 社会調査編"): drop it here.
        names = [
            name.removeprefix(first.program_group_name_ja).strip() for name in group.program_name_ja
        ]
        notes.append(s("group_note", header=header, names=s("group_note_separator").join(names)))
    return "".join(notes)


def support_measures_table(data: ReportData) -> ReportTable:
    columns = [
        Column(s("col_measure")),
        Column(s("col_count"), "count"),
        Column(s("col_share"), "percent"),
        Column(s("col_breakdown")),
    ]
    frame = data.support_measures
    rows = []
    keys = []
    if not frame.empty:
        first = frame.iloc[0]
        keys.append(f"{data.fiscal_year}|multi_person_projects")
        rows.append(
            [
                Cell.of(s("multi_person_opportunities")),
                Cell.of(first.multi_person_projects_of_year),
                Cell.of(first.multi_person_project_share_of_year),
                Cell.of(s("of_projects", projects=int(first.projects_of_year))),
            ]
        )
    for _, type_rows in frame.groupby("display_order", sort=True):
        total = type_rows[type_rows.program_code == "all"]
        parts = type_rows[type_rows.program_code != "all"]
        breakdown = s("breakdown_separator").join(
            s(
                "measures_of_program",
                program=program_name(data, part.program_code),
                count=int(part.measures),
            )
            for part in _rows(parts)
        )
        keys.append(f"{data.fiscal_year}|{type_rows.support_measure_type.iloc[0]}")
        rows.append(
            [
                Cell.of(type_rows.support_measure_type_ja.iloc[0]),
                Cell.of(total.measures.iloc[0] if not total.empty else None),
                Cell.of(None),
                Cell.of(breakdown or None),
            ]
        )
    return make_table(
        "support_measures",
        s("table_support_measures", fiscal_year=fiscal_year(data.fiscal_year)),
        "outputs",
        columns,
        rows,
        keys=keys,
    )


def cumulative_table(data: ReportData) -> ReportTable:
    columns = [
        Column(s("col_year"), "year"),
        Column(s("col_program")),
        Column(s("col_participations"), "count"),
        Column(s("col_participants"), "count"),
        Column(s("col_cumulative_participations"), "count"),
        Column(s("col_cumulative_participants"), "count"),
    ]
    rows = []
    for row in _rows(data.cumulative.sort_values(["fiscal_year", "program_code"])):
        hidden = bool(row.is_suppressed)
        rows.append(
            [
                Cell.of(row.fiscal_year),
                Cell.of(program_name(data, row.program_code)),
                Cell.of(row.participations, suppressed=hidden),
                Cell.of(row.participants, suppressed=hidden),
                Cell.of(row.cumulative_participations, suppressed=hidden),
                Cell.of(row.cumulative_participants, suppressed=hidden),
            ]
        )
    return make_table(
        "cumulative_participants",
        s(
            "table_cumulative_years",
            first=int(data.cumulative.fiscal_year.min()),
            last=data.fiscal_year,
        )
        if not data.cumulative.empty
        else s("table_cumulative"),
        "outputs",
        columns,
        rows,
        s("note_cumulative"),
        keys=data.cumulative.sort_values(
            ["fiscal_year", "program_code"]
        ).cumulative_participants_key,
    )


def wave_status(row: Any, as_of: date) -> str:
    if as_of < row.open_date.date():
        return s("wave_before")
    if as_of <= row.close_date.date():
        return s("wave_open")
    return s("wave_closed")


def waves_table(data: ReportData, *, as_of: date, k: int) -> ReportTable:
    columns = [
        Column(s("col_survey")),
        Column(s("col_program")),
        Column(s("col_period")),
        Column(s("col_status")),
        Column(s("col_targeted_population")),
        Column(s("col_targeted"), "count"),
        Column(s("col_responded"), "count"),
        Column(s("col_response_rate"), "percent"),
    ]
    rows = []
    for row in _rows(data.waves):
        targeted = clean(row.targeted)
        # METRICS.md "Small cells": a response count over fewer than k people is not shown.
        hidden = targeted is not None and 0 < targeted < k
        period = s("period", start=row.open_date, end=row.close_date)
        rows.append(
            [
                Cell.of(row.wave_type_ja),
                Cell.of(program_name(data, row.program_code)),
                Cell.of(period),
                Cell.of(wave_status(row, as_of)),
                Cell.of(row.targeted_population_ja),
                Cell.of(targeted),
                Cell.of(row.responded, suppressed=hidden),
                Cell.of(row.response_rate, suppressed=hidden),
            ]
        )
    return make_table(
        "survey_waves",
        s("table_waves", fiscal_year=fiscal_year(data.fiscal_year)),
        "waves",
        columns,
        rows,
        s("note_waves"),
        keys=data.waves.wave_code,
    )


def build_tables(
    data: ReportData, sections: list[OutcomeSection], *, as_of: date, k: int
) -> list[ReportTable]:
    """Every table in page order, numbered as the CSV files are named (06_short_term_…)."""
    tables = [
        outputs_table(data),
        employment_table(data),
        support_measures_table(data),
        cumulative_table(data),
        waves_table(data, as_of=as_of, k=k),
    ]
    for section in sections:
        tables += outcome_tables(data, section)
    tables.append(summary_table(data))
    return [
        replace(table, key=f"{number:02d}_{table.key}")
        for number, table in enumerate(tables, start=1)
    ]


def outcome_tables(data: ReportData, section: OutcomeSection) -> list[ReportTable]:
    if section.kind == "distribution":
        return distribution_tables(data, section)
    if section.kind == "comparison":
        return [comparison_table(data, section)]
    if section.kind == "pre_post":
        return pre_post_tables(data, section)
    return [time_use_table(data, section)]
