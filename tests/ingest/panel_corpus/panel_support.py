"""Helpers of the panel corpus: an inbox built file by file (catalog headers, any bytes).

Every bad-input test writes its bad delivery next to a good one, lands the inbox through
the real ``ingest.land_panels`` and reads back the run's summaries, landing and quarantine.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from impact_warehouse.pipeline import ingest
from impact_warehouse.settings import PROJECT_ROOT, Settings

WAVE = "comparison_2025"
GOOD_FILE = f"{WAVE}_good.csv"
GOOD_SAMPLES = ("GOOD0001", "GOOD0002", "GOOD0003")


@functools.cache
def _category_answers() -> dict[str, str]:
    """Question wording → a valid label, for items on a ``category`` scale (the covariates):
    their answers are one of the scale's labels, not an agreement."""
    seeds = PROJECT_ROOT / "dbt_project" / "seeds"

    def rows(name: str) -> list[dict[str, str]]:
        with (seeds / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    category = {row["scale_code"] for row in rows("scales.csv") if row["value_type"] == "category"}
    first_label: dict[str, str] = {}
    for row in rows("scale_labels.csv"):
        first_label.setdefault(row["scale_code"], row["label_ja"])
    scale_of = {row["item_code"]: row["scale_code"] for row in rows("items.csv")}
    return {
        row["wording_ja"]: first_label[scale_of[row["item_code"]]]
        for row in rows("item_wordings.csv")
        if scale_of.get(row["item_code"]) in category
    }


def answers_for(headers: list[str], *, confidence: str = "7") -> list[str]:
    """A valid answer for every question column (the catalog's scales decide validity)."""
    values = []
    for header in headers[5:]:
        wording = header.split(". ", 1)[-1]
        if wording in _category_answers():
            values.append(_category_answers()[wording])
        elif header.startswith("Q1."):
            values.append(confidence)
        elif "時間" in header:
            values.append("2.5")
        elif "ましたか" in header:
            values.append("はい")
        else:
            values.append("そう思う")
    return values


@dataclass
class PanelInbox:
    root: Path
    headers: list[str]
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        folder = self.root / "inbox" / "panel"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def settings(self) -> Settings:
        return Settings.for_work_dir(self.root / "work", self.root / "inbox")

    def row(self, sample_id: str, answered_at: str = "2026/01/16 21:03:12", **kw: str) -> list[str]:
        return [sample_id, "35", "首都圏", "正社員", answered_at, *answers_for(self.headers, **kw)]

    def csv_bytes(self, rows: list[list[str]], *, header: bool = True) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        if header:
            writer.writerow(self.headers)
        writer.writerows(rows)
        return buffer.getvalue()

    def write_csv(
        self, name: str, rows: list[list[str]], encoding: str = "cp932", *, bom: bytes = b""
    ) -> Path:
        return self.write_bytes(name, bom + self.csv_bytes(rows).encode(encoding))

    def write_xlsx(self, name: str, rows: list[list[Any]], *, header: bool = True) -> Path:
        workbook = Workbook()
        sheet = workbook.active
        if header:
            sheet.append(self.headers)
        for row in rows:
            sheet.append(row)
        path = self.folder / name
        workbook.save(path)
        return path

    def write_bytes(self, name: str, content: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(content)
        return path

    def write_good(self, name: str = GOOD_FILE) -> Path:
        return self.write_csv(name, [self.row(sample) for sample in GOOD_SAMPLES])

    def land(self) -> dict[str, dict[str, Any]]:
        units = ingest.land_panels(self.settings)
        self.summaries = {unit["source_ref"]: unit for unit in units}
        for unit in units:
            assert unit["received"] == (
                unit["landed"] + unit["already_landed"] + unit["rejected"]
            ), unit
            assert unit["balanced"], unit
        return self.summaries

    def _parts(self, *parts: str) -> list[dict[str, Any]]:
        folder = self.settings.landing.joinpath(*parts)
        return [
            json.loads(line)
            for part in sorted(folder.rglob("part-*.jsonl"))
            for line in part.read_text(encoding="utf-8").splitlines()
        ]

    def responses(self) -> list[dict[str, Any]]:
        return self._parts("panel_file", "responses")

    def quarantine(self, source_ref: str | None = None) -> list[dict[str, Any]]:
        records = self._parts("quarantine", "panel_file")
        return [r for r in records if source_ref is None or r["source_ref"] == source_ref]

    def reasons(self, source_ref: str) -> list[str]:
        return sorted(record["reason_code"] for record in self.quarantine(source_ref))

    def assert_good_file_landed(self, name: str = GOOD_FILE) -> None:
        good = self.summaries[name]
        assert good["received"] == len(GOOD_SAMPLES)
        assert good["landed"] + good["already_landed"] == len(GOOD_SAMPLES)
        assert good["rejected"] == 0 and not good["rejected_files"]
        assert self.reasons(name) == []

    def assert_file_refused(self, name: str, reason: str, *message: str) -> dict[str, Any]:
        """The whole file quarantined under ``reason``, nothing of it landed."""
        unit = self.summaries[name]
        assert unit["rejected_files"] == {reason: 1}, unit
        assert unit["received"] == unit["landed"] == unit["rejected"] == 0
        (record,) = self.quarantine(name)
        assert record["reason_code"] == reason
        assert record["record_ref"] == name
        for text in message:
            assert text in record["detail"], record["detail"]
        assert not [r for r in self.responses() if r["source_file"] == name]
        return record
