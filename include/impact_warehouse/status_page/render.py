"""Write the response status page: one self-contained HTML file for staff.

The page borrows the report's stylesheet (report/templates/report.css) and embedded font
subset (report/fonts.py), so it reads as part of the same publication, and like the report
it needs no network: the CSS, the font and the SVG charts are inline, there is no script.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from impact_warehouse.report.chart_kit import pct as report_pct
from impact_warehouse.report.fonts import subset_font_face
from impact_warehouse.report.page import template_environment
from impact_warehouse.settings import Settings
from impact_warehouse.status_page.charts import chart_id, progress_chart
from impact_warehouse.status_page.data import (
    RECENTLY_CLOSED_DAYS,
    Breakdown,
    StatusData,
    WaveStatus,
    load_status,
)
from impact_warehouse.status_page.location import status_page_path

TITLE = "アンケートの回答状況"
_FONT_FACE_SLOT = "/*status-page-font-face*/"
_WEEKDAYS = "月火水木金土日"


@dataclass(frozen=True)
class PageChart:
    id: str
    title: str
    svg: jinja2.utils.markupsafe.Markup
    note: str


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日({_WEEKDAYS[value.weekday()]})"


def _pct(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.0f}%" if decimals == 0 else report_pct(value)


def _needed(count: int | None) -> str:
    if count is None:
        return "—"
    return "達成" if count == 0 else f"あと{count}人"


def _state(wave: WaveStatus, breakdown: Breakdown) -> tuple[str, str]:
    """CSS class and words: met the target, below it, or below the floor."""
    rate = breakdown.response_rate
    if rate is None:
        return "", "対象者なし"
    if wave.target is not None and breakdown.still_needed(wave.target) == 0:
        return "state-met", "目標達成"
    if wave.floor is not None and breakdown.still_needed(wave.floor) != 0:
        return "state-below-floor", "最低ライン未満"
    return "state-below-target", "目標未達"


def _previous_text(wave: WaveStatus, breakdown: Breakdown) -> str:
    # The days the shown curve has reached, compared with last year on the same day.
    reached = breakdown.curve[-1].days_since_open if breakdown.curve else 0
    point = wave.previous_at(reached)
    if point is None:
        return "—"
    final = wave.previous_curve[-1]
    return f"{_pct(point.response_rate)}(最終 {_pct(final.response_rate)})"


def _charts(wave: WaveStatus) -> list[PageChart]:
    # A wave of one cohort: its cohort curve is the whole wave's; one chart says it all.
    shown = [wave.whole] + (wave.cohorts if len(wave.cohorts) > 1 else [])
    previous = (
        f"点線は前年度の同じアンケート({wave.previous_label_ja})の全体の回答率を、"
        "回答開始からの日数でそろえたものです。"
        if wave.previous_curve
        else "前年度の同じアンケートの記録はありません。"
    )
    return [
        PageChart(
            id=chart_id(wave, breakdown),
            title=f"回答率の推移:{breakdown.label_ja}",
            svg=jinja2.utils.markupsafe.Markup(progress_chart(wave, breakdown)),
            note=previous,
        )
        for breakdown in shown
    ]


def _environment() -> jinja2.Environment:
    # report.css: the same look as the report.
    environment = template_environment("impact_warehouse.status_page")
    environment.globals.update(
        day=_day, pct=_pct, needed=_needed, state_of=_state, previous_text=_previous_text
    )
    return environment


def render_html(
    data: StatusData, *, rendered_at: datetime | None = None, font_cache: Path | None = None
) -> str:
    """The page's HTML, with the font subset to exactly the characters it uses (subsets kept
    in ``font_cache`` for the next page: report/fonts.py)."""
    moment = (rendered_at or datetime.now(UTC)).astimezone(ZoneInfo(data.time_zone))
    page = (
        _environment()
        .get_template("status.html.j2")
        .render(
            data=data,
            title=TITLE,
            rendered_at=f"{_day(moment.date())} {moment:%H:%M}",
            charts={wave.wave_code: _charts(wave) for wave in data.open_waves},
            recent_days=RECENTLY_CLOSED_DAYS,
            font_face=jinja2.utils.markupsafe.Markup(_FONT_FACE_SLOT),
        )
    )
    return page.replace(_FONT_FACE_SLOT, subset_font_face(page, cache_dir=font_cache), 1)


def render_status_page(settings: Settings, *, audit_db: Path, as_of: date | None = None) -> Path:
    """Write the page for ``as_of`` (default: today in the organisation's time zone) from the
    audit warehouse and return its path. Raises
    :class:`~impact_warehouse.status_page.data.StatusPageError` when the warehouse cannot
    feed it (its ``staff_message`` says what to do)."""
    return write_status_page(settings, load_status(Path(audit_db), as_of))


def write_status_page(settings: Settings, data: StatusData) -> Path:
    """Draw the page of figures already read (:func:`load_status`) and return its path: the
    release job reads them right after the build and draws while the gate runs."""
    html = render_html(data, font_cache=settings.font_cache)
    target = status_page_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed, so a member of staff never opens half a page.
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".index-", suffix=".html")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(html)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
