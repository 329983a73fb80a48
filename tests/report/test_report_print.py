"""The FY2025 report printed: the PDF that ``impact report --pdf`` writes (render_report with
pdf=True, the code the DAG and the CLI share) read back with pypdf, and the page laid out in
headless Chromium on screen (1000 px) and for print (A4), with screenshots of every printed
section for people to look at."""

from __future__ import annotations

import re
import time
from html import unescape
from pathlib import Path

import matplotlib
import pytest
from playwright.sync_api import sync_playwright
from pypdf import PdfReader

from browser_support import CHROMIUM, CHROMIUM_ARGS
from impact_warehouse.report import pdf as report_pdf
from impact_warehouse.report.appendix import APPENDIX_ANCHOR
from impact_warehouse.report.chart_kit import chart_style, new_figure, svg_text
from impact_warehouse.report.render import render_report
from layout_checks import CHART_TEXT_BOXES_JS, OVERFLOW_JS, overlapping_labels

# The end-to-end tier (make test-all): headless Chromium prints the report
pytestmark = pytest.mark.slow

FY = 2025
# The FY2025 demo prints on about 40 A4 pages (29 pages before the print stylesheet, in
# Chromium's default print); far fewer means sections went missing, far more a broken layout.
SANE_PAGES = range(20, 61)
SCREENSHOTS = Path("/tmp/report/print")
# A4 is 210 mm wide; the PDF's left and right margins (report/pdf.py) are 13 mm each.
A4_CONTENT_PX = round((210 - 2 * 13) / 25.4 * 96)


@pytest.fixture(scope="module")
def printed(published_reports, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("printed")
    started = time.perf_counter()
    rendered = render_report(
        FY,
        release_id=published_reports.release.release_id,
        out_dir=out,
        settings=published_reports.settings,
        pdf=True,
    )
    seconds = time.perf_counter() - started
    assert rendered.pdf_path == out / f"impact_report_fy{FY}.pdf"
    reader = PdfReader(rendered.pdf_path)
    print(
        f"FY{FY} PDF: {len(reader.pages)} pages, {rendered.pdf_path.stat().st_size / 1024:.0f} KB,"
        f" HTML + PDF rendered in {seconds:.1f} s"
    )
    return {
        "html": rendered.html_path.read_text(encoding="utf-8"),
        "reader": reader,
        "texts": [page.extract_text() or "" for page in reader.pages],
        "as_dict": rendered.as_dict(),
    }


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


SECTION_TITLE = r'<section id="[^"]+" class="report-section">\s*<h2>([^<]+)</h2>'


def section_titles(html: str) -> list[str]:
    return [unescape(title) for title in re.findall(SECTION_TITLE, html)]


def test_the_pdf_has_a_sane_number_of_numbered_pages(printed):
    pages = len(printed["reader"].pages)
    assert pages in SANE_PAGES, pages
    assert printed["as_dict"]["pdf"].endswith(".pdf")
    for number, text in enumerate(printed["texts"], start=1):
        assert f"{number} / {pages}" in text, f"page {number} has no page number"


def test_every_font_of_the_pdf_is_embedded(printed):
    fonts = {}
    for page in printed["reader"].pages:
        for name, font in _page_fonts(page):
            fonts[name] = font
    assert fonts, "no font found: the text would not be text"
    not_embedded = [name for name, font in fonts.items() if not _embedded(font)]
    assert not not_embedded, not_embedded


def _page_fonts(page):
    resources = page.get("/Resources") or {}
    seen = [resources]
    while seen:
        current = seen.pop().get_object()
        for name, font in (current.get("/Font") or {}).items():
            yield name, font.get_object()
        for xobject in (current.get("/XObject") or {}).values():
            resources = xobject.get_object().get("/Resources")
            if resources is not None:
                seen.append(resources)


def _embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":  # glyphs drawn by the PDF itself
        return True
    descendants = [d.get_object() for d in font.get("/DescendantFonts") or []] or [font]
    for descendant in descendants:
        descriptor = descendant.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            return False
    return True


def test_every_section_title_is_in_the_pdf_text_in_page_order(printed):
    titles = section_titles(printed["html"])
    assert len(titles) >= 8 and titles[-1] == "付録：プログラム別の数値と一覧表"
    text = _squeeze("".join(printed["texts"]))
    # The table of contents names every section first; the body starts at the first title's
    # second occurrence. From there each title must follow the one before it (a title may
    # also occur earlier in prose, e.g. Key Findings naming 考察, so search forwards only).
    first = _squeeze(titles[0])
    position = text.find(first, text.find(first) + 1)
    position = position if position >= 0 else text.find(first)
    for title in titles:
        found = text.find(_squeeze(title), position)
        assert found >= 0, f"section title missing from the PDF text, or out of order: {title}"
        position = found + len(_squeeze(title))


def test_the_pdf_text_is_extractable_japanese(printed):
    cover = printed["texts"][0]
    title = unescape(re.search(r"<title>([^<]+)</title>", printed["html"]).group(1))
    assert _squeeze(title) in _squeeze(cover)
    japanese = re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", "".join(printed["texts"]))
    assert len(japanese) > 5_000
    assert "\ufffd" not in "".join(printed["texts"])


def test_no_page_is_blank(printed):
    pages = len(printed["texts"])
    for number, text in enumerate(printed["texts"], start=1):
        body = text.replace(f"{number} / {pages}", "")
        assert len(_squeeze(body)) > 20, f"page {number} is blank: {text!r}"


def test_pooled_results_lead_and_programs_follow_in_the_appendix(printed):
    html = printed["html"]
    appendix_at = html.index(f'<section id="{APPENDIX_ANCHOR}"')
    body, appendix = html[:appendix_at], html[appendix_at:]
    split = re.findall(r'<table id="table-(\w+)-appendix"', appendix)
    assert "06_short_term_outcomes" in split and "10_mid_term_outcomes" in split
    for key in split:
        if f'id="table-{key}"' not in body:  # a long reference table moved whole
            continue
        table = body[body.index(f'id="table-{key}"') :]
        keys = re.findall(r'data-key="([^"]+)"', table[: table.index("</table>")])
        assert keys and all(row.split("|")[1] == "all" for row in keys), (key, keys[:3])
    assert "|mamabono|" in appendix


def test_captions_are_plain_japanese(published_reports, printed):
    html = printed["html"]
    release_id = published_reports.release.release_id
    notes = re.findall(r'<p class="note">(.*?)</p>', html, flags=re.S)
    assert len(notes) >= 25
    for note in notes:
        for word in ("Newcombe", "McNemar", "Fisher", "Wilson", "Wilcoxon", release_id):
            assert word not in note, (word, note)
    methods = html[html.index('id="methods"') :]
    assert release_id in methods and "Fisher" in methods


def test_every_time_in_the_page_is_in_the_organisations_time_zone(printed):
    html = printed["html"]
    times = re.findall(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}[^<]*", html)
    assert times, "the cover shows when the release was published and the report made"
    for shown in times:
        assert not re.search(r"UTC|Z$|\+00:00", shown), shown
        assert re.search(r" [A-Z]{3,4}$", shown.strip()), shown  # e.g. "2026-12-01 19:37 JST"


def test_a_missing_chromium_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("IMPACT_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(report_pdf.ChromiumMissingError) as error:
        report_pdf.print_pdf(tmp_path / "a.html", tmp_path / "a.pdf")
    assert "apt-get install" in error.value.message_ja
    assert "make system-packages-test" in error.value.message_ja
    assert not (tmp_path / "a.pdf").exists()


@pytest.mark.timeout(600)
def test_the_printed_and_the_screen_page_fit_and_no_chart_label_overlaps(printed, tmp_path):
    """Every printed section (each starts a page) is photographed; nothing is wider than the
    page, no table needs scrolling, and no two text labels of a chart overlap."""
    html_path = tmp_path / "report.html"
    html_path.write_text(printed["html"], encoding="utf-8")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for width, media in ((1000, "screen"), (A4_CONTENT_PX, "print")):
                page = browser.new_page(viewport={"width": width, "height": 1100})
                page.goto(html_path.as_uri(), wait_until="load")
                page.emulate_media(media=media)
                page.evaluate("document.fonts.ready.then(() => true)")
                layout = page.evaluate(OVERFLOW_JS)
                assert layout["page"] <= layout["limit"], (media, layout["page"])
                assert not layout["wide"], (media, layout["wide"][:5])
                assert not layout["scrolled"], (media, layout["scrolled"])
                charts = page.evaluate(CHART_TEXT_BOXES_JS)
                assert len(charts) >= 15 and sum(len(c["boxes"]) for c in charts) > 300
                assert not overlapping_labels(charts), (media, overlapping_labels(charts))
                if media == "print":
                    sections = page.locator("section.report-section")
                    for index in range(sections.count()):
                        section = sections.nth(index)
                        anchor = section.get_attribute("id")
                        section.screenshot(path=str(SCREENSHOTS / f"{index:02d}_{anchor}.png"))
                page.close()
        finally:
            browser.close()
    shots = sorted(SCREENSHOTS.glob("*.png"))
    assert len(shots) >= len(section_titles(printed["html"]))
    print(f"print screenshots: {SCREENSHOTS} ({len(shots)})")


def test_the_overlap_check_finds_overlapping_labels(tmp_path):
    """The check can fail: two labels drawn on top of each other are found."""
    with matplotlib.rc_context(chart_style()):
        figure = new_figure(2.0)
        ax = figure.add_subplot()
        ax.bar([2022], [38])
        ax.text(2022, 38, "38", ha="center", va="bottom")
        ax.annotate("38", (2022, 38), textcoords="offset points", xytext=(0, 3), ha="center")
        svg = svg_text(figure, "chart-test")
    page_path = tmp_path / "chart.html"
    page_path.write_text(
        f'<html><body><figure class="chart" id="chart-test">{svg}</figure></body></html>',
        encoding="utf-8",
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 400})
            page.goto(page_path.as_uri())
            charts = page.evaluate(CHART_TEXT_BOXES_JS)
        finally:
            browser.close()
    assert ("chart-test", "38", "38") in overlapping_labels(charts)
