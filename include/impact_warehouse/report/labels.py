"""Names the report prints, read from the catalog of the release (never from code).

The only words used here are the vocabulary of any logic model (output, short-term and
mid-term outcomes) and of the report itself (全体, 事前, 事後), read from strings_<lang>.yaml;
everything that names an organisation, a program, an indicator, a scale value or a measure
comes from the seeds (in English from their *_en columns, report/localise.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from impact_warehouse.report.data import ReportData
from impact_warehouse.report.i18n import language, s

# Logic-model horizons (indicators.csv indicator_type); an unknown type prints as its code.
INDICATOR_TYPES = ("output", "short_term", "mid_term", "long_term")
WAVE_TYPES_SHORT = ("pre", "post", "followup", "comparison")


class _Words(dict[str, str]):
    """A fixed vocabulary read in the report's language when used (i18n.s), so the names
    below keep working as the dicts the section modules import."""

    def __init__(self, prefix: str, codes: Iterable[str]) -> None:
        super().__init__({code: code for code in codes})
        self._prefix = prefix

    def __getitem__(self, code: str) -> str:
        super().__getitem__(code)  # KeyError for an unknown code, as a dict
        return s(f"{self._prefix}{code}")

    def get(self, code: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[code] if code in self.keys() else default


INDICATOR_TYPE_JA = _Words("indicator_type_", INDICATOR_TYPES)
WAVE_TYPE_SHORT_JA = _Words("wave_short_", WAVE_TYPES_SHORT)


def all_programs() -> str:
    """The pooled row's name (全体, All programs)."""
    return s("all_programs")


def participants_ja(data: ReportData) -> str:
    """How the organisation names its participants (organisation.csv, e.g. ママボノ参加者)."""
    return data.organisation.participants_label_ja


def comparison_ja(data: ReportData) -> str:
    """How the organisation names its comparison group (organisation.csv)."""
    return data.organisation.comparison_group_label_ja


def respondent_group_ja(data: ReportData, group: str) -> str:
    """A time-use row's group in the organisation's words."""
    return {
        "followup": s("respondent_group_followup", participants=participants_ja(data)),
        "comparison": s("respondent_group_comparison", comparison=comparison_ja(data)),
        "national_reference": s("respondent_group_national"),
    }.get(group, group)


def program_name(data: ReportData, program_code: str) -> str:
    if program_code in ("all", "all_programs"):
        return all_programs()
    names = dict(zip(data.programs.program_code, data.programs.program_name_ja, strict=True))
    return names.get(program_code, program_code)


def indicator_title(data: ReportData, indicator_code: str) -> str:
    row = data.indicators.set_index("indicator_code").loc[indicator_code]
    return f"{row.indicator_symbol}{_symbol_space()}{row.content_ja}"


def _symbol_space() -> str:
    # ①自信 in Japanese; "① Confidence" in English, where a symbol glued to a word reads badly.
    return "" if language() == "ja" else " "


def indicator_type_ja(indicator_type: str) -> str:
    return INDICATOR_TYPE_JA.get(indicator_type, indicator_type)


def symbol_range(symbols: Iterable[str]) -> str:
    """④〜⑩ for a run of three or more indicators, ⑥⑦ for two, ⑮ for one."""
    listed = list(dict.fromkeys(symbols))
    if len(listed) <= 2:
        return "".join(listed)
    return f"{listed[0]}{s('range_separator')}{listed[-1]}"


def indicator_symbols(data: ReportData, indicator_codes: Iterable[str]) -> str:
    wanted = set(indicator_codes)
    rows = data.indicators[data.indicators.indicator_code.isin(wanted)]
    return symbol_range(rows.sort_values("indicator_code").indicator_symbol)


def wave_type_ja(data: ReportData, wave_type: str) -> str:
    names = dict(zip(data.wave_types.wave_type, data.wave_types.wave_type_ja, strict=True))
    return names.get(wave_type, wave_type)


def scale_measures(data: ReportData, scale_code: str) -> pd.DataFrame:
    return data.scale_measures[data.scale_measures.scale_code == scale_code]


def needs_measure_label(data: ReportData, scale_code: str) -> bool:
    """Whether an item's share must say what it counts next to the item's label.

    A scale with one measure where more is better (agree, yes) reads plainly from the item;
    a scale with several measures, or one where a larger share is bad (anxious, lonely),
    names the measure so the share is never read as generically "positive" (METRICS.md
    "Labels of direction").
    """
    measures = scale_measures(data, scale_code)
    return len(measures) != 1 or measures.good_direction.iloc[0] != "higher"


def lower_is_better_note(rows: pd.DataFrame) -> str:
    """A sentence naming the measures of these rows where a larger share is bad."""
    lower = rows[(rows.measure_kind == "share") & (rows.good_direction == "lower")]
    labels = list(dict.fromkeys(lower.measure_label_ja.dropna()))
    if not labels:
        return ""
    quoted = s("quote_separator").join(s("quoted", text=label) for label in labels)
    return s("lower_is_better", labels=quoted)


def high_values_are_good(data: ReportData, scale_code: str) -> bool:
    """Whether the scale's good end is its high values, from its primary measure's rule.

    ``agree >= 3`` (higher is better) and ``anxious <= 5`` (lower is better) both make high
    values good; ``lonely >= 4`` (lower is better) makes low values good. Distributions are
    drawn good end first, so the same colour means the same thing on every scale.
    """
    measures = scale_measures(data, scale_code)
    if measures.empty:
        return True
    primary = measures[measures.is_primary.astype(bool)]
    row: Any = (primary if not primary.empty else measures).iloc[0]
    counts_high_values = row.operator in (">=", "=")
    return counts_high_values == (row.good_direction == "higher")
