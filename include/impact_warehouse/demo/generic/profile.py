"""The demo profile of a catalog: who takes part and how people answer, as data.

An organisation's catalog folder may hold ``demo/cohorts.csv`` (participants per cohort and
response rate per wave type) and ``demo/answers.csv`` (answer weights per item, wave type and
optionally fiscal year). The profile generator turns them into demo sources, so a new catalog
gets a working demo without code. ``organisation.csv`` says which generator a catalog uses
(``demo_data``): ``profile`` for this one, ``fy2025_report`` (the default) for the built-in
generator that reproduces Mamabono's FY2025 report.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from impact_warehouse.catalog import Catalog, CatalogError

PROFILE_DIR = "demo"
COHORTS_FILE = "cohorts.csv"
ANSWERS_FILE = "answers.csv"
ORGANISATION_FILE = "organisation.csv"
DEMO_DATA_COLUMN = "demo_data"
PROFILE_GENERATOR = "profile"
REPORT_GENERATOR = "fy2025_report"
RESPONSE_WAVE_TYPES = ("pre", "post", "followup")


@dataclass(frozen=True)
class CohortProfile:
    participants: int
    response_rates: dict[str, float]  # wave type → share of targeted people who answer


@dataclass(frozen=True)
class DemoProfile:
    cohorts: dict[str, CohortProfile]
    # (item_code, wave_type, fiscal_year or None) → answer value → relative weight
    answers: dict[tuple[str, str, int | None], dict[float, float]]

    def weights(self, item_code: str, wave_type: str, fiscal_year: int) -> dict[float, float]:
        """The fiscal year's own weights, else those for every year, else none (uniform)."""
        return (
            self.answers.get((item_code, wave_type, fiscal_year))
            or self.answers.get((item_code, wave_type, None))
            or {}
        )


def demo_generator_of(catalog_dir: Path) -> str:
    """``organisation.csv`` → ``demo_data``: which demo generator the catalog asks for."""
    path = catalog_dir / ORGANISATION_FILE
    if not path.is_file():
        return REPORT_GENERATOR
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    value = ((rows[0].get(DEMO_DATA_COLUMN) if rows else None) or "").strip()
    if value not in ("", PROFILE_GENERATOR, REPORT_GENERATOR):
        raise CatalogError(
            f"{ORGANISATION_FILE} line 2: {DEMO_DATA_COLUMN} is {value!r}; use "
            f"{PROFILE_GENERATOR} (demo/cohorts.csv and demo/answers.csv) or {REPORT_GENERATOR}",
            file_name=ORGANISATION_FILE,
            line=2,
        )
    return value or REPORT_GENERATOR


def load_profile(catalog_dir: Path, catalog: Catalog) -> DemoProfile:
    """Read and check the profile against the catalog; errors name the file, line and fix."""
    folder = catalog_dir / PROFILE_DIR
    cohorts: dict[str, CohortProfile] = {}
    for line, row in _rows(folder / COHORTS_FILE):
        where = f"{PROFILE_DIR}/{COHORTS_FILE} line {line}"
        code = row.get("cohort_code") or ""
        if code not in catalog.cohorts:
            raise CatalogError(f"{where}: cohort {code!r} is not in cohorts.csv; add it there")
        rates = {
            wave_type: _share(row.get(f"{wave_type}_response_rate") or "0", where)
            for wave_type in RESPONSE_WAVE_TYPES
        }
        cohorts[code] = CohortProfile(_count(row.get("participants") or "", where), rates)
    answers: dict[tuple[str, str, int | None], dict[float, float]] = {}
    for line, row in _rows(folder / ANSWERS_FILE):
        where = f"{PROFILE_DIR}/{ANSWERS_FILE} line {line}"
        item = catalog.items.get(row.get("item_code") or "")
        if item is None:
            raise CatalogError(f"{where}: item {row.get('item_code')!r} is not in items.csv")
        year = (row.get("fiscal_year") or "").strip()
        key = (item.item_code, row.get("wave_type") or "", int(year) if year else None)
        answers[key] = _weights(row.get("weights") or "", catalog, item.scale_code, where)
    return DemoProfile(cohorts, answers)


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise CatalogError(
            f"{path.name}: the demo profile file {path} is missing; organisation.csv asks for "
            f"{DEMO_DATA_COLUMN}={PROFILE_GENERATOR} (see examples/hataraku_women/demo/)"
        )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            (line, row)
            for line, row in enumerate(csv.DictReader(handle), start=2)
            if not (row.get(next(iter(row)), "") or "").startswith("#")
        ]


def _weights(text: str, catalog: Catalog, scale_code: str, where: str) -> dict[float, float]:
    """``"5:20|4:35|…"``: answer value → weight; every value must be one the scale allows."""
    scale = catalog.scales[scale_code]
    allowed = set(scale.labels.values())
    weights: dict[float, float] = {}
    for part in filter(None, (piece.strip() for piece in text.split("|"))):
        value_text, _, weight_text = part.partition(":")
        try:
            value, weight = float(value_text), float(weight_text)
        except ValueError as error:
            raise CatalogError(f"{where}: {part!r} is not value:weight (e.g. 5:20)") from error
        in_range = (scale.min_value is None or value >= scale.min_value) and (
            scale.max_value is None or value <= scale.max_value
        )
        if (allowed and value not in allowed) or not in_range or weight < 0:
            raise CatalogError(f"{where}: {part!r} is outside scale {scale_code}")
        weights[value] = weight
    if not weights or sum(weights.values()) <= 0:
        raise CatalogError(f"{where}: weights are empty; write e.g. 5:20|4:35|3:25|2:15|1:5")
    return weights


def _share(text: str, where: str) -> float:
    value = float(text or 0)
    if not 0 <= value <= 1:
        raise CatalogError(f"{where}: response rate {text!r} must be between 0 and 1")
    return value


def _count(text: str, where: str) -> int:
    if not text.strip().isdigit():
        raise CatalogError(f"{where}: participants {text!r} must be a whole number")
    return int(text)
