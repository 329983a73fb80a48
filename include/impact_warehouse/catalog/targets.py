"""KPI targets as data: ``indicator_targets.csv``, read and checked against the catalog.

METRICS.md "Indicator targets": each indicator may carry, per fiscal year or for every year,
a target on one of its share measures (item × wave type × measure), an operator (>=, <=), a
value and its data source in words. ``marts.fct_indicator_targets`` judges them; this module
makes a wrong row fail the catalog check with the file, the line and the fix, instead of a
target that silently never matches a figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from impact_warehouse.catalog.csv_rows import (
    Row,
    check_member,
    optional_whole_number,
    parse_float,
    read_rows,
)
from impact_warehouse.catalog.errors import required, required_code
from impact_warehouse.catalog.model import Catalog, CatalogError
from impact_warehouse.settings import catalog_dir

TARGETS_FILE = "indicator_targets.csv"
SCALE_MEASURES_FILE = "scale_measures.csv"
OPERATORS = (">=", "<=")
ALL_PROGRAMS = "all"
_OPERATOR_LOOKALIKES = {"≥": ">=", "=>": ">=", "≦": "<=", "≤": "<=", "=<": "<="}


@dataclass(frozen=True)
class IndicatorTarget:
    indicator_code: str
    fiscal_year: int | None  # None: every fiscal year
    program_code: str  # "all": the programs pooled
    wave_type: str
    item_code: str
    measure: str
    operator: str
    target_value: float
    source_ja: str
    note_ja: str

    @property
    def key(self) -> tuple[str, int | None, str, str, str, str]:
        return (
            self.indicator_code,
            self.fiscal_year,
            self.program_code,
            self.wave_type,
            self.item_code,
            self.measure,
        )


def load_targets(catalog: Catalog, seed_dir: Path | None = None) -> tuple[IndicatorTarget, ...]:
    """Every row of ``indicator_targets.csv``, checked; a missing file means no targets."""
    seed_dir = seed_dir or catalog_dir()
    if not (seed_dir / TARGETS_FILE).exists():
        return ()
    measures = {
        scale: {measure.measure_code for measure in scale_measures}
        for scale, scale_measures in catalog.scale_measures.items()
    }
    targets: dict[tuple[str, int | None, str, str, str, str], IndicatorTarget] = {}
    for line, row in read_rows(seed_dir, TARGETS_FILE):
        target = _target(row, catalog, measures)
        if target.key in targets:
            raise CatalogError(
                f"{TARGETS_FILE} line {line}: the same target (indicator, fiscal year, program, "
                "wave type, item, measure) appears twice; delete one of the two rows"
            )
        targets[target.key] = target
    return tuple(targets.values())


def _target(row: Row, catalog: Catalog, measures: dict[str, set[str]]) -> IndicatorTarget:
    line = row.line
    indicator_code = required_code(TARGETS_FILE, line, row, "indicator_code")
    check_member(TARGETS_FILE, line, "indicator_code", indicator_code, catalog.indicators)
    program_code = row["program_code"].strip() or ALL_PROGRAMS
    check_member(TARGETS_FILE, line, "program_code", program_code, [*catalog.programs, "all"])
    wave_type = required_code(TARGETS_FILE, line, row, "wave_type")
    wave_types = sorted({wave.wave_type for wave in catalog.waves.values()})
    check_member(TARGETS_FILE, line, "wave_type", wave_type, wave_types)
    item_code = required_code(TARGETS_FILE, line, row, "item_code")
    check_member(TARGETS_FILE, line, "item_code", item_code, catalog.items)
    if catalog.item_indicators.get((item_code, wave_type)) != indicator_code:
        raise CatalogError(
            f"{TARGETS_FILE} line {line}: item {item_code} does not feed indicator "
            f"{indicator_code} in {wave_type} waves; use an item × wave type listed for it in "
            "item_indicators.csv, or add that row there"
        )
    measure = required_code(TARGETS_FILE, line, row, "measure")
    scale_code = catalog.items[item_code].scale_code
    if measure not in measures.get(scale_code, set()):
        raise CatalogError(
            f"{TARGETS_FILE} line {line}: 'measure'={measure!r} is not a measure of scale "
            f"{scale_code}; use one of {sorted(measures.get(scale_code, set()))} "
            f"({SCALE_MEASURES_FILE} measure_code)"
        )
    return IndicatorTarget(
        indicator_code=indicator_code,
        fiscal_year=optional_whole_number(row, "fiscal_year"),
        program_code=program_code,
        wave_type=wave_type,
        item_code=item_code,
        measure=measure,
        operator=_operator(row),
        target_value=_target_value(row),
        source_ja=required(TARGETS_FILE, line, row, "source_ja"),
        note_ja=row["note_ja"].strip(),
    )


def _operator(row: Row) -> str:
    value = row["operator"].strip()
    if value in OPERATORS:
        return value
    hint = (
        f" (write {_OPERATOR_LOOKALIKES[value]!r} in ASCII)"
        if value in _OPERATOR_LOOKALIKES
        else ""
    )
    raise CatalogError(
        f"{TARGETS_FILE} line {row.line}: 'operator'={value!r} is unknown; use >= (at least "
        f"the target) or <= (at most the target){hint}"
    )


def _target_value(row: Row) -> float:
    value = row["target_value"].strip()
    number = parse_float(value)
    if number is None or not 0 <= number <= 1:
        raise CatalogError(
            f"{TARGETS_FILE} line {row.line}: 'target_value'={value!r} is not a share between 0 "
            "and 1; write a fraction without %, e.g. 0.70 for 70%"
        )
    return number
