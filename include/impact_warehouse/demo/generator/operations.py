"""The operations workbook staff keep per fiscal year (運営管理_FY<YYYY>.xlsx).

Sheets: 参加者名簿 (roster), プロジェクト, 支援先団体, 施策・イベント. A cohort's roster rows exist
from its start date; support measures appear once held. Labels come from the catalog
(programs.csv, employment_statuses.csv) and support_measure_types.csv.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from impact_warehouse.catalog import Catalog, Cohort
from impact_warehouse.demo.generator import free_text
from impact_warehouse.demo.generator.dirt import DirtLog
from impact_warehouse.demo.generator.fy2025_targets import SUPPORT_MEASURES, SupportMeasure
from impact_warehouse.demo.generator.people import Population
from impact_warehouse.demo.generator.seeding import rng_for
from impact_warehouse.demo.generator.xlsx import save_stable

ROSTER_SHEET = "参加者名簿"
ROSTER_HEADER = (
    "氏名",
    "メールアドレス",
    "電話番号",
    "プログラム",
    "年度",
    "コホート",
    "チーム・プロジェクト",
    "参加時の就業状況",
)
PROJECT_SHEET = "プロジェクト"
PROJECT_HEADER = (
    "プロジェクトID",
    "プログラム",
    "年度",
    "プロジェクト名",
    "支援先団体ID",
    "参加人数",
    "形態",
)
ORGANISATION_SHEET = "支援先団体"
ORGANISATION_HEADER = ("団体ID", "団体名", "所在地", "分野")
MEASURE_SHEET = "施策・イベント"
MEASURE_HEADER = ("日付", "年度", "種別", "プログラム", "名称", "参加者数")
ALL_PROGRAMS = "全体"
TEAM, INDIVIDUAL = "複数人", "個人"
_REPORTED_FISCAL_YEAR = 2025


def file_name(fiscal_year: int) -> str:
    return f"運営管理_FY{fiscal_year}.xlsx"


def measure_type_labels(seed_dir: Path) -> dict[str, str]:
    """support_measure_types.csv: code → Japanese label (the catalog does not load it)."""
    with (seed_dir / "support_measure_types.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {
            row["support_measure_type"]: row["support_measure_type_ja"]
            for row in csv.DictReader(handle)
        }


@dataclass
class OperationsWorkbook:
    catalog: Catalog
    population: Population
    measure_labels: dict[str, str]
    seed: int
    scale: int
    log: DirtLog

    def write(self, path: Path, fiscal_year: int, as_of: date, moment: datetime) -> dict[str, int]:
        """Write one fiscal year's workbook as known at ``as_of``; returns rows per sheet."""
        cohorts = self._started_cohorts(fiscal_year, as_of)
        workbook = Workbook(write_only=True)
        counts = {
            ROSTER_SHEET: self._roster(workbook, cohorts, path.name),
            PROJECT_SHEET: self._projects(workbook, cohorts),
            ORGANISATION_SHEET: self._organisations(workbook, cohorts),
            MEASURE_SHEET: self._measures(workbook, fiscal_year, as_of),
        }
        save_stable(workbook, path, moment)
        return counts

    def _started_cohorts(self, fiscal_year: int, as_of: date) -> list[Cohort]:
        cohorts = [
            cohort
            for cohort in self.catalog.cohorts.values()
            if cohort.fiscal_year == fiscal_year and cohort.start_date <= as_of
        ]
        return sorted(cohorts, key=lambda cohort: (cohort.start_date, cohort.cohort_code))

    def _program_name(self, program_code: str) -> str:
        return self.catalog.programs[program_code].program_name_ja

    def _roster(self, workbook: Workbook, cohorts: list[Cohort], source_ref: str) -> int:
        sheet = workbook.create_sheet(ROSTER_SHEET)
        sheet.append(ROSTER_HEADER)
        status_labels = {code: label for label, code in self.catalog.employment_statuses.items()}
        rows = 0
        for cohort in cohorts:
            for participation in self.population.participations[cohort.cohort_code]:
                person = participation.person
                sheet.append(
                    (
                        person.full_name,
                        participation.roster_email,
                        person.phone,
                        self._program_name(cohort.program_code),
                        cohort.fiscal_year,
                        cohort.cohort_code,
                        participation.project_id,
                        status_labels[participation.employment_status],
                    )
                )
                rows += 1
                if participation.roster_email != person.email:
                    detail = (
                        f"{cohort.cohort_code}: address written with other capitals or stray "
                        "spaces than in her earlier roster"
                    )
                    self.log.add(
                        "email_variant", None, source_ref, f"{ROSTER_SHEET}!{rows + 1}", detail
                    )
        return rows

    def _projects(self, workbook: Workbook, cohorts: list[Cohort]) -> int:
        sheet = workbook.create_sheet(PROJECT_SHEET)
        sheet.append(PROJECT_HEADER)
        rows = 0
        for cohort in cohorts:
            for project in self.population.projects[cohort.cohort_code]:
                sheet.append(
                    (
                        project.project_id,
                        self._program_name(cohort.program_code),
                        cohort.fiscal_year,
                        project.name,
                        project.organisation_id,
                        project.team_size,
                        TEAM if project.team_size > 1 else INDIVIDUAL,
                    )
                )
                rows += 1
        return rows

    def _organisations(self, workbook: Workbook, cohorts: list[Cohort]) -> int:
        sheet = workbook.create_sheet(ORGANISATION_SHEET)
        sheet.append(ORGANISATION_HEADER)
        supported = dict.fromkeys(
            project.organisation_id
            for cohort in cohorts
            for project in self.population.projects[cohort.cohort_code]
        )
        for organisation_id in supported:
            organisation = self.population.organisations[organisation_id]
            sheet.append(
                (
                    organisation.organisation_id,
                    organisation.name,
                    organisation.prefecture,
                    organisation.field,
                )
            )
        return len(supported)

    def _measures(self, workbook: Workbook, fiscal_year: int, as_of: date) -> int:
        sheet = workbook.create_sheet(MEASURE_SHEET)
        sheet.append(MEASURE_HEADER)
        held = [
            measure for measure in self._support_measures(fiscal_year) if measure.held_on <= as_of
        ]
        for measure in held:
            program = (
                self._program_name(measure.program_code) if measure.program_code else ALL_PROGRAMS
            )
            sheet.append(
                (
                    measure.held_on,
                    fiscal_year,
                    self.measure_labels[measure.measure_type],
                    program,
                    measure.name,
                    measure.participants * self.scale,
                )
            )
        return len(held)

    def _support_measures(self, fiscal_year: int) -> list[SupportMeasure]:
        if fiscal_year == _REPORTED_FISCAL_YEAR:
            return sorted(SUPPORT_MEASURES, key=lambda measure: (measure.held_on, measure.name))
        rng = rng_for(self.seed, "support_measures", str(fiscal_year))
        cohorts = [
            cohort for cohort in self.catalog.cohorts.values() if cohort.fiscal_year == fiscal_year
        ]
        measures = [
            measure
            for measure_type in free_text.SUPPORT_MEASURE_NAMES
            for measure in _plausible_measures(
                measure_type, self.catalog.organisation.fiscal_year_start(fiscal_year), cohorts, rng
            )
        ]
        return sorted(measures, key=lambda measure: (measure.held_on, measure.name))


def _plausible_measures(
    measure_type: str, year_start: date, cohorts: list[Cohort], rng: random.Random
) -> list[SupportMeasure]:
    """A year's measures of one type, each during a cohort's run (work-life events: any time)."""
    measures = []
    for _ in range(rng.randint(1, 3)):
        if measure_type == "work_life_event" or not cohorts:
            program_code, held_on = (
                None,
                year_start + timedelta(days=rng.randrange(330)),
            )
        else:
            cohort = rng.choice(cohorts)
            span = max((cohort.end_date - cohort.start_date).days, 1)
            program_code, held_on = (
                cohort.program_code,
                cohort.start_date + timedelta(days=rng.randrange(span)),
            )
        name = rng.choice(free_text.SUPPORT_MEASURE_NAMES[measure_type])
        measures.append(
            SupportMeasure(held_on, measure_type, program_code, name, rng.randint(8, 40))
        )
    return measures
