"""Render the impact report of one fiscal year from one published release."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from impact_warehouse.publish.files import write_text_atomically
from impact_warehouse.report.adjusted import AdjustedData, adjusted_content, load_adjusted
from impact_warehouse.report.appendix import split_by_program
from impact_warehouse.report.cells import ReportTable
from impact_warehouse.report.chart_kit import Chart
from impact_warehouse.report.chart_worker import ChartWorker, OutcomeCharts, SeriesShare
from impact_warehouse.report.data import ReportData, load_report_data
from impact_warehouse.report.exports import write_csvs, write_xlsx
from impact_warehouse.report.figures import FigureResolver
from impact_warehouse.report.i18n import (
    SOURCE_LANGUAGE,
    check_language,
    missing_translations,
    reporting_in,
    s,
)
from impact_warehouse.report.localise import (
    localise_adjusted,
    localise_data,
    localise_targets,
    read_catalog_english,
)
from impact_warehouse.report.methods import scale_rules_ja
from impact_warehouse.report.narrative import NarrativeCatalog
from impact_warehouse.report.outcome_plan import OutcomeSection, plan_outcome_sections
from impact_warehouse.report.page import build_sections, output_indicators_lead, render_html
from impact_warehouse.report.pdf import print_pdf
from impact_warehouse.report.release import ReleaseSource, resolve_release
from impact_warehouse.report.series_charts import (
    series_charts,
    series_indicator_codes,
    series_titles,
    targets_tables,
)
from impact_warehouse.report.story import Narrative, build_narrative
from impact_warehouse.report.summary import summary_lines
from impact_warehouse.report.tables import build_tables
from impact_warehouse.report.targets import TargetsSeriesData, load_targets_series
from impact_warehouse.report.voices import VoiceBlock, load_voice_blocks
from impact_warehouse.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedReport:
    html_path: Path
    csv_paths: tuple[Path, ...]
    xlsx_path: Path
    release_id: str
    fiscal_year: int
    seconds: float
    chart_ids: tuple[str, ...] = ()
    pdf_path: Path | None = None
    lang: str = SOURCE_LANGUAGE
    # Words printed untranslated (English report): also listed in the report's appendix.
    missing_translations: int = 0

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly (Airflow XCom, command output)."""
        return {
            "fiscal_year": self.fiscal_year,
            "release_id": self.release_id,
            "html": str(self.html_path),
            "xlsx": str(self.xlsx_path),
            "pdf": str(self.pdf_path) if self.pdf_path else None,
            "csv": len(self.csv_paths),
            "charts": len(self.chart_ids),
            "seconds": self.seconds,
            "lang": self.lang,
            "missing_translations": self.missing_translations,
        }


def default_out_dir(settings: Settings, release_id: str, fiscal_year: int) -> Path:
    return settings.work / "reports" / release_id / f"fy{fiscal_year}"


def render_report(
    fiscal_year: int,
    *,
    release_id: str | None = None,
    out_dir: Path | None = None,
    settings: Settings,
    final: bool = False,
    pdf: bool = False,
    lang: str = SOURCE_LANGUAGE,
    chart_worker: ChartWorker | None = None,
) -> RenderedReport:
    """The HTML report, its CSV tables and its XLSX workbook, from a published release.

    ``release_id`` None means the current release. Output goes to
    ``<work>/reports/<release_id>/fy<FY>/`` unless ``out_dir`` is given. ``final`` renders
    the narrative for readers: a missing block is left out and an unknown figure reference
    is an error (NarrativeError), where the default draft shows placeholders for both.
    ``pdf`` also prints the HTML to ``impact_report_fy<FY>.pdf`` with headless Chromium
    (report/pdf.py). ``lang`` is the report's language (ja, en); an English report's files
    end in ``_en`` so both languages can sit in one folder, and every label with no English
    is listed in its appendix. ``chart_worker``: a worker that has loaded the drawing modules
    draws a share of the charts (report/chart_worker.py); without one, a worker is started
    for this report when there is a core for it.
    """
    with reporting_in(check_language(lang)):
        return _render_report(
            fiscal_year, release_id, out_dir, settings, lang, final, pdf, chart_worker
        )


def _render_report(
    fiscal_year: int,
    release_id: str | None,
    out_dir: Path | None,
    settings: Settings,
    lang: str,
    final: bool,
    pdf: bool,
    chart_worker: ChartWorker | None,
) -> RenderedReport:
    started = time.perf_counter()
    source = resolve_release(release_id, settings)
    log.info(
        "report FY%s from release %s (k=%s)", fiscal_year, source.release_id, source.suppression_k
    )
    inputs = _read_inputs(source, fiscal_year, lang)
    content = _build_content(
        inputs, source, settings, fiscal_year, lang=lang, final=final, chart_worker=chart_worker
    )
    out_dir = out_dir or default_out_dir(settings, source.release_id, fiscal_year)
    suffix = "" if lang == SOURCE_LANGUAGE else f"_{lang}"
    files = _ReportFiles(
        html=out_dir / f"impact_report_fy{fiscal_year}{suffix}.html",
        xlsx=out_dir / f"impact_report_fy{fiscal_year}{suffix}.xlsx",
        tables_dir=f"tables{suffix}",
    )
    _write_html(content, source, files, lang, font_cache=settings.font_cache)
    csv_paths = _write_exports(content, source, files, out_dir)

    pdf_path = None
    if pdf:
        pdf_path = print_pdf(
            files.html,
            files.html.with_suffix(".pdf"),
            footer_label=content.data.organisation.report_short_title(fiscal_year),
        )

    seconds = round(time.perf_counter() - started, 2)
    log.info("report FY%s written in %.1f s: %s", fiscal_year, seconds, files.html)
    return RenderedReport(
        html_path=files.html,
        csv_paths=tuple(csv_paths),
        xlsx_path=files.xlsx,
        release_id=source.release_id,
        fiscal_year=fiscal_year,
        seconds=seconds,
        chart_ids=tuple(chart.chart_id for chart in content.charts),
        pdf_path=pdf_path,
        lang=lang,
        # Counted after the page is written: rendering it may find more missing labels.
        missing_translations=len(missing_translations()),
    )


@dataclass(frozen=True)
class _ReportInputs:
    """What the report reads from the release, already in the report's language."""

    data: ReportData
    targets_series: TargetsSeriesData
    voices: list[VoiceBlock]
    adjusted: AdjustedData


@dataclass(frozen=True)
class _ReportContent:
    """The report's words, tables and charts, before they are written anywhere."""

    fiscal_year: int
    data: ReportData
    outcome_sections: list[OutcomeSection]
    tables: list[ReportTable]
    charts: list[Chart]
    lines: list[str]
    narrative: Narrative
    voices: list[VoiceBlock]


@dataclass(frozen=True)
class _ReportFiles:
    html: Path
    xlsx: Path
    tables_dir: str  # beside the HTML, which links to it


def _read_inputs(source: ReleaseSource, fiscal_year: int, lang: str) -> _ReportInputs:
    step = time.perf_counter()
    with source.connect() as connection:
        data = load_report_data(connection, fiscal_year)
        targets_series = load_targets_series(connection, fiscal_year)
        voices = load_voice_blocks(connection, fiscal_year)
        adjusted = load_adjusted(connection, fiscal_year)
        if lang != SOURCE_LANGUAGE:
            english = read_catalog_english(connection)
            data = localise_data(data, english)
            targets_series = localise_targets(targets_series, english)
            adjusted = localise_adjusted(adjusted, english)
    log.info("  read the reporting tables (%.1f s)", time.perf_counter() - step)
    return _ReportInputs(data, targets_series, voices, adjusted)


def _build_content(
    inputs: _ReportInputs,
    source: ReleaseSource,
    settings: Settings,
    fiscal_year: int,
    *,
    lang: str,
    final: bool,
    chart_worker: ChartWorker | None = None,
) -> _ReportContent:
    data, k = inputs.data, source.suppression_k
    step = time.perf_counter()
    outcome_sections = plan_outcome_sections(data)
    series = SeriesShare(inputs.targets_series, series_indicator_codes(inputs.targets_series))
    # Drawn from now on, in a worker process when there is a core for it, with the first
    # series charts when the worker was started before the report (chart_worker.py).
    with OutcomeCharts(
        data, outcome_sections, k, series=series, worker=chart_worker
    ) as outcome_charts:
        tables = build_tables(data, outcome_sections, as_of=source.data_as_of, k=k)
        lines = summary_lines(data)
        # The organisation's text, from the catalog folder of this run (narrative.py).
        narrative = build_narrative(
            data,
            NarrativeCatalog(
                settings.catalog,
                fiscal_year,
                FigureResolver.for_report(data, k),
                lang=lang,
                final=final,
            ),
        )
        log.info("  tables: %s (%.1f s)", len(tables), time.perf_counter() - step)

        step = time.perf_counter()
        # The report meets the outcome charts' words here, before the series' (i18n order).
        outcome_words_at = len(missing_translations())
        target_tables = targets_tables(data, inputs.targets_series)
        series_words_at = len(missing_translations())
        drawn_here = [
            code for code in series.indicator_codes if code not in outcome_charts.series_in_worker
        ]
        series_drawn_here = series_charts(series.data, series_titles(data), drawn_here)
        adjusted = inputs.adjusted.without_items(set(data.consent_items.item_code))
        adjusted_tables, adjusted_charts = adjusted_content(adjusted)
        tables += target_tables + adjusted_tables
        # The worker's series charts come first (the first indicators), then these.
        charts = (
            outcome_charts.charts(outcome_words_at, series_words_at)
            + series_drawn_here
            + adjusted_charts
        )
    log.info("  charts: %s (%.1f s)", len(charts), time.perf_counter() - step)
    return _ReportContent(
        fiscal_year, data, outcome_sections, tables, charts, lines, narrative, inputs.voices
    )


def _write_html(
    content: _ReportContent,
    source: ReleaseSource,
    files: _ReportFiles,
    lang: str,
    *,
    font_cache: Path,
) -> None:
    step = time.perf_counter()
    organisation, k = content.data.organisation, source.suppression_k
    # The page leads with the pooled rows; the exports keep every table whole.
    body_tables, appendix_tables = split_by_program(
        content.tables, {section.anchor for section in content.outcome_sections}
    )
    sections = build_sections(
        content.outcome_sections,
        content.charts,
        body_tables + appendix_tables,
        content.lines,
        k,
        organisation,
        scale_rules_ja(content.data),
        opening_leads={"outputs": output_indicators_lead(content.data.indicators)},
        narrative=content.narrative,
        indicators=content.data.indicators,
        voices=content.voices,
    )
    missing = missing_translations()
    if missing:
        log.warning(
            "  missing translations (%s): %s labels printed in Japanese, listed in the report",
            lang,
            len(missing),
        )
    html = render_html(
        sections=sections,
        missing=missing,
        context={
            "title": organisation.report_title(content.fiscal_year),
            "organisation": organisation,
            "fiscal_year": content.fiscal_year,
            "release_id": source.release_id,
            "data_as_of": source.data_as_of.isoformat(),
            "published_at": organisation.local_time(source.created_at),
            "rendered_at": organisation.local_time(datetime.now(UTC)),
            "k": k,
            "xlsx_name": files.xlsx.name,
            "tables_dir": files.tables_dir,
        },
        font_cache=font_cache,
    )
    write_text_atomically(files.html, html)
    for section in sections:
        log.info(
            "  section %s: %s charts, %s tables",
            section.title,
            len(section.charts),
            len(section.tables),
        )
    log.info(
        "  html: %s (%.0f KB, %.1f s)",
        files.html,
        len(html.encode()) / 1024,
        time.perf_counter() - step,
    )


def _write_exports(
    content: _ReportContent, source: ReleaseSource, files: _ReportFiles, out_dir: Path
) -> list[Path]:
    """Every table as CSV and in one workbook, with the release it came from."""
    step = time.perf_counter()
    organisation, k = content.data.organisation, source.suppression_k
    csv_paths = write_csvs(content.tables, out_dir / files.tables_dir)
    write_xlsx(
        content.tables,
        files.xlsx,
        about=[
            (s("about_report"), organisation.report_short_title(content.fiscal_year)),
            (s("about_publisher"), organisation.organisation_name_ja),
            (s("cover_release_id"), source.release_id),
            (s("cover_data_as_of"), source.data_as_of.isoformat()),
            (s("about_suppression_label"), s("about_suppression", k=k)),
        ],
    )
    log.info(
        "  exports: %s CSV + %s (%.1f s)",
        len(csv_paths),
        files.xlsx.name,
        time.perf_counter() - step,
    )
    return csv_paths
