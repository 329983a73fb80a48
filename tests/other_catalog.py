"""A copy of the dbt project whose catalog is not Mamabono's: other program groups and
names, indicator, employment-status and support-measure codes, and another organisation.

The demo landing still links to it: landing carries form ids, wave codes, program codes
(operations landing resolves the workbook's program names with the catalog it lands with)
and the workbook's Japanese labels, none of which change here. Only the codes the warehouse
derives from the seeds do, so nothing may depend on Mamabono's codes for the build, the gate
and the report to stay green.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from impact_warehouse.transform.dbt_runner import DBT_PROJECT_DIR

# column → Mamabono code → this catalog's code (every seed file with such a column)
RENAMES: dict[str, dict[str, str]] = {
    "program_group_code": {"mamabono": "lab", "next": "returners"},
    "indicator_code": {f"I{n:02d}": f"KPI-{n}" for n in range(1, 16)},
    "employment_status_code": {
        "on_leave": "leave",
        "not_working": "between_jobs",
        "abroad_with_spouse": "abroad",
        "full_time": "employed",
        "freelance": "self_employed",
        "other": "unknown",
    },
    "support_measure_type": {
        "study_session": "workshop",
        "reflection_meeting": "retrospective",
        "work_life_event": "family_event",
    },
}
GROUP_NAMES = {"lab": ("キャリアラボ", "ラボ"), "returners": ("復職者プログラム", "復職者")}
ORGANISATION = {
    "organisation_code": "mirai_work",
    "organisation_name_ja": "NPO法人ミライワーク",
    "organisation_name_en": "Mirai Work",
    "brand_ja": "ミライワーク",
    "brand_en": "mirai work",
    "report_title_ja": "{fiscal_year}年度 ミライワーク 就業支援プログラム 成果レポート",
    "report_title_en": "Mirai Work FY{fiscal_year} outcome report",
    "report_short_title_ja": "{fiscal_year}年度 ミライワーク 成果レポート",
    "tagline_ja": "はたらく未来を、いっしょに。",
    "footer_ja": "NPO法人ミライワーク 成果測定",
    "participants_label_ja": "プログラム参加者",
    "comparison_group_label_ja": "対照群",
    "comparison_group_description_ja": "全国の就業中の女性",
    "fiscal_year_start_month": "4",
    "time_zone": "Europe/Berlin",
    "release_month_day": "",
}


def _rewrite(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def copy_project_with_other_catalog(target: Path) -> Path:
    """``dbt_project/`` copied to ``target`` with this module's catalog; returns the copy."""
    shutil.copytree(
        DBT_PROJECT_DIR, target, ignore=shutil.ignore_patterns("target", "logs", ".user.yml")
    )
    for path in sorted((target / "seeds").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns, rows = list(reader.fieldnames or []), list(reader)
        for row in rows:
            for column, renames in RENAMES.items():
                if row.get(column) in renames:
                    row[column] = renames[row[column]]
            if path.name == "programs.csv":
                name, short = GROUP_NAMES[row["program_group_code"]]
                row["program_group_name_ja"], row["program_group_short_ja"] = name, short
        if path.name == "organisation.csv":
            rows = [ORGANISATION]
        _rewrite(path, rows, columns)
    return target
