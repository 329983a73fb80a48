"""The English columns of the catalog: which Japanese label each one translates.

Every English column is optional. A catalog without it builds and renders; its English
report prints the Japanese label marked and listed as a missing translation
(report/localise.py), and the catalog check counts the gaps here, as a note, never an error:
a missing translation must not stop the Japanese report.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TranslatedFile:
    """A catalog file's key columns and, per Japanese label column, its English column."""

    key_columns: tuple[str, ...]
    columns: dict[str, str]  # Japanese column → English column


TRANSLATED_FILES: dict[str, TranslatedFile] = {
    "organisation.csv": TranslatedFile(
        ("organisation_code",),
        {
            "organisation_name_ja": "organisation_name_en",
            "brand_ja": "brand_en",
            "report_title_ja": "report_title_en",
            "report_short_title_ja": "report_short_title_en",
            "tagline_ja": "tagline_en",
            "footer_ja": "footer_en",
            "participants_label_ja": "participants_label_en",
            "comparison_group_label_ja": "comparison_group_label_en",
            "comparison_group_description_ja": "comparison_group_description_en",
        },
    ),
    "programs.csv": TranslatedFile(
        ("program_code",),
        {
            "program_name_ja": "program_name_en",
            "category_ja": "category_en",
            "program_group_name_ja": "program_group_name_en",
            "program_group_short_ja": "program_group_short_en",
        },
    ),
    "wave_types.csv": TranslatedFile(("wave_type",), {"wave_type_ja": "wave_type_en"}),
    "waves.csv": TranslatedFile(
        ("wave_code",), {"targeted_population_ja": "targeted_population_en"}
    ),
    "items.csv": TranslatedFile(("item_code",), {"report_label_ja": "report_label_en"}),
    "item_sections.csv": TranslatedFile(
        ("section_code",), {"section_ja": "section_en", "lead_ja": "lead_en"}
    ),
    "indicators.csv": TranslatedFile(
        ("indicator_code",),
        {
            "content_ja": "content_en",
            "indicator_ja": "indicator_en",
            "measurement_ja": "measurement_en",
        },
    ),
    "indicator_targets.csv": TranslatedFile(
        ("indicator_code", "fiscal_year", "program_code", "wave_type", "item_code", "measure"),
        {"source_ja": "source_en", "note_ja": "note_en"},
    ),
    "scales.csv": TranslatedFile(("scale_code",), {"label_ja": "label_en"}),
    "scale_measures.csv": TranslatedFile(("scale_code", "measure_code"), {"label_ja": "label_en"}),
    "scale_labels.csv": TranslatedFile(("scale_code", "value_code"), {"label_ja": "label_en"}),
    "employment_statuses.csv": TranslatedFile(
        ("employment_status_code",), {"employment_status_ja": "employment_status_en"}
    ),
    "support_measure_types.csv": TranslatedFile(
        ("support_measure_type",), {"support_measure_type_ja": "support_measure_type_en"}
    ),
    "time_use_reference.csv": TranslatedFile(
        ("reference_code", "spouse"),
        {"population_ja": "population_en", "source_ja": "source_en"},
    ),
}


def english_column(file_name: str, column_ja: str) -> str:
    return TRANSLATED_FILES[file_name].columns[column_ja]


def untranslated_cells(seed_dir: Path) -> list[tuple[str, int, str]]:
    """(file, line, English column) of every Japanese label with no English beside it."""
    gaps = []
    for file_name, translated in TRANSLATED_FILES.items():
        path = seed_dir / file_name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                for column_ja, column_en in translated.columns.items():
                    if (row.get(column_ja) or "").strip() and not (
                        row.get(column_en) or ""
                    ).strip():
                        gaps.append((file_name, line, column_en))
    return gaps
