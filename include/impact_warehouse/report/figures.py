"""Published figures by name, for narrative blocks: ``figure("<name>")``.

A name points at one published cell of the release the report is rendered from; nothing is
computed here but the display (rounded half up, as METRICS.md "Display rounding" says). The
grammar (documented in the README, "Narrative blocks"):

    <item_code>.<measure>.<wave_type>[.<part>]     reporting.rpt_outcome_results, programs
                                                   pooled ('all'), respondents population
    outputs.<program_code>.<column>                reporting.rpt_outputs ('all' = every program)
    time_use.<respondent_group>.<column>[.minutes] reporting.rpt_time_use, programs pooled

``<part>`` of an outcome figure: (none) the value; ``n`` the denominator; ``count`` the
numerator; ``ci`` the 95% interval; ``diff`` the difference to the comparison group in points
(follow-up rows); ``diff_ci`` its interval; ``comparison`` and ``comparison_n`` the
comparison group's share and denominator.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from impact_warehouse.report.cells import SUPPRESSED_MARK, clean
from impact_warehouse.report.i18n import s
from impact_warehouse.report.rounding import half_up

POOLED = "all"
RESPONDENTS = "respondents"

OUTCOME_PARTS = ("n", "count", "ci", "diff", "diff_ci", "comparison", "comparison_n")
OUTPUT_COLUMNS = {
    "cohorts_run": "count",
    "projects": "count",
    "participations": "count",
    "participants": "count",
    "organisations": "count",
    "multi_person_projects": "count",
    "multi_person_project_share": "share",
}
TIME_USE_COLUMNS = {
    "respondents": "count",
    "self_hours_mean": "hours",
    "partner_hours_mean": "hours",
    "partner_share": "share",
    "self_difference_hours": "hours_diff",
    "partner_difference_hours": "hours_diff",
    "partner_share_difference_points": "points",
}


class UnknownFigureError(LookupError):
    """The name is not in the grammar, or the release has no such published cell."""


def _signed(number: Decimal) -> str:
    return f"+{number}" if number > 0 else ("0.0" if number == 0 else str(number))


def display(value: float, unit: str) -> str:
    """A figure as the report's tables print it (share 75.6%, points +35.3pt, hours 1.25)."""
    if unit == "share":
        return f"{half_up(value * 100, 1)}%"
    if unit == "count":
        return f"{int(value):,}"
    if unit == "points":
        return f"{_signed(half_up(value, 1))}pt"
    if unit == "hours":
        return f"{half_up(value, 2)}"
    if unit == "hours_diff":
        return f"{_signed(half_up(value, 2))}"
    if unit == "minutes":
        return f"{half_up(value * 60, 0)}"
    return f"{half_up(value, 2)}"


def _interval(lower: Any, upper: Any, unit: str) -> str | None:
    lower, upper = clean(lower), clean(upper)
    if lower is None or upper is None:
        return None
    if unit == "share":
        return f"[{half_up(lower * 100, 1)}, {half_up(upper * 100, 1)}]"
    return f"[{_signed(half_up(lower, 1))}, {_signed(half_up(upper, 1))}]"


@dataclass(frozen=True)
class Figure:
    """One resolved figure: its text, or suppressed (the text is then the mark)."""

    name: str
    text: str
    suppressed: bool = False


class FigureResolver:
    """Resolves figure names against one fiscal year's published reporting rows."""

    def __init__(
        self,
        outcome_results: pd.DataFrame,
        outputs: pd.DataFrame | None = None,
        time_use: pd.DataFrame | None = None,
        *,
        k: int = 5,
    ) -> None:
        rows = outcome_results
        if not rows.empty:
            rows = rows[(rows.program_code == POOLED) & (rows.population == RESPONDENTS)]
        self.outcomes = rows
        self.outputs = outputs if outputs is not None else pd.DataFrame()
        self.time_use = time_use if time_use is not None else pd.DataFrame()
        self.k = k

    @classmethod
    def for_report(cls, data: Any, k: int) -> FigureResolver:
        """From a ReportData (report/data.py), the rows the report itself shows."""
        return cls(data.outcome_results, data.outputs, data.time_use, k=k)

    def resolve(self, name: str) -> Figure:
        parts = name.split(".")
        resolvers: dict[str, Callable[[list[str]], Figure]] = {
            "outputs": self._output,
            "time_use": self._time_use,
        }
        if parts[0] in resolvers:
            return resolvers[parts[0]](parts)
        return self._outcome(parts)

    def html(self, name: str) -> str:
        """The figure as an HTML span that names its source (a reader or a test can trace it)."""
        figure = self.resolve(name)
        escaped = html.escape(name)
        if figure.suppressed:
            return (
                f'<span class="figure suppressed" data-figure="{escaped}" data-suppressed="true"'
                f' title="{html.escape(s("suppressed_title", k=self.k))}">{SUPPRESSED_MARK}</span>'
                f'<span class="figure-note">{html.escape(s("figure_suppressed_note", k=self.k))}'
                "</span>"
            )
        return f'<span class="figure" data-figure="{escaped}">{html.escape(figure.text)}</span>'

    # --- rpt_outcome_results ----------------------------------------------------------------

    def _outcome(self, parts: list[str]) -> Figure:
        name = ".".join(parts)
        if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3] not in OUTCOME_PARTS):
            raise UnknownFigureError(
                f"expected <item>.<measure>.<wave>[.{'|'.join(OUTCOME_PARTS)}], got {name!r}"
            )
        item, measure, wave = parts[:3]
        part = parts[3] if len(parts) == 4 else ""
        rows = self.outcomes
        if not rows.empty:
            rows = rows[
                (rows.item_code == item) & (rows.measure == measure) & (rows.wave_type == wave)
            ]
        if rows.empty:
            raise UnknownFigureError(
                f"no published row for item {item!r}, measure {measure!r}, wave {wave!r}"
                " (programs pooled, respondents)"
            )
        row = rows.iloc[0]
        if bool(row.is_suppressed):
            return Figure(name, SUPPRESSED_MARK, suppressed=True)
        unit = "share" if row.measure_kind in ("share", "distribution") else "mean"
        value: Any
        text: str | None
        if part == "ci":
            text = _interval(row.ci_lower, row.ci_upper, unit)
        elif part == "diff_ci":
            text = _interval(row.difference_ci_lower, row.difference_ci_upper, "points")
        else:
            column, shown = {
                "": ("value", unit),
                "n": ("denominator", "count"),
                "count": ("numerator", "count"),
                "diff": ("difference_points", "points"),
                "comparison": ("comparison_value", unit),
                "comparison_n": ("comparison_denominator", "count"),
            }[part]
            value = clean(row[column]) if column in row.index else None
            text = None if value is None else display(value, shown)
        if text is None:
            raise UnknownFigureError(f"the published row of {'.'.join(parts[:3])} has no {part}")
        return Figure(name, text)

    # --- rpt_outputs and rpt_time_use --------------------------------------------------------

    def _output(self, parts: list[str]) -> Figure:
        name = ".".join(parts)
        if len(parts) != 3 or parts[2] not in OUTPUT_COLUMNS:
            raise UnknownFigureError(
                f"expected outputs.<program_code>.<{'|'.join(OUTPUT_COLUMNS)}>, got {name!r}"
            )
        return self._row_figure(name, self.outputs, "program_code", parts[1], parts[2], "")

    def _time_use(self, parts: list[str]) -> Figure:
        name = ".".join(parts)
        minutes = len(parts) == 4 and parts[3] == "minutes"
        if (
            len(parts) not in (3, 4)
            or parts[2] not in TIME_USE_COLUMNS
            or (
                len(parts) == 4 and not (minutes and TIME_USE_COLUMNS[parts[2]].startswith("hours"))
            )
        ):
            raise UnknownFigureError(
                f"expected time_use.<group>.<{'|'.join(TIME_USE_COLUMNS)}>[.minutes]"
                f" (minutes for hours only), got {name!r}"
            )
        rows = self.time_use
        if not rows.empty and "program_code" in rows.columns:
            codes = rows.program_code
            pooled = rows[codes.isin([POOLED, "all_programs"]) | codes.isna()]
            rows = pooled if not pooled.empty else rows
        return self._row_figure(
            name, rows, "respondent_group", parts[1], parts[2], "minutes" if minutes else ""
        )

    @staticmethod
    def _row_figure(
        name: str, rows: pd.DataFrame, key: str, code: str, column: str, unit: str
    ) -> Figure:
        if not rows.empty:
            rows = rows[rows[key] == code]
        if rows.empty or column not in rows.columns:
            raise UnknownFigureError(f"no published row with {key} {code!r} and {column}")
        row = rows.iloc[0]
        if bool(clean(row.get("is_suppressed")) or False):
            return Figure(name, SUPPRESSED_MARK, suppressed=True)
        value = clean(row[column])
        if value is None:
            raise UnknownFigureError(f"the published row {key}={code!r} has no {column}")
        # Minutes read as prose ("約36分長い"): a plain number, signed only when negative.
        shown = unit or OUTPUT_COLUMNS.get(column) or TIME_USE_COLUMNS[column]
        return Figure(name, display(value, shown))
