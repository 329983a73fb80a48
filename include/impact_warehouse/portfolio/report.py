"""The portfolio report: one offline HTML page comparing organisations per common indicator.

It reads only the portfolio file (:mod:`.build`), never a source release. For each common
indicator: an interval chart (inline SVG), a table with each organisation's share, n and the
95% interval as the organisation published them, and beside each figure what makes it differ
(the organisation's own note, the scale, the wave, the direction), then the differences the
figures of the section have between them. The look, the embedded font subset and the
no-network rule are the report's (report/templates/report.css, report/fonts.py), as for the
response status page.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from markupsafe import Markup, escape

from impact_warehouse.portfolio.definitions import DIRECTION_JA
from impact_warehouse.report.fonts import subset_font_face
from impact_warehouse.report.page import template_environment
from impact_warehouse.report.rounding import percent

TITLE = "共通指標による団体比較(ポートフォリオ)"
_FONT_FACE_SLOT = "/*portfolio-font-face*/"
_CHART_WIDTH, _LABEL_WIDTH, _ROW_HEIGHT = 640, 180, 28


@dataclass
class IndicatorSection:
    code: str
    label_ja: str
    good_direction: str
    definition_ja: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chart: Markup = field(default_factory=Markup)

    @property
    def direction_ja(self) -> str:
        return DIRECTION_JA[self.good_direction]


def _records(connection: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = connection.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _caveats(row: dict[str, Any]) -> list[str]:
    caveats = [row["note_ja"]]
    caveats.append(
        f"尺度: {row['scale_label_ja'] or row['scale_code']}・{row['wave_type_ja']}の調査"
    )
    if row["good_direction"] == "lower":
        caveats.append("低いほどよい割合です。")
    if row["comparison_value"] is not None and row["difference_points"] is not None:
        # As the organisation published them: the difference is in percentage points.
        interval = (
            ""
            if row["difference_ci_lower"] is None or row["difference_ci_upper"] is None
            else f" [{row['difference_ci_lower']:+.1f}, {row['difference_ci_upper']:+.1f}]"
        )
        caveats.append(
            f"この団体の比較群は {percent(row['comparison_value'])}%"
            f"(差 {row['difference_points']:+.1f}ポイント{interval})。"
        )
    return caveats


def _section_notes(rows: list[dict[str, Any]]) -> list[str]:
    """What the figures of one common indicator differ in, said once under the table."""
    notes = []
    if len({row["scale_code"] for row in rows}) > 1:
        scales = "、".join(
            f"{row['organisation_name_ja']}は{row['scale_label_ja'] or row['scale_code']}"
            for row in rows
        )
        notes.append(f"団体によって尺度が違います({scales})。割合の差には測り方の差が含まれます。")
    if len({row["wave_type"] for row in rows}) > 1:
        waves = "、".join(f"{row['organisation_name_ja']}は{row['wave_type_ja']}" for row in rows)
        notes.append(f"調査の時点が違います({waves})。")
    if len({row["fiscal_year"] for row in rows}) > 1:
        notes.append("年度が違う団体があります。")
    if len({row["question_wording_ja"] for row in rows}) > 1:
        notes.append("設問の文言は団体ごとに違います。各団体の設問は表の「使った数字」の欄です。")
    if len(rows) == 1:
        notes.append("この指標に対応する数字を出している団体は1つだけです。")
    return notes


def interval_chart(rows: list[dict[str, Any]]) -> Markup:
    """Each organisation's share as a dot with its interval, on a 0–100% axis."""
    plot = _CHART_WIDTH - _LABEL_WIDTH - 20
    height = _ROW_HEIGHT * len(rows) + 30

    def x(share: float) -> float:
        return _LABEL_WIDTH + share * plot

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_CHART_WIDTH}" height="{height}" '
        f'role="img" aria-label="{escape("団体ごとの割合と95%信頼区間")}">'
    ]
    axis_y = _ROW_HEIGHT * len(rows) + 4
    for tick in range(0, 101, 20):
        parts.append(
            f'<line x1="{x(tick / 100):.1f}" x2="{x(tick / 100):.1f}" y1="0" y2="{axis_y}" '
            'stroke="#d0d7de" stroke-width="1"/>'
            f'<text x="{x(tick / 100):.1f}" y="{axis_y + 16}" font-size="11" '
            f'text-anchor="middle">{tick}%</text>'
        )
    for index, row in enumerate(rows):
        y = _ROW_HEIGHT * index + _ROW_HEIGHT / 2
        parts.append(
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + 4:.1f}" font-size="12" text-anchor="end">'
            f"{escape(row['organisation_name_ja'])}</text>"
        )
        if row["is_suppressed"] or row["value"] is None:
            parts.append(
                f'<text x="{_LABEL_WIDTH + 4}" y="{y + 4:.1f}" font-size="12" fill="#6b7280">'
                "非公表</text>"
            )
            continue
        if row["ci_lower"] is not None and row["ci_upper"] is not None:
            parts.append(
                f'<line x1="{x(row["ci_lower"]):.1f}" x2="{x(row["ci_upper"]):.1f}" '
                f'y1="{y:.1f}" y2="{y:.1f}" stroke="#1f4e79" stroke-width="2"/>'
            )
        parts.append(f'<circle cx="{x(row["value"]):.1f}" cy="{y:.1f}" r="5" fill="#1f4e79"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def load_sections(database: Path) -> tuple[list[IndicatorSection], list[dict[str, Any]]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        indicators = _records(
            connection,
            "select * from portfolio.common_indicators "
            "order by display_order, common_indicator_code",
        )
        organisations = _records(
            connection, "select * from portfolio.organisations order by organisation_code"
        )
        figures = _records(
            connection,
            "select figures.*, organisations.organisation_name_ja "
            "from portfolio.indicator_figures as figures "
            "inner join portfolio.organisations as organisations using (organisation_code) "
            "order by figures.organisation_code",
        )
    sections = []
    for indicator in indicators:
        rows = [
            {
                **row,
                # A suppressed figure is published without its denominator (small cells).
                "denominator_text": (
                    "—" if row["denominator"] is None else f"{row['denominator']:.0f}人"
                ),
                "value_text": "—" if row["value"] is None else f"{percent(row['value'])}%",
                "interval_text": (
                    "—"
                    if row["ci_lower"] is None or row["ci_upper"] is None
                    else f"{percent(row['ci_lower'])}%〜{percent(row['ci_upper'])}%"
                ),
                "caveats": _caveats(row),
            }
            for row in figures
            if row["common_indicator_code"] == indicator["common_indicator_code"]
        ]
        sections.append(
            IndicatorSection(
                code=indicator["common_indicator_code"],
                label_ja=indicator["label_ja"],
                good_direction=indicator["good_direction"],
                definition_ja=indicator["definition_ja"] or "",
                rows=rows,
                notes=_section_notes(rows) if rows else [],
                chart=interval_chart(rows) if rows else Markup(""),
            )
        )
    return sections, organisations


def render_html(database: Path, *, portfolio_id: str) -> str:
    sections, organisations = load_sections(database)
    environment = template_environment("impact_warehouse.portfolio")
    page = environment.get_template("portfolio.html.j2").render(
        title=TITLE,
        portfolio_id=portfolio_id,
        indicators=sections,
        organisations=organisations,
        font_face=Markup(_FONT_FACE_SLOT),
    )
    return page.replace(_FONT_FACE_SLOT, subset_font_face(page), 1)


def write_report(database: Path, target: Path, *, portfolio_id: str) -> Path:
    """Write the page beside its final name and rename it, so no one opens half a page."""
    html = render_html(database, portfolio_id=portfolio_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".portfolio-", suffix=".html")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(html)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
