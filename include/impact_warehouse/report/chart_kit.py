"""What every chart of the report is made of: matplotlib (Agg) figures as inline SVG.

Text is drawn as outlines (``svg.fonttype = 'path'``), so a chart looks the same with no font
installed. A suppressed cell is an empty slot holding the suppression mark and the reason in
words, never a bar with a length (a hatched half bar read as a value). Every chart is a
:class:`Chart` whose id the page and the browser test share.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import matplotlib

from impact_warehouse.report.rounding import percent

matplotlib.use("Agg")

import matplotlib.style
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from impact_warehouse.report.cells import SUPPRESSED_MARK
from impact_warehouse.report.fonts import register_chart_font
from impact_warehouse.report.i18n import s

_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
WIDTH_INCHES = 8.0
# The good end of a scale is blue, the other end orange; a four-value scale gets exactly
# these four colours, any other number of values a blend of them.
GOOD_TO_BAD_COLOURS = ("#1f5f8b", "#6fa8d0", "#f2b880", "#d9653b")
PARTICIPANT_COLOUR = "#1f5f8b"
COMPARISON_COLOUR = "#b0b7bf"
PRE_COLOUR = "#b0b7bf"
POST_COLOUR = "#1f5f8b"
HIDDEN_TEXT_COLOUR = "#8a4b00"


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title_ja: str
    svg: str
    section: str
    caption_ja: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    # Empty slots drawn because their cell is suppressed (data-suppressed-bars in the page).
    suppressed_bars: int = 0


def svg_text(figure: Figure, chart_id: str) -> str:
    """The figure as an inline ``<svg>`` whose ids cannot clash with another chart's."""
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": chart_id}):
        # Drawn once at the figure's size: its constrained layout keeps axes, labels and titles
        # inside. A legend wider than its axes (long catalog labels) can still reach past the
        # edge; only then is the chart drawn again around everything (bbox_inches="tight",
        # which measures by drawing: done for every chart, a fifth of the report's time).
        text = _saved_svg(figure)
        if not _inside(figure.get_tightbbox(), figure.bbox_inches):
            text = _saved_svg(figure, bbox_inches="tight")
    text = text[text.index("<svg") :]
    # Inline SVG in HTML needs no namespace declarations or RDF metadata, and the page must
    # hold no URL at all (not even a namespace name), so a reviewer can grep for one.
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{chart_id}-{m.group(1)}"', text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{chart_id}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{chart_id}-{m.group(1)})", text)
    # Scale with the page: keep the viewBox, drop the fixed size.
    text = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r"<svg\1", text, count=1)
    return text.replace("<svg", '<svg role="img" class="chart-svg"', 1)


def _saved_svg(figure: Figure, **options: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, **options)
    return buffer.getvalue()


def _inside(box: Bbox, frame: Bbox, tolerance: float = 0.01) -> bool:
    """Does ``box`` (inches) lie within ``frame``, give or take ``tolerance`` inches?

    ``figure.get_tightbbox()`` measures text with the raster renderer, whose glyphs are a
    little wider than the SVG's: content within a few hundredths of an inch of the edge may be
    drawn again with the tight box (a chart slightly wider than the rest), never cut off."""
    return (
        box.x0 >= frame.x0 - tolerance
        and box.y0 >= frame.y0 - tolerance
        and box.x1 <= frame.x1 + tolerance
        and box.y1 <= frame.y1 + tolerance
    )


def error_extent(value: float, lower: float, upper: float) -> list[list[float]]:
    """``xerr``/``yerr`` of an interval around ``value``. A bound a rounding error on the
    wrong side of its value (a 0 % or 100 % share in a release built before the statistics
    clipped it) draws no bar: matplotlib refuses a negative one, which stopped the report."""
    return [[max(0.0, value - lower)], [max(0.0, upper - value)]]


def new_figure(height: float) -> Figure:
    return Figure(figsize=(WIDTH_INCHES, height), layout="constrained")


@contextmanager
def drawing_style() -> Iterator[None]:
    """matplotlib's own defaults with the report's style, whatever the calling process set:
    a chart is drawn the same in an Airflow task, a notebook that changed ``rcParams`` or the
    report's worker process (chart_worker.py), which never sees the caller's settings."""
    with matplotlib.style.context("default"), matplotlib.rc_context(chart_style()):
        yield


def chart_style() -> dict[str, object]:
    return {
        "font.family": register_chart_font(),
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        # Labels are catalog text: a "$" in a program or cohort name is a dollar sign, not
        # the start of matplotlib's math notation (which fails on an unknown macro).
        "text.parse_math": False,
    }


def hidden_reason(k: int) -> str:
    """Why a cell is not shown, in words a reader understands."""
    return s("hidden_reason", k=k)


def hidden_slot(ax: Axes, y: float, k: int, label: str = "", *, height: float = 0.6) -> None:
    """A suppressed bar: its slot stays empty, with the mark and the reason written at the
    axis (x in axes fractions, so the text sits at the start of any scale). An uncoloured bar
    of length 0 keeps the slot inside the axes, so the text never lands on the tick labels."""
    ax.barh(y, 0.0, height=height, color="none")
    ax.text(
        0.01,
        y,
        f"{label}{SUPPRESSED_MARK} {hidden_reason(k)}",
        transform=ax.get_yaxis_transform(),
        ha="left",
        va="center",
        fontsize=9,
        color=HIDDEN_TEXT_COLOUR,
    )


def percent_axis(ax: Axes, *, limit: float = 1.0) -> None:
    ax.set_xlim(0, limit)
    ticks = [tick / 100 for tick in range(0, int(limit * 100) + 1, 20)]
    ax.set_xticks(ticks, [f"{int(t * 100)}%" for t in ticks])


def pct(value: float | None) -> str:
    return "—" if value is None else f"{points(value)}%"


def points(share: float) -> str:
    """A share in percent, one decimal; -0.0 (a rounding error below 0) prints as 0.0."""
    return percent(share)


def interval_text(lower: float, upper: float) -> str:
    return f"[{points(lower)}, {points(upper)}]"


def wrap(text: str, width: int) -> str:
    """Japanese wraps at any character; English at spaces, about twice as many letters a
    line (a Latin letter is about half as wide as a kana)."""
    if not _CJK.search(text):
        return "\n".join(textwrap.wrap(text, width * 2)) or text
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def category_colours(count: int) -> list[str]:
    """``count`` colours from the good end of a scale to the other."""
    if count <= 1:
        return [GOOD_TO_BAD_COLOURS[0]]
    blend = LinearSegmentedColormap.from_list("good_to_bad", GOOD_TO_BAD_COLOURS)
    return [to_hex(blend(index / (count - 1))) for index in range(count)]


def is_dark(colour: str) -> bool:
    """White text reads on this colour (its luminance is low)."""
    red, green, blue = to_rgb(colour)
    return 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
