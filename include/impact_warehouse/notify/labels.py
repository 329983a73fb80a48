"""The catalog's Japanese labels for alerts: programs, cohorts, waves and their periods.

Codes not in the catalog are shown as they are; an invalid catalog gives codes only, since
the alert about it must still go out.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from impact_warehouse.catalog import CatalogError, load_catalog
from impact_warehouse.settings import Settings, catalog_dir


@dataclass(frozen=True)
class CatalogLabels:
    """Japanese labels of catalog codes; codes not in the catalog are shown as they are."""

    programs: dict[str, str]
    cohorts: dict[str, str]
    waves: dict[str, str]
    wave_periods: dict[str, tuple[str, str]] = field(default_factory=dict)  # open, close
    status_page: str | None = None  # the staff's response status page (None: the environment's)

    def program(self, code: str) -> str:
        return self.programs.get(code, code)

    def cohort(self, code: str) -> str:
        label = self.cohorts.get(code)
        return f"{code}({label})" if label else code

    def wave(self, code: str) -> str:
        label = self.waves.get(code)
        return f"{code}({label})" if label else code

    def wave_period(self, code: str) -> str | None:
        period = self.wave_periods.get(code)
        return f"{period[0]}〜{period[1]}(締切 {period[1]})" if period else None


@lru_cache(maxsize=4)
def catalog_labels(seed_dir: Path | None = None) -> CatalogLabels:
    seed_dir = seed_dir or catalog_dir()
    catalog = load_catalog(seed_dir)
    # The catalog model keeps codes only; the Japanese labels live in the same seed files.
    cohort_labels = {
        row["cohort_code"]: row["cohort_label_ja"] for row in _seed_rows(seed_dir, "cohorts.csv")
    }
    wave_type_labels = {
        row["wave_type"]: row["wave_type_ja"] for row in _seed_rows(seed_dir, "wave_types.csv")
    }
    waves = {
        code: "・".join(
            part
            for part in (wave_type_labels.get(wave.wave_type), wave.targeted_population_ja)
            if part
        )
        for code, wave in catalog.waves.items()
    }
    return CatalogLabels(
        programs={code: program.program_name_ja for code, program in catalog.programs.items()},
        cohorts={code: label for code, label in cohort_labels.items() if label},
        waves=waves,
        wave_periods={
            code: (wave.open_date.isoformat(), wave.close_date.isoformat())
            for code, wave in catalog.waves.items()
        },
    )


def _seed_rows(seed_dir: Path, file_name: str) -> list[dict[str, str]]:
    with (seed_dir / file_name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def labels_for(settings: Settings) -> CatalogLabels:
    """The labels of the catalog of ``settings``, pointing at its status page; codes only
    when the catalog is invalid (that alert must still go out)."""
    try:
        labels = catalog_labels(settings.catalog)
    except CatalogError:
        labels = CatalogLabels({}, {}, {})
    from impact_warehouse.status_page.location import status_page_path

    return replace(labels, status_page=str(status_page_path(settings)))
