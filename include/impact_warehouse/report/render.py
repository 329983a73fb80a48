"""Render the impact report of one fiscal year from one published release."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from impact_warehouse.publish.files import write_text_atomically
from impact_warehouse.report.adjusted import adjusted_content, load_adjusted
from impact_warehouse.report.appendix import split_by_program
from impact_warehouse.report.charts import build_charts
from impact_warehouse.report.data import load_report_data
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
from impact_warehouse.report.outcome_plan import plan_outcome_sections
from impact_warehouse.report.page import build_sections, output_indicators_lead, render_html
from impact_warehouse.report.pdf import print_pdf
from impact_warehouse.report.release import resolve_release
from impact_warehouse.report.series_charts import targets_and_series
from impact_warehouse.report.story import build_narrative
from impact_warehouse.report.summary import summary_lines
from impact_warehouse.report.tables import build_tables
from impact_warehouse.report.targets import load_targets_series
from impact_warehouse.report.voices import load_voice_blocks
from impact_warehouse.settings import Settings, paths

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
    settings: Settings | None = None,
    final: bool = False,
    pdf: bool = False,
    lang: str = SOURCE_LANGUAGE,
) -> RenderedReport:
    """The HTML report, its CSV tables and its XLSX workbook, from a published release.

    ``release_id`` None means the current release. Output goes to
    ``<work>/reports/<release_id>/fy<FY>/`` unless ``out_dir`` is given. ``final`` renders
    the narrative for readers: a missing block is left out and an unknown figure reference
    is an error (NarrativeError), where the default draft shows placeholders for both.
    ``pdf`` also prints the HTML to ``impact_report_fy<FY>.pdf`` with headless Chromium
    (report/pdf.py). ``lang`` is the report's language (ja, en); an English report's files
    end in ``_en`` so both languages can sit in one folder, and every label with no English
    is listed in its appendix.
    """
    with reporting_in(check_language(lang)):
        return _render_report(fiscal_year, release_id, out_dir, settings, lang, final, pdf)


def _render_report(
    fiscal_year: int,
    release_id: str | None,
    out_dir: Path | None,
    settings: Settings | None,
    lang: str,
    final: bool,
    pdf: bool,
) -> RenderedReport:
    started = time.perf_counter()
    source = resolve_release(release_id, settings)
    settings = settings or paths()
    k = source.suppression_k
    log.info("report FY%s from release %s (k=%s)", fiscal_year, source.release_id, k)

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

    step = time.perf_counter()
    outcome_sections = plan_outcome_sections(data)
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
    charts = build_charts(data, outcome_sections, k=k)
    target_tables, series_charts = targets_and_series(data, targets_series)
    tables += target_tables
    charts += series_charts
    adjusted = adjusted.without_items(set(data.consent_items.item_code))
    adjusted_tables, adjusted_charts = adjusted_content(adjusted)
    tables += adjusted_tables
    charts += adjusted_charts
    log.info("  charts: %s (%.1f s)", len(charts), time.perf_counter() - step)

    out_dir = out_dir or default_out_dir(settings, source.release_id, fiscal_year)
    suffix = "" if lang == SOURCE_LANGUAGE else f"_{lang}"
    xlsx_path = out_dir / f"impact_report_fy{fiscal_year}{suffix}.xlsx"
    html_path = out_dir / f"impact_report_fy{fiscal_year}{suffix}.html"
    tables_dir = f"tables{suffix}"

    step = time.perf_counter()
    organisation = data.organisation
    # The page leads with the pooled rows; the exports below keep every table whole.
    body_tables, appendix_tables = split_by_program(
        tables, {section.anchor for section in outcome_sections}
    )
    sections = build_sections(
        outcome_sections,
        charts,
        body_tables + appendix_tables,
        lines,
        k,
        organisation,
        scale_rules_ja(data),
        opening_leads={"outputs": output_indicators_lead(data.indicators)},
        narrative=narrative,
        indicators=data.indicators,
        voices=voices,
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
            "title": organisation.report_title(fiscal_year),
            "organisation": organisation,
            "fiscal_year": fiscal_year,
            "release_id": source.release_id,
            "data_as_of": source.data_as_of.isoformat(),
            "published_at": organisation.local_time(source.created_at),
            "rendered_at": organisation.local_time(datetime.now(UTC)),
            "k": k,
            "xlsx_name": xlsx_path.name,
            "tables_dir": tables_dir,
        },
    )
    write_text_atomically(html_path, html)
    for section in sections:
        log.info(
            "  section %s: %s charts, %s tables",
            section.title,
            len(section.charts),
            len(section.tables),
        )
    log.info(
        "  html: %s (%.0f KB, %.1f s)",
        html_path,
        len(html.encode()) / 1024,
        time.perf_counter() - step,
    )

    step = time.perf_counter()
    csv_paths = write_csvs(tables, out_dir / tables_dir)
    write_xlsx(
        tables,
        xlsx_path,
        about=[
            (s("about_report"), organisation.report_short_title(fiscal_year)),
            (s("about_publisher"), organisation.organisation_name_ja),
            (s("cover_release_id"), source.release_id),
            (s("cover_data_as_of"), source.data_as_of.isoformat()),
            (s("about_suppression_label"), s("about_suppression", k=k)),
        ],
    )
    log.info(
        "  exports: %s CSV + %s (%.1f s)",
        len(csv_paths),
        xlsx_path.name,
        time.perf_counter() - step,
    )

    pdf_path = None
    if pdf:
        pdf_path = print_pdf(
            html_path,
            html_path.with_suffix(".pdf"),
            footer_label=organisation.report_short_title(fiscal_year),
        )

    seconds = round(time.perf_counter() - started, 2)
    log.info("report FY%s written in %.1f s: %s", fiscal_year, seconds, html_path)
    return RenderedReport(
        html_path=html_path,
        csv_paths=tuple(csv_paths),
        xlsx_path=xlsx_path,
        release_id=source.release_id,
        fiscal_year=fiscal_year,
        seconds=seconds,
        chart_ids=tuple(chart.chart_id for chart in charts),
        pdf_path=pdf_path,
        lang=lang,
        missing_translations=len(missing_translations()),
    )
