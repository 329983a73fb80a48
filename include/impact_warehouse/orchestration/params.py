"""Trigger-form parameters of the DAGs, built from the catalog so the form offers only real
choices (fiscal years, programs and survey waves that exist), with Japanese labels.

Built while Airflow parses the DAG files, so they must never fail: with an invalid catalog
(:func:`catalog_for_params` returns None) the form offers free fields instead of choices, the
DAGs still load, and their first task fails with the catalog's message and alerts staff.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import Param

from impact_warehouse.catalog import Catalog, load_catalog

log = logging.getLogger(__name__)

WAVE_TYPE_JA = {"pre": "事前", "post": "事後", "followup": "追跡", "comparison": "比較群"}
CATALOG_INVALID_NOTE = "(カタログにエラーがあるため選択肢を表示できません)"
# The label of the empty choice (null) in a dropdown; Airflow's form shows "null" otherwise.
# The key must be "null": the form falls back to a "None" entry for every unlabelled value.
NULL_CHOICE = "null"
ALL_LABEL = "(すべて)"
UNSET_LABEL = "(指定なし)"


def catalog_for_params() -> Catalog | None:
    """The catalog for the trigger forms, or None when it cannot be read (logged)."""
    try:
        return load_catalog()
    except Exception as error:  # any failure here would make the DAG file an import error
        log.warning("catalog invalid; trigger forms offer free fields: %s", error)
        return None


def fiscal_years(catalog: Catalog) -> list[int]:
    return sorted({wave.fiscal_year for wave in catalog.waves.values()})


def fiscal_year_param(
    catalog: Catalog | None, description: str, null_label: str = UNSET_LABEL
) -> Param:
    """A fiscal-year dropdown; ``null_label`` names its empty choice (what blank means)."""
    if catalog is None:
        return Param(
            None,
            type=["null", "integer"],
            title="年度 (fiscal year)",
            description=description + CATALOG_INVALID_NOTE,
        )
    years = fiscal_years(catalog)
    return Param(
        None,
        type=["null", "integer"],
        enum=[None, *years],
        title="年度 (fiscal year)",
        description=description,
        values_display={
            NULL_CHOICE: null_label,
            **{str(year): f"{year}年度 (FY{year})" for year in years},
        },
    )


PROGRAM_TITLE = "プログラム (program)"
PROGRAM_DESCRIPTION = "このプログラムのアンケートだけに絞る(空欄 = すべて。追跡調査は全体)"
WAVE_TITLE = "アンケート (survey wave)"
WAVE_DESCRIPTION = (
    "この1回のアンケートだけ取り込む(回答期間に関係なく取り込みます。空欄 = 条件に合うすべて)"
)


def ingest_params(catalog: Catalog | None) -> dict[str, Any]:
    """``scope``, ``fiscal_year``, ``program``, ``wave``, ``as_of`` of ``impact_ingest``."""
    return {
        "scope": Param(
            "interval",
            type="string",
            enum=["interval", "all"],
            title="範囲 (scope)",
            description=(
                "interval: この実行の期間(前月)に回答受付中のアンケートだけ取り込む(通常)。"
                "all: 受付を始めたすべてのアンケートを取り込む(バックフィル・取り直し)。"
                "どちらでも取り込み済みの回答は二重になりません。"
            ),
            values_display={
                "interval": "期間内に受付中のアンケート(通常)",
                "all": "受付開始済みのすべて(バックフィル)",
            },
        ),
        "fiscal_year": fiscal_year_param(
            catalog, "この年度のアンケートだけに絞る(空欄 = すべて)", null_label=ALL_LABEL
        ),
        "program": _program_param(catalog),
        "wave": _wave_param(catalog),
        "as_of": Param(
            None,
            type=["null", "string"],
            format="date",
            title="基準日 (as of)",
            description=(
                "この日までに受付を始めたアンケートを対象にする(空欄 = 今日)。"
                "デモデータで後の日付を再現するときに使います。"
            ),
        ),
    }


def _program_param(catalog: Catalog | None) -> Param:
    if catalog is None:
        return _free_text_param(PROGRAM_TITLE, PROGRAM_DESCRIPTION)
    programs = [code for code, program in catalog.programs.items() if program.has_outcome_survey]
    return Param(
        None,
        type=["null", "string"],
        enum=[None, *programs],
        title=PROGRAM_TITLE,
        description=PROGRAM_DESCRIPTION,
        values_display={
            NULL_CHOICE: ALL_LABEL,
            **{code: catalog.programs[code].program_name_ja for code in programs},
        },
    )


def _wave_param(catalog: Catalog | None) -> Param:
    if catalog is None:
        return _free_text_param(WAVE_TITLE, WAVE_DESCRIPTION)
    form_waves = sorted(
        (wave for wave in catalog.waves.values() if wave.source_system == "google_forms"),
        key=lambda wave: (wave.open_date, wave.wave_code),
    )
    return Param(
        None,
        type=["null", "string"],
        enum=[None, *(wave.wave_code for wave in form_waves)],
        title=WAVE_TITLE,
        description=WAVE_DESCRIPTION,
        values_display={
            NULL_CHOICE: ALL_LABEL,
            **{
                wave.wave_code: (
                    f"{wave.fiscal_year}年度 {WAVE_TYPE_JA.get(wave.wave_type, wave.wave_type)}"
                    f" {wave.wave_code}({wave.open_date}〜{wave.close_date})"
                )
                for wave in form_waves
            },
        },
    )


def _free_text_param(title: str, description: str) -> Param:
    return Param(
        None, type=["null", "string"], title=title, description=description + CATALOG_INVALID_NOTE
    )
