"""The HTML page: sections in report order, the Jinja2 template, the embedded font."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from impact_warehouse.catalog import Organisation
from impact_warehouse.report import adjusted
from impact_warehouse.report.cells import NOT_APPLICABLE, SUPPRESSED_MARK, ReportTable, html_text
from impact_warehouse.report.charts import Chart
from impact_warehouse.report.fonts import subset_font_face
from impact_warehouse.report.i18n import (
    UNTRANSLATED_MARK,
    MissingTranslation,
    fiscal_year,
    join,
    language,
    s,
)
from impact_warehouse.report.methods import methods_entries
from impact_warehouse.report.outcome_plan import OutcomeSection
from impact_warehouse.report.story import (
    NO_HTML,
    Narrative,
    NarrativeSection,
    NotePlacement,
    note_html,
    place_indicator_notes,
)
from impact_warehouse.report.summary import SummaryLine
from impact_warehouse.report.voices import VoiceBlock, voices_under_charts

_FONT_FACE_SLOT = "/*__EMBEDDED_FONT__*/"


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    lead: str = ""
    charts: list[Chart] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    summary_lines: list[SummaryLine] = field(default_factory=list)
    methods: list[dict[str, str]] = field(default_factory=list)
    # Narrative (story.py): the block's HTML, generated catalog content (ToC, logic model),
    # indicator notes under a chart (by chart id) and at the end of the section.
    narrative: Markup = NO_HTML
    generated: Markup = NO_HTML
    chart_notes: dict[str, list[Markup]] = field(default_factory=dict)
    closing_notes: list[Markup] = field(default_factory=list)
    is_narrative: bool = False
    # Voice blocks by the chart_id they are shown under (their indicator's first chart).
    voices: dict[str, list[VoiceBlock]] = field(default_factory=dict)


# The sections every report has; the outcome sections between them come from the catalog
# (outcome_plan.py). Titles and leads are strings_<lang>.yaml keys (section_<anchor>).
OPENING_SECTIONS = {
    "outputs": "section_outputs",
    "waves": "section_waves",
}
# After the outcome sections: the summary, the narrative's closing sections (story.py), then
# targets and series (when the catalog has them) and the methods last.
SUMMARY_SECTION = ("summary", "section_summary")
CLOSING_SECTIONS = {
    "targets": "section_targets",
    "series": "section_series",
    "methods": "section_methods",
    "appendix": "section_appendix",
}
SECTIONS_SHOWN_WITH_CONTENT = frozenset({"targets", "series", "appendix", adjusted.SECTION})
CLOSING_LEADS = {
    "targets": "lead_targets",
    "series": "lead_series",
    "appendix": "lead_appendix",
}


# A methods paragraph that explains one kind of table only: shown when the report has it.
METHODS_FOR_TABLE = {
    "Measures / Time use": "time_use",
    "Adjusted estimates": "14_adjusted_nonresponse",
}


def output_indicators_lead(indicators: pd.DataFrame) -> str:
    """The catalog's output indicators, named in the outputs section: the tables there are
    the same for every organisation, so the lead says which of its indicators they report."""
    outputs = indicators[indicators.indicator_type == "output"]
    named = [
        s(
            "output_indicator",
            symbol=row.indicator_symbol,
            content=row.content_ja,
            indicator=row.indicator_ja,
        )
        for row in outputs.itertuples(index=False)
    ]
    return s("output_indicators_lead", named=join(named)) if named else ""


def build_sections(
    outcome_sections: list[OutcomeSection],
    charts: list[Chart],
    tables: list[ReportTable],
    lines: list[SummaryLine],
    k: int,
    organisation: Organisation,
    scale_rules: str = "",
    opening_leads: dict[str, str] | None = None,
    narrative: Narrative | None = None,
    indicators: pd.DataFrame | None = None,
    voices: list[VoiceBlock] | None = None,
) -> list[Section]:
    """The page's sections in order, each with the charts and tables made for it; with a
    narrative, its sections in the seed report's order around them (story.py)."""
    leads = opening_leads or {}
    story = narrative or Narrative()
    methods = _methods_for_tables(k, organisation, scale_rules, tables)
    placement = place_indicator_notes(
        story.indicator_notes,
        charts,
        outcome_sections,
        indicators
        if indicators is not None
        else pd.DataFrame(columns=["indicator_code", "indicator_type"]),
    )
    summary_title = story.summary.title if story.summary else s(SUMMARY_SECTION[1])
    outcome_anchors = {section.anchor for section in outcome_sections}
    sections = [
        Section(
            anchor=anchor,
            title=title,
            lead=lead,
            charts=[chart for chart in charts if chart.section == anchor],
            tables=[table for table in tables if table.section == anchor],
            summary_lines=lines if anchor == "summary" else [],
            methods=methods if anchor == "methods" else [],
            narrative=story.summary.html if anchor == "summary" and story.summary else NO_HTML,
            chart_notes=_chart_notes(placement, charts, anchor),
            closing_notes=[note_html(n) for n in placement.end_of_section.get(anchor, [])],
            voices=voices_under_charts(voices or [], charts, anchor)
            if anchor in outcome_anchors
            else {},
        )
        for anchor, title, lead in _section_plan(outcome_sections, leads, summary_title)
        # Targets and series exist only when the catalog declares targets or the release has
        # more than one fiscal year to compare; an empty section would only say so.
        if anchor not in SECTIONS_SHOWN_WITH_CONTENT
        or any(item.section == anchor for item in [*charts, *tables])
    ]
    return _around_narrative(sections, story)


def _methods_for_tables(
    k: int, organisation: Organisation, scale_rules: str, tables: list[ReportTable]
) -> list[dict[str, str]]:
    """Methods entries, dropping those that explain a table this page does not show."""
    table_keys = {table.key for table in tables}
    return [
        entry
        for entry in methods_entries(k, organisation, scale_rules)
        if METHODS_FOR_TABLE.get(entry["metrics_section"], "") in {"", *table_keys}
    ]


def _section_plan(
    outcome_sections: list[OutcomeSection], leads: dict[str, str], summary_title: str
) -> list[tuple[str, str, str]]:
    """(anchor, title, lead) for every section the page may show, in report order."""
    return [
        *((anchor, s(title), leads.get(anchor, "")) for anchor, title in OPENING_SECTIONS.items()),
        *((section.anchor, section.title, section.lead) for section in outcome_sections),
        # After the mid-term and comparison sections: how far non-response and the panel's
        # make-up could move them (report/adjusted.py).
        (adjusted.SECTION, s(adjusted.TITLE), s(adjusted.LEAD)),
        (SUMMARY_SECTION[0], summary_title, ""),
        *(
            (anchor, s(title), s(CLOSING_LEADS[anchor]) if anchor in CLOSING_LEADS else "")
            for anchor, title in CLOSING_SECTIONS.items()
        ),
    ]


def _chart_notes(
    placement: NotePlacement, charts: list[Chart], anchor: str
) -> dict[str, list[Markup]]:
    """Indicator notes placed under each chart of the section at anchor."""
    return {
        chart.chart_id: [note_html(note) for note in placement.after_chart[chart.chart_id]]
        for chart in charts
        if chart.section == anchor and chart.chart_id in placement.after_chart
    }


def _around_narrative(sections: list[Section], story: Narrative) -> list[Section]:
    """The narrative's opening sections first, its closing ones right after the summary."""
    closing_at = next(i for i, one in enumerate(sections) if one.anchor == "summary") + 1
    return [
        *(_narrative_section(section) for section in story.opening),
        *sections[:closing_at],
        *(_narrative_section(section) for section in story.closing),
        *sections[closing_at:],
    ]


def _narrative_section(section: NarrativeSection) -> Section:
    return Section(
        anchor=section.anchor,
        title=section.title,
        narrative=section.body,
        generated=section.generated,
        is_narrative=True,
    )


def _language_context(
    context: dict[str, Any], missing: list[MissingTranslation] | None
) -> dict[str, Any]:
    """What the template needs for the report's language, derived from the page's context so
    a caller that passes only the page's facts still renders (``lang``: ja or en, e.g. to
    pick the narrative blocks of the language)."""
    code = jinja2.utils.markupsafe.Markup("<code>{}</code>")
    return {
        "lang": language(),
        "missing_translations": missing or [],
        "untranslated_mark": UNTRANSLATED_MARK,
        "release_code": code.format(context["release_id"]),
        "xlsx_code": code.format(context.get("xlsx_name", "")),
        "tables_dir": "tables",
        "fiscal_year_label": fiscal_year(context["fiscal_year"]),
    }


def template_environment(*packages: str) -> jinja2.Environment:
    """The report's Jinja settings; ``packages``' own templates are looked up first, then the
    report's (report.css and the font: the status page and the portfolio share its look)."""
    loaders = [jinja2.PackageLoader(package, "templates") for package in packages]
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [*loaders, jinja2.PackageLoader("impact_warehouse.report", "templates")]
        ),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _environment() -> jinja2.Environment:
    environment = template_environment()
    environment.globals["cell_text"] = html_text
    environment.globals["s"] = s
    return environment


def render_html(
    *,
    sections: list[Section],
    context: dict[str, Any],
    missing: list[MissingTranslation] | None = None,
    font_cache: Path | None = None,
) -> str:
    """The page, with the font subset to exactly the characters it uses.

    ``missing``: the words printed untranslated, listed in an appendix (English report).
    ``font_cache``: where font subsets are kept for the next page (report/fonts.py).
    """
    template = _environment().get_template("report.html.j2")
    page = template.render(
        sections=sections,
        mark=SUPPRESSED_MARK,
        not_applicable=NOT_APPLICABLE,
        font_face=jinja2.utils.markupsafe.Markup(_FONT_FACE_SLOT),
        **{**_language_context(context, missing), **context},
    )
    return page.replace(_FONT_FACE_SLOT, subset_font_face(page, cache_dir=font_cache), 1)
