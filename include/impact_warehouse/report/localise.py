"""The catalog's labels in the report's language: the English report's data.

The report modules read the ``*_ja`` label columns of the reporting frames. For an English
report this module puts the catalog's English (the ``*_en`` column beside each Japanese one,
catalog/translations.py) into those same columns once, before any table or chart is made,
so the modules need no language logic of their own. The English comes from the release's
own catalog tables (``catalog.*``), so a report matches the release it is rendered from. A
label with no English is printed in Japanese behind i18n.UNTRANSLATED_MARK and listed
(i18n.missing_translations), never silently Japanese.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from typing import Any

import duckdb
import pandas as pd

from impact_warehouse.catalog import Organisation
from impact_warehouse.catalog.translations import TRANSLATED_FILES, english_column
from impact_warehouse.report.adjusted import AdjustedData
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.i18n import s, untranslated
from impact_warehouse.report.targets import TargetsSeriesData


def _text(value: Any) -> str:
    """A catalog value as the CSV wrote it (None/NaN → "", 4.0 → "4")."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class CatalogEnglish:
    """The English columns of the release's catalog tables, looked up by row key."""

    def __init__(self, tables: dict[str, pd.DataFrame]) -> None:
        self._rows: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}
        self._by_text: dict[tuple[str, str, str], tuple[tuple[str, ...], dict[str, str]]] = {}
        for file_name, frame in tables.items():
            translated = TRANSLATED_FILES[file_name]
            for record in frame.to_dict("records"):
                row = {column: _text(value) for column, value in record.items()}
                key = tuple(row.get(column, "") for column in translated.key_columns)
                self._rows[(file_name, key)] = row
                for column_ja in translated.columns:
                    if row.get(column_ja):
                        self._by_text.setdefault((file_name, column_ja, row[column_ja]), (key, row))

    def label(self, file_name: str, key: Iterable[Any], column_ja: str, japanese: Any) -> str:
        """The English of ``column_ja`` in the row ``key`` of ``file_name``, else marked."""
        text_ja = _text(japanese)
        key = tuple(_text(part) for part in key)
        column_en = english_column(file_name, column_ja)
        english = self._rows.get((file_name, key), {}).get(column_en, "")
        if english:
            return english
        if not text_ja:
            return text_ja
        return untranslated(text_ja, file_name, "|".join(key), column_en)

    def value(self, file_name: str, key: Iterable[Any], column: str) -> str:
        """Any column of the row ``key`` of ``file_name`` ("" when there is no such row)."""
        key = tuple(_text(part) for part in key)
        return self._rows.get((file_name, key), {}).get(column, "")

    def label_of_text(self, file_name: str, column_ja: str, japanese: Any) -> str:
        """The English of a Japanese label a reporting table copied without its row's key."""
        text_ja = _text(japanese)
        if not text_ja:
            return text_ja
        key, row = self._by_text.get((file_name, column_ja, text_ja), ((text_ja,), {}))
        return (
            self.label(file_name, key, column_ja, text_ja)
            if row
            else untranslated(text_ja, file_name, text_ja, english_column(file_name, column_ja))
        )


def read_catalog_english(connection: duckdb.DuckDBPyConnection) -> CatalogEnglish:
    """The translated catalog tables of the release (a table it lacks reads as empty)."""
    tables = {}
    for file_name in TRANSLATED_FILES:
        try:
            tables[file_name] = connection.execute(
                f"select * from catalog.{file_name.removesuffix('.csv')}"
            ).df()
        except duckdb.CatalogException:
            tables[file_name] = pd.DataFrame()
    return CatalogEnglish(tables)


def _replace(
    frame: pd.DataFrame, column: str, translate: Callable[[dict[str, Any]], str]
) -> pd.DataFrame:
    if frame.empty or column not in frame.columns:
        return frame
    frame = frame.copy()
    # A missing value stays missing (a label the row does not have is not untranslated).
    frame[column] = [
        row[column] if not _text(row[column]) else translate(row)
        for row in frame.to_dict("records")
    ]
    return frame


def _self_keyed(english: CatalogEnglish, frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """A catalog table's own label columns (the frame is the table)."""
    translated = TRANSLATED_FILES[file_name]
    for column_ja in translated.columns:
        frame = _replace(
            frame,
            column_ja,
            lambda row, column_ja=column_ja: english.label(
                file_name,
                [row.get(column) for column in translated.key_columns],
                column_ja,
                row[column_ja],
            ),
        )
    return frame


def _by_key(
    english: CatalogEnglish,
    frame: pd.DataFrame,
    column: str,
    file_name: str,
    key_columns: tuple[str, ...],
    column_ja: str | None = None,
) -> pd.DataFrame:
    """A reporting frame's copy of a catalog label, looked up by the frame's key columns."""
    return _replace(
        frame,
        column,
        lambda row: english.label(
            file_name, [row.get(key) for key in key_columns], column_ja or column, row[column]
        ),
    )


def _program_name(english: CatalogEnglish, row: dict[str, Any], column: str) -> str:
    # The total row is named by the reporting model ('合計'), not by the catalog.
    if row.get("program_code") in ("all", "all_programs") or not _text(row.get("program_code")):
        return s("total")
    return english.label("programs.csv", [row["program_code"]], column, row[column])


def _measure_label(english: CatalogEnglish, row: dict[str, Any]) -> str:
    kind, scale, measure = row.get("measure_kind"), row.get("scale_code"), row.get("measure")
    if kind == "share":
        return english.label(
            "scale_measures.csv", [scale, measure], "label_ja", row["measure_label_ja"]
        )
    if kind == "distribution":
        # The measure is value_<value_code>; a numeric scale has no labels, so its values
        # print as numbers (rpt_outcome_results), in every language.
        value = _text(measure).removeprefix("value_")
        if _text(row["measure_label_ja"]) == value:
            return value
        return english.label(
            "scale_labels.csv", [scale, value], "label_ja", row["measure_label_ja"]
        )
    if kind in ("mean", "shift"):
        return s(f"measure_{kind}")
    return _text(row["measure_label_ja"])


def _population_label(english: CatalogEnglish, row: dict[str, Any]) -> str:
    population = _text(row.get("population"))
    if population in ("respondents", "paired"):
        return s(f"population_{population}")
    # paired_<measure>_at_pre: the pairs whose pre answer met a follow-group measure.
    measure = population.removeprefix("paired_").removesuffix("_at_pre")
    label = english.label("scale_measures.csv", [row.get("scale_code"), measure], "label_ja", "")
    if not label:
        return untranslated(
            _text(row["population_label_ja"]),
            "scale_measures.csv",
            f"{_text(row.get('scale_code'))}|{measure}",
            "label_en",
        )
    return s("population_followed", label=label)


def localise_data(data: ReportData, english: CatalogEnglish) -> ReportData:
    """``data`` with every catalog label in English (or marked and listed)."""
    outcome = _localised_outcome_results(english, data.outcome_results)
    outputs = _localised_outputs(english, data.outputs)
    waves = _by_key(english, data.waves, "wave_type_ja", "wave_types.csv", ("wave_type",))
    waves = _by_key(english, waves, "targeted_population_ja", "waves.csv", ("wave_code",))
    return dataclasses.replace(
        data,
        outputs=outputs,
        employment=_by_key(
            english,
            data.employment,
            "employment_status_ja",
            "employment_statuses.csv",
            ("employment_status_code",),
        ),
        support_measures=_by_key(
            english,
            data.support_measures,
            "support_measure_type_ja",
            "support_measure_types.csv",
            ("support_measure_type",),
        ),
        cumulative=_replace(
            data.cumulative,
            "program_name_ja",
            lambda r: _program_name(english, r, "program_name_ja"),
        ),
        waves=waves,
        outcome_results=outcome,
        time_use=_replace(
            data.time_use,
            "source_ja",
            lambda r: english.label_of_text("time_use_reference.csv", "source_ja", r["source_ja"]),
        ),
        programs=_self_keyed(english, data.programs, "programs.csv"),
        indicators=_self_keyed(english, data.indicators, "indicators.csv"),
        items=_self_keyed(english, data.items, "items.csv"),
        organisation=localise_organisation(data.organisation, english),
        scales=_self_keyed(english, data.scales, "scales.csv"),
        scale_measures=_self_keyed(english, data.scale_measures, "scale_measures.csv"),
        scale_labels=_self_keyed(english, data.scale_labels, "scale_labels.csv"),
        wave_types=_self_keyed(english, data.wave_types, "wave_types.csv"),
        item_sections=_self_keyed(english, data.item_sections, "item_sections.csv"),
    )


def _localised_outcome_results(english: CatalogEnglish, outcome: pd.DataFrame) -> pd.DataFrame:
    """Item, indicator, wave type, population and measure labels of rpt_outcome_results."""
    for column, file_name, keys in (
        ("report_label_ja", "items.csv", ("item_code",)),
        ("indicator_ja", "indicators.csv", ("indicator_code",)),
        ("wave_type_ja", "wave_types.csv", ("wave_type",)),
    ):
        outcome = _by_key(english, outcome, column, file_name, keys)
    outcome = _replace(outcome, "population_label_ja", lambda row: _population_label(english, row))
    return _replace(outcome, "measure_label_ja", lambda row: _measure_label(english, row))


def _localised_outputs(english: CatalogEnglish, outputs: pd.DataFrame) -> pd.DataFrame:
    """Program names and categories of the outputs; the pooled row's category is "total"."""
    outputs = _replace(
        outputs, "program_name_ja", lambda r: _program_name(english, r, "program_name_ja")
    )
    return _replace(
        outputs,
        "category_ja",
        lambda r: (
            s("total")
            if r["program_code"] == "all"
            else english.label("programs.csv", [r["program_code"]], "category_ja", r["category_ja"])
        ),
    )


def localise_organisation(organisation: Organisation, english: CatalogEnglish) -> Organisation:
    """The profile with each Japanese field holding its English (report titles included)."""
    values = {}
    for column_ja, column_en in TRANSLATED_FILES["organisation.csv"].columns.items():
        text_en = getattr(organisation, column_en, "")
        text_ja = getattr(organisation, column_ja)
        values[column_ja] = text_en or (
            untranslated(text_ja, "organisation.csv", organisation.organisation_code, column_en)
            if text_ja
            else ""
        )
    del english  # the profile carries its own English (read_organisation)
    return dataclasses.replace(organisation, **values)


def localise_targets(data: TargetsSeriesData, english: CatalogEnglish) -> TargetsSeriesData:
    """The targets and series frames with the catalog's English labels."""

    def frame(rows: pd.DataFrame) -> pd.DataFrame:
        rows = _by_key(
            english,
            rows,
            "indicator_content_ja",
            "indicators.csv",
            ("indicator_code",),
            "content_ja",
        )
        rows = _by_key(english, rows, "wave_type_ja", "wave_types.csv", ("wave_type",))
        rows = _by_key(english, rows, "report_label_ja", "items.csv", ("item_code",))
        for column in ("source_ja", "note_ja"):
            rows = _replace(
                rows,
                column,
                lambda r, column=column: english.label_of_text(
                    "indicator_targets.csv", column, r[column]
                ),
            )
        return rows

    labels = {
        key: english.label("scale_measures.csv", key, "label_ja", label)
        for key, label in data.measure_labels.items()
    }
    return dataclasses.replace(
        data, targets=frame(data.targets), series=frame(data.series), measure_labels=labels
    )


def _adjusted_measure_label(english: CatalogEnglish, row: dict[str, Any]) -> str:
    scale = english.value("items.csv", [row.get("item_code")], "scale_code")
    return english.label(
        "scale_measures.csv", [scale, row.get("measure")], "label_ja", row["measure_label_ja"]
    )


def _covariate_level_label(english: CatalogEnglish, row: dict[str, Any]) -> str:
    level = _text(row.get("level"))
    if level == "missing":
        return s("adjusted_level_missing")
    if _text(row["level_label_ja"]) == level:  # a number with no label, in every language
        return level
    scale = english.value("items.csv", [row.get("item_code")], "scale_code")
    return english.label("scale_labels.csv", [scale, level], "label_ja", row["level_label_ja"])


def localise_adjusted(adjusted: AdjustedData, english: CatalogEnglish) -> AdjustedData:
    """The adjusted-estimates frames with the catalog's English labels (a covariate is an
    item of the catalog, so it is named by the item's report label)."""

    def outcome(rows: pd.DataFrame) -> pd.DataFrame:
        rows = _by_key(english, rows, "report_label_ja", "items.csv", ("item_code",))
        return _replace(rows, "measure_label_ja", lambda r: _adjusted_measure_label(english, r))

    balance = _by_key(
        english, adjusted.balance, "covariate_ja", "items.csv", ("item_code",), "report_label_ja"
    )
    balance = _replace(balance, "level_label_ja", lambda r: _covariate_level_label(english, r))
    return dataclasses.replace(
        adjusted,
        comparison=outcome(adjusted.comparison),
        shares=outcome(adjusted.shares),
        balance=balance,
    )
