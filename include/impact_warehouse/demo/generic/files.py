"""The profile demo's operations workbooks and comparison-panel deliveries.

Same sheets, headers and encodings as the built-in demo (and as the landing code reads):
the workbook's four sheets from ``generator.operations``, the panel's CP932 CSV and XLSX
with ``generator.panel``'s header rules.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from impact_warehouse.catalog import Catalog, Cohort, Wave
from impact_warehouse.demo.generator.instrument import items_asked
from impact_warehouse.demo.generator.operations import (
    ALL_PROGRAMS,
    INDIVIDUAL,
    MEASURE_HEADER,
    MEASURE_SHEET,
    ORGANISATION_HEADER,
    ORGANISATION_SHEET,
    PROJECT_HEADER,
    PROJECT_SHEET,
    ROSTER_HEADER,
    ROSTER_SHEET,
    TEAM,
)
from impact_warehouse.demo.generator.panel import ENCODING, SHEET, headers
from impact_warehouse.demo.generator.people import Participation, Population, Project
from impact_warehouse.demo.generator.seeding import rng_for
from impact_warehouse.demo.generator.timestamps import panel_timestamp, sample_submission_ms
from impact_warehouse.demo.generator.xlsx import save_stable
from impact_warehouse.demo.generic.answers import draw_answers
from impact_warehouse.demo.generic.profile import DemoProfile

DEFAULT_PANEL_SIZE = 200
_REGIONS = ("首都圏", "近畿圏", "中京圏", "その他")
_EMPLOYMENT = ("正社員", "パート・アルバイト", "求職中")


def write_operations(
    path: Path,
    catalog: Catalog,
    population: Population,
    measure_labels: dict[str, str],
    fiscal_year: int,
    as_of: date,
    moment: datetime,
    seed: int,
) -> dict[str, int]:
    """One fiscal year's workbook as staff have it on ``as_of``; returns rows per sheet."""
    cohorts = _cohorts_started(catalog, fiscal_year, as_of)
    status_labels = {code: label for label, code in catalog.employment_statuses.items()}
    workbook = Workbook(write_only=True)
    roster = workbook.create_sheet(ROSTER_SHEET)
    roster.append(ROSTER_HEADER)
    projects = workbook.create_sheet(PROJECT_SHEET)
    projects.append(PROJECT_HEADER)
    counts = dict.fromkeys((ROSTER_SHEET, PROJECT_SHEET, ORGANISATION_SHEET, MEASURE_SHEET), 0)
    supported: dict[str, None] = {}
    for cohort in cohorts:
        program = catalog.programs[cohort.program_code].program_name_ja
        for participation in population.participations.get(cohort.cohort_code, ()):
            roster.append(_roster_row(participation, cohort, program, status_labels))
            counts[ROSTER_SHEET] += 1
        for project in population.projects.get(cohort.cohort_code, ()):
            projects.append(_project_row(project, program, fiscal_year))
            supported[project.organisation_id] = None
            counts[PROJECT_SHEET] += 1
    organisations = workbook.create_sheet(ORGANISATION_SHEET)
    organisations.append(ORGANISATION_HEADER)
    for organisation_id in supported:
        organisation = population.organisations[organisation_id]
        organisations.append(
            (organisation_id, organisation.name, organisation.prefecture, organisation.field)
        )
        counts[ORGANISATION_SHEET] += 1
    measures = workbook.create_sheet(MEASURE_SHEET)
    measures.append(MEASURE_HEADER)
    rng = rng_for(seed, "profile", "support_measures", str(fiscal_year))
    for row in _support_measures(catalog, cohorts, measure_labels, rng):
        if row[0] <= as_of:
            measures.append((row[0], fiscal_year, *row[1:]))
            counts[MEASURE_SHEET] += 1
    save_stable(workbook, path, moment)
    return counts


def _cohorts_started(catalog: Catalog, fiscal_year: int, as_of: date) -> list[Cohort]:
    """The fiscal year's cohorts already started on ``as_of``, in start order: staff only
    list people once their cohort has begun."""
    return sorted(
        (
            c
            for c in catalog.cohorts.values()
            if c.fiscal_year == fiscal_year and c.start_date <= as_of
        ),
        key=lambda c: (c.start_date, c.cohort_code),
    )


def _roster_row(
    participation: Participation, cohort: Cohort, program: str, status_labels: dict[str, str]
) -> tuple[object, ...]:
    """One roster line, in ROSTER_HEADER's order."""
    person = participation.person
    return (
        person.full_name,
        participation.roster_email,
        person.phone,
        program,
        cohort.fiscal_year,
        cohort.cohort_code,
        participation.project_id,
        status_labels[participation.employment_status],
    )


def _project_row(project: Project, program: str, fiscal_year: int) -> tuple[object, ...]:
    """One project line, in PROJECT_HEADER's order."""
    form = TEAM if project.team_size > 1 else INDIVIDUAL
    return (
        project.project_id,
        program,
        fiscal_year,
        project.name,
        project.organisation_id,
        project.team_size,
        form,
    )


def _support_measures(
    catalog: Catalog, cohorts: list[Cohort], labels: dict[str, str], rng: random.Random
) -> list[tuple[date, str, str, str, int]]:
    """One or two measures of every type per cohort, held during the cohort's run."""
    rows = []
    for cohort in cohorts:
        span = max((cohort.end_date - cohort.start_date).days, 1)
        program = catalog.programs[cohort.program_code].program_name_ja
        for label in labels.values():
            for number in range(1, rng.randint(1, 2) + 1):
                held_on = cohort.start_date + timedelta(days=rng.randrange(span))
                rows.append((held_on, label, program, f"{label} 第{number}回", rng.randint(6, 30)))
    if rows and labels:
        first = min(rows)[0]
        rows.append((first, next(iter(labels.values())), ALL_PROGRAMS, "合同説明会", 40))
    return sorted(rows)


def write_panel(
    csv_path: Path,
    xlsx_path: Path,
    catalog: Catalog,
    profile: DemoProfile,
    wave: Wave,
    seed: int,
    moment: datetime,
) -> dict[str, int]:
    """A comparison panel delivery: never linked to participants, only the vendor's ids."""
    rng = rng_for(seed, "profile", "panel", wave.wave_code)
    header = headers(catalog, wave)
    items = items_asked(catalog, wave)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    sheet.append(header)
    size = wave.panel_target_n or DEFAULT_PANEL_SIZE
    with csv_path.open("w", encoding=ENCODING, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for number in range(1, size + 1):
            answers = draw_answers(catalog, profile, wave, None, rng)
            submitted = sample_submission_ms(rng, wave.open_date, wave.close_date)
            row: list[str | int] = [
                f"PN{number:06d}",
                rng.randint(25, 49),
                rng.choice(_REGIONS),
                rng.choice(_EMPLOYMENT),
                panel_timestamp(submitted),
                *(answers.get(item.item_code, "") for item in items),
            ]
            writer.writerow(row)
            sheet.append([_typed(value) for value in row])
    save_stable(workbook, xlsx_path, moment)
    return {"rows": size, "distinct_samples": size}


def _typed(value: str | int) -> str | int | float:
    """Numbers as numeric cells, the way the vendor's XLSX stores them."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value
