"""The comparison panel's delivery: a CP932 CSV and the same rows as XLSX (the vendor sends both).

Headers are the catalog wording of the wave's year behind a question number ("Q3. …"),
passed through a CP932 round trip as the vendor's Windows tooling does: "〜" (U+301C) comes
back as "～" (U+FF5E). The panel is never linked to participants: rows carry only the vendor's
monitor id.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from impact_warehouse.catalog import Catalog, Wave
from impact_warehouse.demo.generator.answers import WavePlan, generic_plan
from impact_warehouse.demo.generator.covariates import OUTCOME_ITEM, PanelCovariates
from impact_warehouse.demo.generator.dirt import DirtLog, DirtNote
from impact_warehouse.demo.generator.fy2025_answers import comparison_block
from impact_warehouse.demo.generator.instrument import items_asked
from impact_warehouse.demo.generator.seeding import rng_for
from impact_warehouse.demo.generator.timestamps import panel_timestamp, sample_submission_ms
from impact_warehouse.demo.generator.xlsx import save_stable

SHEET = "回答データ"
ENCODING = "cp932"
SAMPLE_ID = "サンプルID"
PROFILE_COLUMNS = (SAMPLE_ID, "年齢", "居住地域", "就業形態", "回答日時")
_AGE_COLUMN = PROFILE_COLUMNS.index("年齢")
# The panel's frame (waves.csv targeted_population_ja): metro areas, full-time, aged 24–45.
_REGIONS = (("首都圏", 55), ("近畿圏", 28), ("中京圏", 17))
_EMPLOYMENT = "正社員"
_AGE_RANGE = (24, 45)
_DEFAULT_PANEL_SIZE = 300

PanelRow = list[str | int | float | None]


def file_stem(wave: Wave) -> str:
    return f"{wave.source_ref}_macromill"


def cp932_round_trip(text: str) -> str:
    return text.encode(ENCODING).decode(ENCODING)


def headers(catalog: Catalog, wave: Wave) -> list[str]:
    items = items_asked(catalog, wave)
    questions = [
        cp932_round_trip(f"Q{number}. {item.wording_for(wave.fiscal_year)}")
        for number, item in enumerate(items, start=1)
    ]
    return [*PROFILE_COLUMNS, *questions]


@dataclass
class PanelDelivery:
    catalog: Catalog
    wave: Wave
    seed: int
    scale: int
    reported: bool  # FY2025: answers come from the report's counts
    log: DirtLog

    def write(self, csv_path: Path, xlsx_path: Path, moment: datetime) -> dict[str, int]:
        """Write both files; returns the counts for the manifest."""
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(SHEET)
        header = headers(self.catalog, self.wave)
        sheet.append(header)
        rows = 0
        samples: set[str] = set()
        with csv_path.open("w", encoding=ENCODING, newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(header)
            for row in self._rows():
                writer.writerow(["" if value is None else value for value in row])
                sheet.append([_typed(value) for value in row])
                rows += 1
                samples.add(str(row[0]))
        save_stable(workbook, xlsx_path, moment)
        return {"rows": rows, "distinct_samples": len(samples)}

    def _rows(self) -> Iterator[PanelRow]:
        rng = rng_for(self.seed, "panel", self.wave.wave_code)
        items = items_asked(self.catalog, self.wave)
        covariates = PanelCovariates(self.catalog, self.wave, self.seed)
        used_ids: set[str] = set()
        written = 0
        for block in range(self.scale):
            plan = self._block(block)
            duplicate = rng.randrange(_plan_size(plan)) if block == 0 else None
            for index in range(_plan_size(plan)):
                profile = self._profile(rng, used_ids)
                outcome = plan.columns.get(OUTCOME_ITEM, [None] * (index + 1))[index]
                screened = covariates.answers(int(profile[_AGE_COLUMN] or 0), outcome)
                row = profile + [
                    screened[item.item_code]
                    if item.item_code in screened
                    else plan.columns[item.item_code][index]
                    for item in items
                ]
                copies = 2 if index == duplicate else 1
                for copy in range(copies):
                    written += 1
                    notes = list(plan.notes.get(index, ())) if copy == 0 else [_DUPLICATE]
                    for note in notes:
                        self.log.add(
                            note.kind,
                            self.wave.wave_code,
                            self.wave.source_ref,
                            written,
                            note.detail,
                        )
                    yield row

    def _block(self, block: int) -> WavePlan:
        if self.reported:
            return comparison_block(self.catalog, self.wave, seed=self.seed, block=block)
        rng = rng_for(self.seed, "panel", self.wave.wave_code, str(block))
        size = self.wave.panel_target_n or _DEFAULT_PANEL_SIZE
        return generic_plan(self.catalog, self.wave, [None] * size, rng)

    def _profile(self, rng: random.Random, used_ids: set[str]) -> PanelRow:
        sample_id = f"MM{rng.randrange(10**8):08d}"
        while sample_id in used_ids:
            sample_id = f"MM{rng.randrange(10**8):08d}"
        used_ids.add(sample_id)
        regions = [name for name, _ in _REGIONS]
        weights = [weight for _, weight in _REGIONS]
        submitted = sample_submission_ms(rng, self.wave.open_date, self.wave.close_date)
        return [
            sample_id,
            rng.randint(*_AGE_RANGE),
            rng.choices(regions, weights)[0],
            _EMPLOYMENT,
            panel_timestamp(submitted),
        ]


_DUPLICATE = DirtNote("duplicate_row", "the row above delivered twice (same サンプルID, identical)")


def _plan_size(plan: WavePlan) -> int:
    return len(next(iter(plan.columns.values())))


def _typed(value: str | int | float | None) -> str | int | float | None:
    """Numbers as numeric cells, the way the vendor's XLSX stores them."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value
