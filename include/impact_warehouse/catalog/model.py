"""Load and validate the catalog seeds once; everything else reads this object.

The CSV files under ``dbt_project/seeds/`` are the single source of truth: dbt loads them as
seeds for the warehouse, and this module reads the same files for ingestion and the demo.
Validation errors name the file, the row and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from impact_warehouse.catalog.code_lists import read_code_list
from impact_warehouse.catalog.csv_rows import (
    as_bool,
    check_member,
    fraction,
    optional_whole_number,
    parse_date,
    read_rows,
    whole_number,
)
from impact_warehouse.catalog.errors import CatalogError, check_new, required, required_code
from impact_warehouse.catalog.organisation import FILE_NAME, Organisation, read_organisation
from impact_warehouse.catalog.programs import Program, ProgramGroup, read_programs
from impact_warehouse.catalog.time_use import check_time_use_roles, read_time_use_role
from impact_warehouse.settings import catalog_dir

if TYPE_CHECKING:
    from impact_warehouse.catalog.covariates import Covariate
    from impact_warehouse.catalog.scales import ScaleMeasure

WAVE_TYPES = ("pre", "post", "followup", "comparison")
INDICATOR_TYPES = ("output", "short_term", "mid_term")
SOURCE_SYSTEMS = ("google_forms", "panel_file")


@dataclass(frozen=True)
class Cohort:
    cohort_code: str
    program_code: str
    fiscal_year: int
    start_date: date
    end_date: date


@dataclass(frozen=True)
class Wave:
    wave_code: str
    fiscal_year: int
    wave_type: str
    program_code: str  # "all" for waves that target several programs (followup, comparison)
    open_date: date
    close_date: date
    source_system: str
    source_ref: str  # Google Forms formId, or the panel delivery's file-name prefix
    targeted_population_ja: str
    response_rate_target: float | None
    response_rate_floor: float | None
    panel_target_n: int | None
    target_cohorts: tuple[str, ...] = ()

    def overlaps(self, start: date, end: date) -> bool:
        """True when the survey window [open, close] intersects [start, end]."""
        return self.open_date <= end and self.close_date >= start


@dataclass(frozen=True)
class Scale:
    scale_code: str
    value_type: str
    min_value: float | None
    max_value: float | None
    step: float | None
    labels: dict[str, int] = field(default_factory=dict)  # answer label → code


@dataclass(frozen=True)
class Item:
    item_code: str
    section: str
    scale_code: str
    asked_in: tuple[str, ...]
    is_personal_data: bool
    report_label_ja: str
    wordings: tuple[tuple[int, int | None, str], ...]  # (valid_from_fy, valid_to_fy, wording)
    time_use_role: str | None = None  # catalog/time_use.py

    def wording_for(self, fiscal_year: int) -> str | None:
        for valid_from, valid_to, wording in self.wordings:
            if valid_from <= fiscal_year and (valid_to is None or fiscal_year <= valid_to):
                return wording
        return None


@dataclass(frozen=True)
class Indicator:
    indicator_code: str
    indicator_symbol: str
    indicator_type: str
    content_ja: str


@dataclass(frozen=True)
class Catalog:
    programs: dict[str, Program]
    cohorts: dict[str, Cohort]
    waves: dict[str, Wave]
    scales: dict[str, Scale]
    items: dict[str, Item]
    indicators: dict[str, Indicator]
    item_indicators: dict[tuple[str, str], str]  # (item_code, wave_type) → indicator_code
    question_overrides: dict[tuple[str, str], str]  # (source_ref, question_id) → item_code
    employment_statuses: dict[str, str]  # label_ja → code
    organisation: Organisation
    scale_measures: dict[str, tuple[ScaleMeasure, ...]] = field(default_factory=dict)
    # covariates.csv (optional): items that describe who answered, by item code.
    covariates: dict[str, Covariate] = field(default_factory=dict)
    # The folder it was read from, for the optional seeds read beside it (catalog/voices.py).
    seed_dir: Path | None = None

    @cached_property
    def program_groups(self) -> dict[str, ProgramGroup]:
        """Groups in the order their first program appears in programs.csv."""
        groups: dict[str, ProgramGroup] = {}
        for program in self.programs.values():
            known = groups.get(program.program_group_code)
            groups[program.program_group_code] = ProgramGroup(
                program.program_group_code,
                program.program_group_name_ja,
                program.program_group_short_ja,
                (*(known.program_codes if known else ()), program.program_code),
            )
        return groups

    def wave_by_source_ref(self, source_ref: str) -> Wave | None:
        return self._waves_by_source_ref.get(source_ref)

    @cached_property
    def _waves_by_source_ref(self) -> dict[str, Wave]:
        return {wave.source_ref: wave for wave in self.waves.values()}

    def waves_open_between(self, start: date, end: date) -> list[Wave]:
        return [wave for wave in self.waves.values() if wave.overlaps(start, end)]

    @cached_property
    def voice_consent_items(self) -> frozenset[str]:
        """Items whose yes allows quoting free text (voice_codebook.csv consent_item_code)."""
        from impact_warehouse.catalog.voices import load_voices  # it reads this module

        return load_voices(self, self.seed_dir).consent_items if self.seed_dir else frozenset()

    @property
    def personal_data_items(self) -> frozenset[str]:
        return frozenset(code for code, item in self.items.items() if item.is_personal_data)


def load_organisation(seed_dir: Path | None = None) -> Organisation:
    """Only the organisation profile: what the DAG schedules need even when another seed is
    broken (the DAGs must load so their first task can report the broken seed)."""
    seed_dir = seed_dir or catalog_dir()
    return read_organisation(FILE_NAME, read_rows(seed_dir, FILE_NAME))


def load_catalog(seed_dir: Path | None = None) -> Catalog:
    """Read every seed file, cross-check references, and return the catalog."""
    seed_dir = seed_dir or catalog_dir()

    programs = read_programs("programs.csv", read_rows(seed_dir, "programs.csv"))
    cohorts = _read_cohorts(seed_dir, programs)
    waves = _read_waves(seed_dir, programs, cohorts)

    # Imported here: scales.py imports this module's Scale.
    from impact_warehouse.catalog.scales import load_scales

    scale_catalog = load_scales(seed_dir)
    scales = scale_catalog.scales

    items = _read_items(seed_dir, scales)

    indicators = _read_indicators(seed_dir)
    item_indicators = _read_item_indicators(seed_dir, items, indicators)

    question_overrides = {}
    for line, row in read_rows(seed_dir, "question_overrides.csv"):
        check_member("question_overrides.csv", line, "item_code", row["item_code"], items)
        question_overrides[(row["source_ref"], row["question_id"])] = row["item_code"]

    employment_statuses = read_code_list(
        seed_dir, "employment_statuses.csv", "employment_status_code", "employment_status_ja"
    )
    # Read by the warehouse and the reports only; checked here so that a bad row is named.
    read_code_list(
        seed_dir, "support_measure_types.csv", "support_measure_type", "support_measure_type_ja"
    )
    read_code_list(seed_dir, "wave_types.csv", "wave_type", "wave_type_ja", WAVE_TYPES)

    catalog = Catalog(
        organisation=read_organisation(FILE_NAME, read_rows(seed_dir, FILE_NAME)),
        programs=programs,
        cohorts=cohorts,
        waves=waves,
        scales=scales,
        items=items,
        indicators=indicators,
        item_indicators=item_indicators,
        question_overrides=question_overrides,
        employment_statuses=employment_statuses,
        scale_measures=scale_catalog.measures,
        seed_dir=seed_dir,
    )
    # covariates.py checks its rows against the items and scales read above.
    from impact_warehouse.catalog.covariates import load_covariates

    return replace(catalog, covariates=load_covariates(catalog, seed_dir))


def _read_cohorts(seed_dir: Path, programs: Mapping[str, Program]) -> dict[str, Cohort]:
    """cohorts.csv: each cohort of a known program, with its dates."""
    cohorts = {}
    for line, row in read_rows(seed_dir, "cohorts.csv"):
        code = required_code("cohorts.csv", line, row, "cohort_code")
        check_new("cohorts.csv", line, "cohort_code", code, cohorts)
        check_member("cohorts.csv", line, "program_code", row["program_code"], programs)
        cohorts[code] = Cohort(
            cohort_code=code,
            program_code=row["program_code"],
            fiscal_year=whole_number(row, "fiscal_year"),
            start_date=parse_date("cohorts.csv", line, row["start_date"], "start_date"),
            end_date=parse_date("cohorts.csv", line, row["end_date"], "end_date"),
        )
    return cohorts


def _read_waves(
    seed_dir: Path, programs: Mapping[str, Program], cohorts: Mapping[str, Cohort]
) -> dict[str, Wave]:
    """waves.csv with the cohorts each wave targets (wave_targets.csv)."""
    targets: dict[str, list[str]] = {}
    for line, row in read_rows(seed_dir, "wave_targets.csv"):
        check_member("wave_targets.csv", line, "cohort_code", row["cohort_code"], cohorts)
        targets.setdefault(row["wave_code"], []).append(row["cohort_code"])

    waves = {}
    for line, row in read_rows(seed_dir, "waves.csv"):
        code = required_code("waves.csv", line, row, "wave_code")
        check_member("waves.csv", line, "wave_type", row["wave_type"], WAVE_TYPES)
        check_member("waves.csv", line, "source_system", row["source_system"], SOURCE_SYSTEMS)
        check_member("waves.csv", line, "program_code", row["program_code"], [*programs, "all"])
        wave = Wave(
            wave_code=code,
            fiscal_year=whole_number(row, "fiscal_year"),
            wave_type=row["wave_type"],
            program_code=row["program_code"],
            open_date=parse_date("waves.csv", line, row["open_date"], "open_date"),
            close_date=parse_date("waves.csv", line, row["close_date"], "close_date"),
            source_system=row["source_system"],
            source_ref=required_code("waves.csv", line, row, "source_ref"),
            targeted_population_ja=row["targeted_population_ja"],
            response_rate_target=fraction(row, "response_rate_target"),
            response_rate_floor=fraction(row, "response_rate_floor"),
            panel_target_n=optional_whole_number(row, "panel_target_n"),
            target_cohorts=tuple(targets.get(code, ())),
        )
        if wave.close_date < wave.open_date:
            raise CatalogError(f"waves.csv line {line}: close_date is before open_date for {code}")
        if wave.wave_type != "comparison" and not wave.target_cohorts:
            raise CatalogError(
                f"waves.csv line {line}: wave {code} targets no cohort; "
                "add rows to wave_targets.csv"
            )
        check_new("waves.csv", line, "wave_code", code, waves)
        waves[code] = wave
    unknown_targets = sorted(set(targets) - set(waves))
    if unknown_targets:
        raise CatalogError(f"wave_targets.csv: waves {unknown_targets} are not in waves.csv")
    return waves


def _read_items(seed_dir: Path, scales: Mapping[str, Scale]) -> dict[str, Item]:
    """items.csv with their wordings by fiscal year (item_wordings.csv)."""
    wordings: dict[str, list[tuple[int, int | None, str]]] = {}
    for line, row in read_rows(seed_dir, "item_wordings.csv"):
        valid_to = optional_whole_number(row, "valid_to_fy")
        wording = required("item_wordings.csv", line, row, "wording_ja")
        item_code = required_code("item_wordings.csv", line, row, "item_code")
        wordings.setdefault(item_code, []).append(
            (whole_number(row, "valid_from_fy"), valid_to, wording)
        )
    items = {}
    for line, row in read_rows(seed_dir, "items.csv"):
        code = required_code("items.csv", line, row, "item_code")
        check_new("items.csv", line, "item_code", code, items)
        check_member("items.csv", line, "scale_code", row["scale_code"], scales)
        asked_in = tuple(row["asked_in"].split("|"))
        for wave_type in asked_in:
            check_member("items.csv", line, "asked_in", wave_type, WAVE_TYPES)
        if code not in wordings:
            raise CatalogError(
                f"items.csv line {line}: item {code} has no wording; add it to item_wordings.csv"
            )
        items[code] = Item(
            item_code=code,
            section=row["section"],
            scale_code=row["scale_code"],
            asked_in=asked_in,
            is_personal_data=as_bool(row["is_personal_data"]),
            report_label_ja=row["report_label_ja"],
            wordings=tuple(sorted(wordings[code])),
            time_use_role=read_time_use_role(
                line, code, row["time_use_role"], scales[row["scale_code"]].value_type
            ),
        )
    check_time_use_roles(
        (code, item.time_use_role) for code, item in items.items() if item.time_use_role
    )
    orphan_wordings = sorted(set(wordings) - set(items))
    if orphan_wordings:
        raise CatalogError(f"item_wordings.csv: items {orphan_wordings} are not in items.csv")
    return items


def _read_indicators(seed_dir: Path) -> dict[str, Indicator]:
    """indicators.csv."""
    indicators = {}
    symbols: set[str] = set()
    for line, row in read_rows(seed_dir, "indicators.csv"):
        code = required_code("indicators.csv", line, row, "indicator_code")
        check_new("indicators.csv", line, "indicator_code", code, indicators)
        # The report and the warehouse name an indicator by its symbol (①, ②…): one each.
        symbol = required_code("indicators.csv", line, row, "indicator_symbol")
        check_new("indicators.csv", line, "indicator_symbol", symbol, symbols)
        symbols.add(symbol)
        indicator_type = row["indicator_type"]
        check_member("indicators.csv", line, "indicator_type", indicator_type, INDICATOR_TYPES)
        indicators[code] = Indicator(
            code, row["indicator_symbol"], row["indicator_type"], row["content_ja"]
        )
    return indicators


def _read_item_indicators(
    seed_dir: Path, items: Mapping[str, Item], indicators: Mapping[str, Indicator]
) -> dict[tuple[str, str], str]:
    """item_indicators.csv: the indicator an item feeds in a wave type it is asked in."""
    item_indicators = {}
    for line, row in read_rows(seed_dir, "item_indicators.csv"):
        check_member("item_indicators.csv", line, "item_code", row["item_code"], items)
        indicator_code = row["indicator_code"]
        check_member("item_indicators.csv", line, "indicator_code", indicator_code, indicators)
        if row["wave_type"] not in items[row["item_code"]].asked_in:
            raise CatalogError(
                f"item_indicators.csv line {line}: item {row['item_code']} is not asked in "
                f"{row['wave_type']} (items.csv asked_in); fix one of the two"
            )
        key = (row["item_code"], row["wave_type"])
        check_new("item_indicators.csv", line, "item × wave type", key, item_indicators)
        item_indicators[key] = row["indicator_code"]
    return item_indicators
