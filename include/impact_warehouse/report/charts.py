"""The report's charts: matplotlib (Agg) figures written as inline SVG.

Text is drawn as outlines (``svg.fonttype = 'path'``), so a chart looks the same with no font
installed. Suppressed cells are drawn as hatched grey bars labelled with the suppression mark,
never as a bar of height 0. Every chart is a :class:`Chart` whose id the page and the browser
test share.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from impact_warehouse.catalog import Organisation
from impact_warehouse.report.cells import SUPPRESSED_MARK, clean
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.fonts import register_chart_font
from impact_warehouse.report.tables import (
    indicator_title,
    measure_label,
    respondent_group_ja,
)

WIDTH_INCHES = 8.0
LIKERT_COLOURS = ("#1f5f8b", "#6fa8d0", "#f2b880", "#d9653b")
PARTICIPANT_COLOUR = "#1f5f8b"
COMPARISON_COLOUR = "#b0b7bf"
REFERENCE_COLOUR = "#e0c27a"
PRE_COLOUR = "#b0b7bf"
POST_COLOUR = "#1f5f8b"
HATCH_FACE = "#eeeeee"
HATCH_EDGE = "#888888"
POPULATION_LINES_JA = {
    "respondents": "各回の回答者\n（非ペア）",
    "paired": "事前・事後の両方に\n回答（ペア）",
    "paired_strongly_anxious_at_pre": "事前の不安が強い層\n（1〜3点, ペア）",
}


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title_ja: str
    svg: str
    section: str
    caption_ja: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    # Bars drawn hatched because their cell is suppressed (data-suppressed-bars in the page).
    suppressed_bars: int = 0


def _svg(figure: Figure, chart_id: str) -> str:
    """The figure as an inline ``<svg>`` whose ids cannot clash with another chart's."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": chart_id}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
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


def _figure(height: float) -> Figure:
    return Figure(figsize=(WIDTH_INCHES, height), layout="constrained")


def _chart_style() -> dict[str, object]:
    return {
        "font.family": register_chart_font(),
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _hatched(ax: Axes, y: float, height: float, label: str = "", *, width: float = 1.0) -> None:
    ax.barh(
        y, width, height=height, color=HATCH_FACE, edgecolor=HATCH_EDGE, hatch="///", linewidth=0.6
    )
    ax.text(
        width / 2,
        y,
        f"{SUPPRESSED_MARK} 非表示{label}",
        ha="center",
        va="center",
        fontsize=9,
        color="#333333",
    )


def _percent_axis(ax: Axes, *, limit: float = 1.0) -> None:
    ax.set_xlim(0, limit)
    ticks = [tick / 100 for tick in range(0, int(limit * 100) + 1, 20)]
    ax.set_xticks(ticks, [f"{int(t * 100)}%" for t in ticks])


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{_points(value)}%"


def _points(share: float) -> str:
    """A share in percent, one decimal; -0.0 (a rounding error below 0) prints as 0.0."""
    return f"{round(share * 100, 1) + 0.0:.1f}"


def _interval_text(lower: float, upper: float) -> str:
    return f"[{_points(lower)}, {_points(upper)}]"


def likert_chart(data: ReportData, indicator_code: str, rows: pd.DataFrame, k: int) -> Chart:
    """100% stacked bars of the four likert answers, one bar per item (programs pooled)."""
    labels = list(data.likert_labels.label_ja)
    figure = _figure(0.55 * len(rows) + 1.2)
    ax = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]
    for y, row in zip(positions, rows.itertuples(index=False), strict=True):
        if row.is_suppressed:
            _hatched(ax, y, 0.6, f"（N<{k}）")
            continue
        left = 0.0
        shares = (
            row.share_agree,
            row.share_somewhat_agree,
            row.share_somewhat_disagree,
            row.share_disagree,
        )
        for share, colour, label in zip(shares, LIKERT_COLOURS, labels, strict=True):
            ax.barh(
                y,
                share,
                left=left,
                height=0.6,
                color=colour,
                label=label if y == positions[0] else None,
            )
            if share >= 0.06:
                ax.text(
                    left + share / 2,
                    y,
                    f"{share * 100:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if colour in LIKERT_COLOURS[:1] else "#222",
                )
            left += share
        ax.text(
            1.02,
            y,
            f"N={int(row.respondents)}  肯定 {_pct(row.share)}\n"
            + _interval_text(row.share_ci_lower, row.share_ci_upper),
            va="center",
            fontsize=8.5,
        )
    ax.set_yticks(positions, [_wrap(label, 18) for label in rows.report_label_ja])
    _percent_axis(ax)
    ax.legend(ncols=4, loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=8.5)
    title = indicator_title(data, indicator_code)
    chart_id = f"chart-short-term-{indicator_code}"
    return Chart(
        chart_id,
        title,
        _svg(figure, chart_id),
        "short_term",
        "右の数値は回答者数 N、肯定的回答（そう思う＋ややそう思う）の割合と95%信頼区間。",
        {"data-indicator": indicator_code, "data-items": str(len(rows))},
        suppressed_bars=int(rows.is_suppressed.astype(bool).sum()),
    )


def _wrap(text: str, width: int) -> str:
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def score_distribution_chart(data: ReportData, item_code: str, k: int) -> Chart | None:
    """Shares of the ten answers before and after (every respondent of each wave)."""
    rows = data.pre_post[
        (data.pre_post.program_code == "all")
        & (data.pre_post.population == "respondents")
        & (data.pre_post.item_code == item_code)
    ]
    if rows.empty:
        return None
    figure = _figure(3.0)
    ax = figure.add_subplot()
    scores = list(range(1, 11))
    legend = []
    hidden = 0
    for offset, wave, colour, name in (
        (-0.2, "pre", PRE_COLOUR, "事前"),
        (0.2, "post", POST_COLOUR, "事後"),
    ):
        wave_rows = rows[rows.wave_type == wave]
        if wave_rows.empty:
            continue
        row = wave_rows.iloc[0]
        xs = [score + offset for score in scores]
        if row.is_suppressed:
            ax.bar(xs, [0.02] * 10, width=0.4, color=HATCH_FACE, edgecolor=HATCH_EDGE, hatch="///")
            legend.append(f"{name}: {SUPPRESSED_MARK} 非表示（N<{k}）")
            hidden += 1
            continue
        shares = [row[f"share_score_{score:02d}"] for score in scores]
        ax.bar(xs, shares, width=0.4, color=colour)
        headline = row.headline_measure
        legend.append(
            f"{name}: N={int(row.respondents)}, "
            f"{'6点以上' if headline == 'confident' else '5点以下'} {_pct(row.headline_share)}"
            f" {_interval_text(row.headline_ci_lower, row.headline_ci_upper)}"
        )
    ax.legend(legend, loc="upper left", frameon=False, fontsize=8.5)
    ax.set_xticks(scores, [f"{score}" for score in scores])
    ax.set_xlabel(
        "回答（10段階）" + ("  1 = 最も不安が強い" if item_code == "return_anxiety" else "")
    )
    ax.yaxis.set_major_formatter(lambda value, _: f"{value * 100:.0f}%")
    label = rows.report_label_ja.iloc[0]
    chart_id = f"chart-pre-post-distribution-{item_code}"
    return Chart(
        chart_id,
        f"{label}：回答の分布（事前・事後）",
        _svg(figure, chart_id),
        "pre_post",
        "各回の回答者（非ペア）の分布。",
        {"data-item": item_code},
        suppressed_bars=hidden,
    )


def pre_post_headline_chart(data: ReportData, item_code: str, k: int) -> Chart | None:
    """The headline share before and after, per population, with Wilson intervals."""
    rows = data.pre_post[
        (data.pre_post.program_code == "all") & (data.pre_post.item_code == item_code)
    ]
    if rows.empty:
        return None
    populations = [p for p in POPULATION_LINES_JA if (rows.population == p).any()]
    figure = _figure(0.9 * len(populations) + 1.0)
    ax = figure.add_subplot()
    headline = rows.headline_measure.iloc[0]
    hidden = 0
    for index, population in enumerate(populations):
        base = (len(populations) - 1 - index) * 1.0
        for offset, wave, colour, name in (
            (0.18, "pre", PRE_COLOUR, "事前"),
            (-0.18, "post", POST_COLOUR, "事後"),
        ):
            match = rows[(rows.population == population) & (rows.wave_type == wave)]
            y = base + offset
            if match.empty:
                continue
            row = match.iloc[0]
            if row.is_suppressed:
                _hatched(ax, y, 0.32, f"（{name}）", width=0.5)
                hidden += 1
                continue
            value = row.headline_share
            ax.barh(y, value, height=0.32, color=colour, label=name if index == 0 else None)
            ax.errorbar(
                value,
                y,
                xerr=[[value - row.headline_ci_lower], [row.headline_ci_upper - value]],
                fmt="none",
                ecolor="#333",
                capsize=3,
                linewidth=0.8,
            )
            ax.text(
                1.02,
                y,
                f"{name} {_pct(value)} (N={int(row.respondents)})",
                va="center",
                fontsize=8.5,
            )
    ax.set_yticks(
        [(len(populations) - 1 - i) * 1.0 for i in range(len(populations))],
        [POPULATION_LINES_JA[p] for p in populations],
    )
    _percent_axis(ax)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False, fontsize=8.5)
    measure_ja = "6点以上（自信がある）" if headline == "confident" else "5点以下（不安がある）"
    label = rows.report_label_ja.iloc[0]
    chart_id = f"chart-pre-post-headline-{item_code}"
    return Chart(
        chart_id,
        f"{label}：{measure_ja}の割合",
        _svg(figure, chart_id),
        "pre_post",
        "ひげは95%信頼区間（Wilson）。ペアと不安が強い層は事前・事後の両方に回答した人。",
        {"data-item": item_code},
        suppressed_bars=hidden,
    )


def comparison_chart(
    chart_id: str,
    title: str,
    section: str,
    rows: pd.DataFrame,
    k: int,
    *,
    labels: Sequence[str],
    caption: str,
    attributes: dict[str, str],
    organisation: Organisation,
) -> Chart:
    """Paired bars, participants against the comparison panel, with the difference."""
    figure = _figure(0.95 * len(rows) + 1.0)
    ax = figure.add_subplot()
    count = len(rows)
    for index, row in enumerate(rows.itertuples(index=False)):
        base = (count - 1 - index) * 1.0
        if row.is_suppressed:
            _hatched(ax, base, 0.6, f"（N<{k}）")
            continue
        for offset, value, lower, upper, n, colour, name in (
            (
                0.17,
                row.share,
                row.share_ci_lower,
                row.share_ci_upper,
                row.respondents,
                PARTICIPANT_COLOUR,
                organisation.participants_label_ja,
            ),
            (
                -0.17,
                row.comparison_share,
                row.comparison_share_ci_lower,
                row.comparison_share_ci_upper,
                row.comparison_respondents,
                COMPARISON_COLOUR,
                organisation.comparison_group_label_ja,
            ),
        ):
            y = base + offset
            if clean(value) is None:  # no comparison survey that year: nothing to compare
                ax.text(0.01, y, f"{name}：調査なし", va="center", fontsize=8, color="#555")
                continue
            ax.barh(y, value, height=0.32, color=colour, label=name if index == 0 else None)
            ax.errorbar(
                value,
                y,
                xerr=[[value - lower], [upper - value]],
                fmt="none",
                ecolor="#333",
                capsize=3,
                linewidth=0.8,
            )
            ax.text(upper + 0.01, y, f"{_pct(value)} (N={int(n)})", va="center", fontsize=8)
        if clean(row.difference_points) is None:
            continue
        ax.text(
            1.17,
            base,
            f"差 {row.difference_points:+.1f}pt\n"
            f"[{row.difference_ci_lower:+.1f}, {row.difference_ci_upper:+.1f}]",
            va="center",
            ha="left",
            fontsize=8.5,
        )
    ax.set_yticks([(count - 1 - i) * 1.0 for i in range(count)], [_wrap(t, 16) for t in labels])
    _percent_axis(ax, limit=1.15)
    ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0], ["0%", "20%", "40%", "60%", "80%", "100%"])
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False, fontsize=8.5)
    return Chart(
        chart_id,
        title,
        _svg(figure, chart_id),
        section,
        caption,
        attributes,
        suppressed_bars=int(rows.is_suppressed.astype(bool).sum()),
    )


def mid_term_chart(data: ReportData, indicator_code: str, rows: pd.DataFrame, k: int) -> Chart:
    labels = [
        row.report_label_ja
        + (
            ""
            if row.scale_code == "likert4"
            else f"（{measure_label(row.scale_code, row.measure)}）"
        )
        for row in rows.itertuples(index=False)
    ]
    return comparison_chart(
        f"chart-mid-term-{indicator_code}",
        indicator_title(data, indicator_code),
        "mid_term",
        rows,
        k,
        labels=labels,
        caption="ひげは95%信頼区間（Wilson）。右は差（ポイント）と Newcombe 95%信頼区間。",
        attributes={"data-indicator": indicator_code, "data-items": str(len(rows))},
        organisation=data.organisation,
    )


def mommy_track_chart(data: ReportData, k: int) -> Chart | None:
    rows = data.mommy_track[data.mommy_track.program_code == "all"]
    if rows.empty:
        return None
    return comparison_chart(
        "chart-mommy-track",
        "マミートラック：そう思う＋ややそう思うの割合",
        "mommy_track",
        rows,
        k,
        labels=list(rows.report_label_ja),
        caption="ひげは95%信頼区間（Wilson）。右は差（ポイント）と Newcombe 95%信頼区間。",
        attributes={"data-items": str(len(rows))},
        organisation=data.organisation,
    )


def time_use_chart(data: ReportData, k: int) -> Chart | None:
    rows = data.time_use
    if rows.empty:
        return None
    figure = _figure(0.7 * len(rows) + 1.2)
    ax = figure.add_subplot()
    limit = max(
        (clean(r.self_hours_mean) or 0) + (clean(r.partner_hours_mean) or 0)
        for r in rows.itertuples(index=False)
    )
    limit = max(limit, 1.0) * 1.35
    for index, row in enumerate(rows.itertuples(index=False)):
        y = len(rows) - 1 - index
        if row.is_suppressed:
            _hatched(ax, y, 0.55, f"（N<{k}）", width=limit * 0.6)
            continue
        ax.barh(
            y,
            row.self_hours_mean,
            height=0.55,
            color=COMPARISON_COLOUR,
            label="本人（妻）" if index == 0 else None,
        )
        ax.barh(
            y,
            row.partner_hours_mean,
            left=row.self_hours_mean,
            height=0.55,
            color=PARTICIPANT_COLOUR,
            label="配偶者（夫）" if index == 0 else None,
        )
        ax.text(
            row.self_hours_mean / 2,
            y,
            f"{row.self_hours_mean:.2f}h",
            ha="center",
            va="center",
            fontsize=8.5,
        )
        ax.text(
            row.self_hours_mean + row.partner_hours_mean / 2,
            y,
            f"{row.partner_hours_mean:.2f}h",
            ha="center",
            va="center",
            fontsize=8.5,
            color="white",
        )
        n = clean(row.respondents)
        ax.text(
            row.self_hours_mean + row.partner_hours_mean + 0.1,
            y,
            f"配偶者の分担 {_pct(row.partner_share)}" + (f"  N={int(n)}" if n else ""),
            va="center",
            fontsize=8.5,
        )
    names = [_wrap(respondent_group_ja(data, group), 14) for group in rows.respondent_group]
    ax.set_yticks(range(len(rows))[::-1], names)
    ax.set_xlim(0, limit)
    ax.set_xlabel("家事関連時間（時間/日, 週平均）")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False, fontsize=8.5)
    source = rows.source_ja.dropna()
    return Chart(
        "chart-time-use",
        "家事関連時間の平日と休日の週平均（時間/日）",
        _svg(figure, "chart-time-use"),
        "time_use",
        "週平均 = (5 × 平日 + 2 × 休日) ÷ 7。"
        + (f"全国平均の出典：{source.iloc[0]}（二次資料）" if not source.empty else ""),
        {"data-groups": str(len(rows))},
        suppressed_bars=int(rows.is_suppressed.astype(bool).sum()),
    )


def cumulative_chart(data: ReportData) -> Chart | None:
    rows = data.cumulative[data.cumulative.program_code == "all"].sort_values("fiscal_year")
    if rows.empty:
        return None
    figure = _figure(3.4)
    ax = figure.add_subplot()
    years = [int(year) for year in rows.fiscal_year]
    for year, row in zip(years, rows.itertuples(index=False), strict=True):
        if row.is_suppressed:
            ax.bar(year, 1, color=HATCH_FACE, edgecolor=HATCH_EDGE, hatch="///")
            ax.text(year, 1, SUPPRESSED_MARK, ha="center", va="bottom", fontsize=8)
            continue
        ax.bar(
            year,
            row.participations,
            color=COMPARISON_COLOUR,
            width=0.6,
            label="年度の延べ参加者数" if year == years[0] else None,
        )
        ax.text(
            year,
            row.participations,
            f"{int(row.participations)}",
            ha="center",
            va="bottom",
            fontsize=8.5,
        )
    published = rows[~rows.is_suppressed.astype(bool)]
    ax.plot(
        published.fiscal_year,
        published.cumulative_participations,
        marker="o",
        color=PARTICIPANT_COLOUR,
        label="累積延べ参加者数",
    )
    ax.plot(
        published.fiscal_year,
        published.cumulative_participants,
        marker="s",
        linestyle="--",
        color="#d9653b",
        label="累積参加者数（実人数）",
    )
    for row in published.itertuples(index=False):
        ax.annotate(
            f"{int(row.cumulative_participations)}",
            (row.fiscal_year, row.cumulative_participations),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=8.5,
            color=PARTICIPANT_COLOUR,
        )
        ax.annotate(
            f"{int(row.cumulative_participants)}",
            (row.fiscal_year, row.cumulative_participants),
            textcoords="offset points",
            xytext=(0, -13),
            ha="center",
            fontsize=8.5,
            color="#d9653b",
        )
    ax.set_xticks(years, [f"{year}年度" for year in years])
    ax.set_ylabel("人")
    ax.legend(loc="upper left", frameon=False, fontsize=8.5)
    return Chart(
        "chart-cumulative",
        f"延べ参加者数（累積）{years[0]}〜{years[-1]}年度",
        _svg(figure, "chart-cumulative"),
        "outputs",
        "同じ人が複数回参加した場合、実人数では1人と数える。",
        {"data-years": ",".join(str(y) for y in years)},
        suppressed_bars=int(rows.is_suppressed.astype(bool).sum()),
    )


def build_charts(data: ReportData, *, k: int) -> list[Chart]:
    # The style applies while the charts are drawn only; matplotlib's globals stay as they were.
    with matplotlib.rc_context(_chart_style()):
        return _build_charts(data, k=k)


def _build_charts(data: ReportData, *, k: int) -> list[Chart]:
    charts: list[Chart | None] = [cumulative_chart(data)]
    short_term = data.short_term[data.short_term.program_code == "all"]
    for indicator_code, rows in short_term.groupby("indicator_code", sort=True):
        charts.append(likert_chart(data, str(indicator_code), rows, k))
    for item_code in ("career_confidence", "return_anxiety"):
        charts.append(score_distribution_chart(data, item_code, k))
        charts.append(pre_post_headline_chart(data, item_code, k))
    mid_term = data.mid_term[data.mid_term.program_code == "all"]
    for indicator_code, rows in mid_term.groupby("indicator_code", sort=True):
        charts.append(mid_term_chart(data, str(indicator_code), rows, k))
    charts.append(time_use_chart(data, k))
    charts.append(mommy_track_chart(data, k))
    return [chart for chart in charts if chart is not None]
