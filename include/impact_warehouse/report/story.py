"""The report's narrative sections, in the order of the seed report, and where the
commentary on each indicator goes.

Opening: はじめに, the programs, the vision, the Theory of Change (the block plus a chain
generated from indicators.csv), the logic-model table (generated from indicators.csv), Key
Findings. After the summary: 考察, 見えてきた課題, 提言. Every title comes from the block's
``# title`` (an organisation names its own sections); the generated parts name only the
catalog's own indicators. page.py places these sections; narrative.py renders the blocks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
from markupsafe import Markup, escape

from impact_warehouse.report.chart_kit import Chart
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.i18n import s
from impact_warehouse.report.labels import indicator_type_ja, participants_ja
from impact_warehouse.report.narrative import NarrativeBlock, NarrativeCatalog, fallback_title
from impact_warehouse.report.outcome_plan import OutcomeSection

log = logging.getLogger(__name__)

OPENING_BLOCKS = ("introduction", "programs", "vision")
CLOSING_BLOCKS = ("discussion", "challenges", "recommendations")
INDICATOR_BLOCK = "indicator_{}"
OUTPUT_TYPE = "output"
OUTPUTS_ANCHOR = "outputs"
NO_HTML = Markup("")  # Markup is immutable: one shared empty default


@dataclass(frozen=True)
class NarrativeSection:
    """A section of text (and generated catalog content) placed by page.py."""

    anchor: str
    title: str
    body: Markup = NO_HTML
    generated: Markup = NO_HTML
    block_id: str = ""
    placeholder: bool = False


@dataclass(frozen=True)
class Narrative:
    opening: list[NarrativeSection] = field(default_factory=list)
    closing: list[NarrativeSection] = field(default_factory=list)
    # The summary block's text, shown before the numeric summary lines.
    summary: NarrativeBlock | None = None
    # Commentary per indicator code, in indicators.csv order.
    indicator_notes: dict[str, NarrativeBlock] = field(default_factory=dict)


def _section(block: NarrativeBlock) -> NarrativeSection:
    return NarrativeSection(
        anchor=block.block_id,
        title=block.title,
        body=block.html,
        block_id=block.block_id,
        placeholder=block.placeholder,
    )


def _ordered_indicators(data: ReportData) -> pd.DataFrame:
    return data.indicators.sort_values("indicator_code")


def _types(indicators: pd.DataFrame) -> list[str]:
    """Indicator types in catalog order (by their first indicator), output first."""
    return list(dict.fromkeys(indicators.indicator_type))


def theory_of_change_html(data: ReportData) -> Markup:
    """The chain output → short-term → mid-term → … with each stage's indicators."""
    indicators = _ordered_indicators(data)
    stages = []
    for indicator_type in _types(indicators):
        rows = indicators[indicators.indicator_type == indicator_type]
        items = Markup("").join(
            Markup("<li>{}{}</li>").format(row.indicator_symbol, row.content_ja)
            for row in rows.itertuples(index=False)
        )
        stages.append(
            Markup(
                '<li class="toc-stage" data-indicator-type="{}"><h4>{}</h4><ul>{}</ul></li>'
            ).format(indicator_type, indicator_type_ja(indicator_type), items)
        )
    arrow = Markup('<li class="toc-arrow" aria-hidden="true">▼</li>')
    return Markup('<ol class="theory-of-change" id="theory-of-change-chain">{}</ol>').format(
        arrow.join(stages)
    )


def logic_model_html(data: ReportData) -> Markup:
    """種別 / 内容 / 指標 / 測定方法, one row per indicator; a type and a repeated method are
    written once for their rows (rowspan), as in the seed report's table."""
    indicators = _ordered_indicators(data)
    body = []
    for indicator_type in _types(indicators):
        rows = list(indicators[indicators.indicator_type == indicator_type].itertuples(index=False))
        methods = [str(row.measurement_ja) for row in rows]
        for index, row in enumerate(rows):
            cells = []
            if index == 0:
                cells.append(
                    Markup('<th scope="rowgroup" rowspan="{}">{}</th>').format(
                        len(rows), indicator_type_ja(indicator_type)
                    )
                )
            cells.append(Markup("<td>{}{}</td>").format(row.indicator_symbol, row.content_ja))
            cells.append(Markup("<td>{}</td>").format(row.indicator_ja))
            if index == 0 or methods[index] != methods[index - 1]:
                span = 1
                while index + span < len(rows) and methods[index + span] == methods[index]:
                    span += 1
                cells.append(Markup('<td rowspan="{}">{}</td>').format(span, methods[index]))
            body.append(
                Markup('<tr data-indicator="{}">{}</tr>').format(
                    row.indicator_code, Markup("").join(cells)
                )
            )
    return Markup(
        '<div class="logic-model-block"><h4>{}</h4><div class="table-scroll">'
        '<table class="logic-model" id="logic-model"><thead><tr>'
        '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table></div>'
        '<p class="note">{}</p></div>'
    ).format(
        s("logic_model_heading"),
        s("logic_model_type"),
        s("logic_model_content"),
        s("logic_model_indicator"),
        s("logic_model_measurement"),
        Markup("").join(body),
        s("logic_model_source"),
    )


def logic_model_title(data: ReportData) -> str:
    participants = participants_ja(data)
    return s("logic_model_title", participants=participants) if participants else s("logic_model")


def build_narrative(data: ReportData, catalog: NarrativeCatalog) -> Narrative:
    """Every narrative section and note of one report (draft placeholders or final omissions
    are decided by ``catalog``)."""
    opening = [
        _section(block)
        for block in (catalog.block(block_id) for block_id in OPENING_BLOCKS)
        if block is not None
    ]
    toc = catalog.block("theory_of_change")
    opening.append(
        NarrativeSection(
            anchor="theory_of_change",
            title=toc.title if toc else fallback_title("theory_of_change"),
            body=toc.html if toc else NO_HTML,
            generated=theory_of_change_html(data),
            block_id="theory_of_change",
            placeholder=bool(toc and toc.placeholder),
        )
    )
    # The logic model is generated; a block of that id only adds a title and a lead.
    logic = catalog.block("logic_model") if catalog.has("logic_model") else None
    opening.append(
        NarrativeSection(
            anchor="logic_model",
            title=logic.title if logic else logic_model_title(data),
            body=logic.html if logic else NO_HTML,
            generated=logic_model_html(data),
            block_id="logic_model",
        )
    )
    findings = catalog.block("key_findings")
    if findings is not None:
        opening.append(_section(findings))
    closing = [
        _section(block)
        for block in (catalog.block(block_id) for block_id in CLOSING_BLOCKS)
        if block is not None
    ]
    notes: dict[str, NarrativeBlock] = {}
    for row in _ordered_indicators(data).itertuples(index=False):
        block_id = INDICATOR_BLOCK.format(row.indicator_code)
        # Output indicators are described by the outputs tables: a note only when written.
        if row.indicator_type == OUTPUT_TYPE and not catalog.has(block_id):
            continue
        block = catalog.block(block_id, f"{row.indicator_symbol}{row.content_ja}")
        if block is not None:
            notes[str(row.indicator_code)] = block
    return Narrative(opening, closing, catalog.block("summary"), notes)


@dataclass(frozen=True)
class NotePlacement:
    """Where each indicator note goes: after a chart, or at the end of a section."""

    after_chart: dict[str, list[NarrativeBlock]] = field(default_factory=dict)
    end_of_section: dict[str, list[NarrativeBlock]] = field(default_factory=dict)


def place_indicator_notes(
    notes: dict[str, NarrativeBlock],
    charts: Iterable[Chart],
    outcome_sections: list[OutcomeSection],
    indicators: pd.DataFrame,
) -> NotePlacement:
    """A note goes under the last outcome chart drawn for its indicator; one with no chart
    of its own (a pre/post or time-use item) at the end of the first section showing its
    rows; otherwise at the end of its type's section (outputs for output indicators)."""
    anchors = {section.anchor for section in outcome_sections}
    last_chart: dict[str, str] = {}
    for chart in charts:
        code = chart.attributes.get("data-indicator")
        # Only the outcome sections' charts: the series section draws every indicator again.
        if code and chart.section in anchors:
            last_chart[str(code)] = chart.chart_id
    shown_in: dict[str, str] = {}
    for section in outcome_sections:
        if "indicator_code" in section.rows.columns:
            for code in section.rows.indicator_code.dropna().unique():
                shown_in.setdefault(str(code), section.anchor)
    types = dict(zip(indicators.indicator_code, indicators.indicator_type, strict=True))
    placement = NotePlacement()
    for code, block in notes.items():
        indicator_type = types.get(code, "")
        type_anchor = OUTPUTS_ANCHOR if indicator_type == OUTPUT_TYPE else indicator_type
        if code in last_chart:
            placement.after_chart.setdefault(last_chart[code], []).append(block)
        elif code in shown_in:
            placement.end_of_section.setdefault(shown_in[code], []).append(block)
        elif type_anchor in anchors or type_anchor == OUTPUTS_ANCHOR:
            placement.end_of_section.setdefault(type_anchor, []).append(block)
        else:
            log.warning(
                "indicator %s has no section in this report: note %s not shown",
                code,
                block.block_id,
            )
    return placement


def note_html(block: NarrativeBlock) -> Markup:
    """An indicator note: its title names the block for staff; the chart above names the
    indicator for readers, so the title is the element's label, not a heading."""
    element = '<div class="narrative indicator-note" data-block="{}" aria-label="{}">{}</div>'
    return Markup(element).format(block.block_id, escape(block.title), block.html)
