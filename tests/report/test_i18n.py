"""The report's words per language (report/i18n.py, strings_*.yaml, methods_*.yaml) and the
catalog's English columns (catalog/translations.py, report/localise.py), without a warehouse."""

from __future__ import annotations

import csv
import shutil
import string
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
import yaml

from impact_warehouse.catalog.__main__ import english_note
from impact_warehouse.catalog.translations import TRANSLATED_FILES, untranslated_cells
from impact_warehouse.cli.init_catalog import template_files
from impact_warehouse.report import i18n
from impact_warehouse.report.i18n import (
    UNTRANSLATED_MARK,
    fiscal_year,
    missing_translations,
    reporting_in,
    s,
)
from impact_warehouse.report.localise import CatalogEnglish
from impact_warehouse.settings import BUILTIN_CATALOG_DIR, PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples" / "hataraku_women"


def _yaml(name: str) -> object:
    text = resources.files("impact_warehouse.report").joinpath(name).read_text("utf-8")
    return yaml.safe_load(text)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_string_has_both_languages_with_the_same_placeholders() -> None:
    japanese, english = _yaml("strings_ja.yaml"), _yaml("strings_en.yaml")
    assert isinstance(japanese, dict) and isinstance(english, dict)
    assert set(japanese) == set(english)
    for key, text in japanese.items():
        assert _placeholders(str(text)) == _placeholders(str(english[key])), key


def test_english_methods_translate_every_japanese_entry() -> None:
    japanese, english = _yaml("methods_ja.yaml"), _yaml("methods_en.yaml")
    assert isinstance(japanese, list) and isinstance(english, list)
    assert [e["metrics_section"] for e in english] == [e["metrics_section"] for e in japanese]
    for ja, en in zip(japanese, english, strict=True):
        assert _placeholders(en["text"]) == _placeholders(ja["text"]), en["title"]
        assert i18n_free_of_japanese(en["title"] + en["text"]), en["title"]


def i18n_free_of_japanese(text: str) -> bool:
    return not any("\u3040" <= char <= "\u9fff" for char in text)


def test_japanese_is_the_default_and_english_formats_its_own_way() -> None:
    assert s("section_methods") == "集計方法" and fiscal_year(2025) == "2025年度"
    with reporting_in("en"):
        assert s("section_methods") == "Methods"
        assert fiscal_year(2025) == "FY2025"
        assert s("period", start=pd.Timestamp("2026-05-01"), end=pd.Timestamp("2026-05-31")) == (
            "2026-05-01 – 2026-05-31"
        )
    assert s("section_methods") == "集計方法"
    with pytest.raises(ValueError, match="fr"), reporting_in("fr"):
        pass


def test_a_string_missing_in_english_is_marked_and_listed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = i18n._strings

    def without_methods(lang: str) -> dict[str, str]:
        strings = dict(real(lang))
        if lang == "en":
            strings.pop("section_methods")
        return strings

    monkeypatch.setattr(i18n, "_strings", without_methods)
    with reporting_in("en"):
        assert s("section_methods") == f"{UNTRANSLATED_MARK} 集計方法"
        assert s("section_summary") == "Summary of results"
        listed = missing_translations()
    assert [(m.source, m.row, m.text) for m in listed] == [
        ("strings_en.yaml", "section_methods", "集計方法")
    ]


def test_catalog_english_by_key_marks_what_is_missing() -> None:
    items = pd.DataFrame(
        {
            "item_code": ["a", "b", "c"],
            "report_label_ja": ["自信", "不安", None],
            "report_label_en": ["confidence", None, None],
        }
    )
    english = CatalogEnglish({"items.csv": items})
    with reporting_in("en"):
        assert english.label("items.csv", ["a"], "report_label_ja", "自信") == "confidence"
        assert english.label("items.csv", ["b"], "report_label_ja", "不安") == (
            f"{UNTRANSLATED_MARK} 不安"
        )
        assert english.label("items.csv", ["c"], "report_label_ja", None) == ""
        listed = missing_translations()
    assert [(m.source, m.row, m.column, m.text) for m in listed] == [
        ("items.csv", "b", "report_label_en", "不安")
    ]


@pytest.mark.parametrize("catalog", [BUILTIN_CATALOG_DIR, EXAMPLE], ids=["mamabono", "example"])
def test_shipped_catalogs_are_fully_translated(catalog: Path) -> None:
    assert untranslated_cells(catalog) == []
    for file_name, translated in TRANSLATED_FILES.items():
        path = catalog / file_name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        present = [column for column in translated.columns if column in header]
        missing = [translated.columns[c] for c in present if translated.columns[c] not in header]
        assert missing == [], file_name


def test_catalog_check_counts_labels_without_english(tmp_path: Path) -> None:
    catalog = Path(shutil.copytree(EXAMPLE, tmp_path / "catalog"))
    items = catalog / "items.csv"
    frame = pd.read_csv(items, dtype=str, keep_default_na=False)
    frame.loc[frame.item_code == "lonely_feeling", "report_label_en"] = ""
    frame.to_csv(items, index=False)
    assert untranslated_cells(catalog) == [("items.csv", 5, "report_label_en")]
    assert "English labels: 1 missing in items.csv" in english_note(catalog)
    # a catalog without the English columns at all is still a catalog: only a note
    frame.drop(columns="report_label_en").to_csv(items, index=False)
    assert len(untranslated_cells(catalog)) == len(frame[frame.report_label_ja != ""])


def test_init_writes_the_english_columns() -> None:
    files = template_files()
    assert "report_label_en" in files["items.csv"][0]
    assert {"content_en", "indicator_en", "measurement_en"} <= set(files["indicators.csv"][0])
    assert "employment_status_en" in files["employment_statuses.csv"][0]
    assert "participants_label_en" in files["organisation.csv"][0]


def test_words_missing_in_a_worker_are_listed_where_the_report_met_them() -> None:
    """report/chart_worker.py: the outcome charts are drawn elsewhere while the report goes
    on; their untranslated words go where a rendering in one process would have listed them,
    and a word listed earlier keeps its first place."""
    worker = [
        i18n.MissingTranslation("items.csv", "q_chart", "report_label_en", "図の語"),
        i18n.MissingTranslation("items.csv", "q_table", "report_label_en", "表の語"),
    ]
    with reporting_in("en"):
        i18n.untranslated("表の語", "items.csv", "q_table", "report_label_en")  # a table, first
        at = len(missing_translations())
        i18n.untranslated("系列の語", "items.csv", "q_series", "report_label_en")  # later
        i18n.untranslated("図の語", "items.csv", "q_chart", "report_label_en")  # met again
        i18n.record_missing(worker, at=at)
        listed = [m.row for m in missing_translations()]
    assert listed == ["q_table", "q_chart", "q_series"]
