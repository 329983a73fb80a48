"""Operations workbooks written as staff write them, for the corpus tests (not a test file).

A workbook is described as {sheet name: [header row, data rows...]} so each test changes only
what its bad input is about, and everything else in the workbook must still land.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from impact_warehouse.pipeline import ingest
from impact_warehouse.settings import Settings

PSEUDONYM_KEY = b"operations-corpus-test-key-of-32-bytes!!"
ROSTER_HEADER = [
    "氏名",
    "メールアドレス",
    "電話番号",
    "プログラム",
    "年度",
    "コホート",
    "チーム・プロジェクト",
    "参加時の就業状況",
]
MEASURE_HEADER = ["日付", "年度", "種別", "プログラム", "名称", "参加者数"]
PROJECT_HEADER = [
    "プロジェクトID",
    "プログラム",
    "年度",
    "プロジェクト名",
    "支援先団体ID",
    "参加人数",
    "形態",
]
ORGANISATION_HEADER = ["団体ID", "団体名", "所在地", "分野"]

Sheets = dict[str, list[list[Any]]]


def roster_row(number: int, email: str | None = None) -> list[Any]:
    return [
        f"参加者{number:02d}",
        email if email is not None else f"person{number:02d}@example.jp",
        f"090-0000-{number:04d}",
        "ママボノ",
        2026,
        "mamabono_2026",
        "P01",
        "産休・育休中",
    ]


def good_sheets(participants: int = 5) -> Sheets:
    """A small complete workbook: every row of it lands on a first run."""
    return {
        "参加者名簿": [ROSTER_HEADER] + [roster_row(n) for n in range(1, participants + 1)],
        "プロジェクト": [
            PROJECT_HEADER,
            ["P01", "ママボノ", 2026, "広報支援", "O01", 6, "複数人"],
        ],
        "支援先団体": [ORGANISATION_HEADER, ["O01", "団体A", "東京都", "子育て"]],
        "施策・イベント": [
            MEASURE_HEADER,
            [date(2026, 10, 4), 2026, "勉強会、動画提供", "ママボノ", "基礎講座", 30],
            [date(2026, 11, 8), 2026, "共有会・振り返り会", "ママボノ", "振り返り会", 25],
        ],
    }


def write_workbook(path: Path, sheets: Sheets) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


class OperationsInbox:
    """An inbox and work folder of its own; ``land()`` runs the job the DAG task runs."""

    def __init__(self, root: Path) -> None:
        self.settings = Settings.for_work_dir(root / "work", root / "inbox")
        self.folder = root / "inbox" / "operations"
        self.folder.mkdir(parents=True)

    def write(self, name: str, sheets: Sheets) -> Path:
        return write_workbook(self.folder / name, sheets)

    def land(self) -> dict[str, dict[str, Any]]:
        """Summaries of the run by workbook file name."""
        units = ingest.land_operations(self.settings, PSEUDONYM_KEY)
        return {unit["source_ref"]: unit for unit in units}

    def landed(self, entity: str) -> list[dict[str, Any]]:
        folder = self.settings.landing / "operations" / entity
        return [
            json.loads(line)
            for part in sorted(folder.glob("part-*.jsonl"))
            for line in part.read_text(encoding="utf-8").splitlines()
        ]

    def quarantined(self, workbook_name: str) -> list[dict[str, Any]]:
        folder = self.settings.landing / "quarantine" / "operations" / workbook_name
        return [
            json.loads(line)
            for part in sorted(folder.glob("part-*.jsonl"))
            for line in part.read_text(encoding="utf-8").splitlines()
        ]

    def vault_files(self) -> list[Path]:
        return sorted((self.settings.vault / "quarantine_raw").rglob("*.txt"))
