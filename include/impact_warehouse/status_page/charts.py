"""The daily cumulative response-rate curve of a wave (or cohort), last year's beside it.

Drawn with the report's chart kit (matplotlib as inline SVG, text as outlines, the report's
font and colours), so the page looks like the report and the browser layout checks apply.
Labels sit in a legend under the axes, never on the lines, so no two texts can overlap.
"""

from __future__ import annotations

import re

from impact_warehouse.report.chart_kit import (
    COMPARISON_COLOUR,
    PARTICIPANT_COLOUR,
    drawing_style,
    new_figure,
    svg_text,
)
from impact_warehouse.status_page.data import Breakdown, Point, WaveStatus

TARGET_COLOUR = "#2e7d32"
FLOOR_COLOUR = "#d9653b"
CHART_HEIGHT_INCHES = 3.2


def chart_id(wave: WaveStatus, breakdown: Breakdown) -> str:
    """An HTML id from catalog codes (letters, digits, hyphens)."""
    raw = f"progress-{wave.wave_code}-{breakdown.code}"
    return re.sub(r"[^A-Za-z0-9-]+", "-", raw)


def _series(points: list[Point]) -> tuple[list[int], list[float]]:
    kept = [p for p in points if p.response_rate is not None]
    return [p.days_since_open for p in kept], [float(p.response_rate) for p in kept]


def progress_chart(wave: WaveStatus, breakdown: Breakdown) -> str:
    """The chart as inline SVG: this year's curve, last year's whole wave, target and floor."""
    with drawing_style():
        figure = new_figure(CHART_HEIGHT_INCHES)
        ax = figure.add_subplot()
        days, rates = _series(breakdown.curve)
        if wave.previous_curve:
            previous_days, previous_rates = _series(wave.previous_curve)
            ax.plot(
                previous_days,
                previous_rates,
                color=COMPARISON_COLOUR,
                linewidth=2,
                linestyle="--",
                label=f"前年度({wave.fiscal_year - 1}年度)の同じアンケート・全体",
            )
        ax.plot(
            days,
            rates,
            color=PARTICIPANT_COLOUR,
            linewidth=2.5,
            marker="o" if len(days) == 1 else None,
            label=f"{wave.fiscal_year}年度・{breakdown.label_ja}",
        )
        if wave.target is not None:
            ax.axhline(wave.target, color=TARGET_COLOUR, linewidth=1, label="目標")
        if wave.floor is not None:
            ax.axhline(
                wave.floor, color=FLOOR_COLOUR, linewidth=1, linestyle=":", label="最低ライン"
            )
        ax.axvline(wave.window_days, color="#5b6470", linewidth=0.8, linestyle="-.", label="締切")
        ax.set_xlim(0, max(wave.window_days, 1))
        ax.set_ylim(0, 1.0)
        ticks = [tick / 100 for tick in range(0, 101, 20)]
        ax.set_yticks(ticks, [f"{int(t * 100)}%" for t in ticks])
        ax.set_xlabel("回答開始からの日数")
        ax.set_ylabel("回答率(累計)")
        ax.grid(axis="y", color="#d7dce1", linewidth=0.6)
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.28),
            ncols=3,
            frameon=False,
            fontsize=9,
        )
        return svg_text(figure, chart_id(wave, breakdown))
