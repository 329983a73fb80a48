"""The FY2025 report in headless Chromium (Debian's chromium): no console error, no request
leaving the machine, every chart present and sized, Japanese text in the embedded font with
no glyph falling back to another font, and a full-page screenshot for people to look at."""

from __future__ import annotations

import base64
import io
import re
import shutil
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from playwright.sync_api import sync_playwright

from browser_support import CHROMIUM, CHROMIUM_ARGS
from impact_warehouse.report.fonts import EMBEDDED_FAMILY

# The end-to-end tier (make test-all): the report in headless Chromium
pytestmark = pytest.mark.slow

FY = 2025
SCREENSHOT_COPY = Path("/tmp/report/screenshot_fy2025.png")
# Japanese text of several kinds: title, section headings, table headers and cells, chart
# titles, the summary and the methods.
JAPANESE_SELECTORS = [
    "h1#report-title",
    "section h2",
    "h4",
    "th",
    "td.text",
    "figcaption.chart-title",
    "table.summary li",
    ".methods dd",
    "td.suppressed",
]


def expected_chart_ids(published_reports) -> set[str]:
    """What the release holds for FY2025, by chart, read here without the report package."""
    with published_reports.database() as connection:

        def values(query: str) -> list[str]:
            return [row[0] for row in connection.execute(query, [FY]).fetchall()]

        short_term = values(
            "select distinct indicator_code from reporting.rpt_short_term_outcomes"
            " where fiscal_year = ? and program_code = 'all'"
        )
        pre_post = values(
            "select distinct item_code from reporting.rpt_pre_post_confidence"
            " where fiscal_year = ? and program_code = 'all'"
        )
        mid_term = values(
            "select distinct indicator_code from reporting.rpt_mid_term_outcomes"
            " where fiscal_year = ? and program_code = 'all'"
        )
        series = values(
            "select distinct indicator_code from reporting.rpt_indicator_series"
            " where fiscal_year <= ? and program_code = 'all' and indicator_code is not null"
        )
        # The love plot of the adjusted comparison, when the year has covariate balance rows.
        balance = values(
            "select distinct item_code from reporting.rpt_covariate_balance where fiscal_year = ?"
        )
    ids = {"chart-cumulative", "chart-time-use", "chart-mommy-track"}
    ids |= {"chart-adjusted-love-plot"} if balance else set()
    ids |= {f"chart-short-term-{code}" for code in short_term}
    ids |= {f"chart-pre-post-distribution-{item}" for item in pre_post}
    ids |= {f"chart-pre-post-headline-{item}" for item in pre_post}
    ids |= {f"chart-mid-term-{code}" for code in mid_term}
    ids |= {f"chart-series-{code}" for code in series}
    return ids


def embedded_font(html: str) -> TTFont:
    encoded = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", html).group(1)
    return TTFont(io.BytesIO(base64.b64decode(encoded)))


def test_the_report_renders_offline_in_chromium(published_reports, tmp_path):
    html_path = published_reports.html_path(FY)
    html = html_path.read_text(encoding="utf-8")
    charts = expected_chart_ids(published_reports)
    assert len(charts) >= 15
    console: list[str] = []
    requests: list[str] = []
    screenshot = tmp_path / "screenshot_fy2025.png"

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh profile
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1100, "height": 900},
        )
        try:
            context.on("request", lambda request: requests.append(request.url))
            page = context.new_page()
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
            page.goto(html_path.as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")

            for chart_id in sorted(charts):
                figure = page.locator(f"figure#{chart_id}[data-chart='{chart_id}']")
                assert figure.count() == 1, f"missing chart {chart_id}"
                box = figure.locator("svg.chart-svg").bounding_box()
                assert box and box["width"] > 400 and box["height"] > 120, (chart_id, box)
            assert page.locator("figure.chart").count() == len(charts)

            loaded = page.evaluate(
                "family => document.fonts.check(`16px '${family}'`, 'あ')", EMBEDDED_FAMILY
            )
            assert loaded, "the embedded font did not load"
            page.screenshot(path=str(screenshot), full_page=True)
            body_text = page.evaluate("document.body.innerText")
            # Taken before the inspector attaches: DevTools' CSS domain itself logs an
            # "Unsafe attempt to load URL" for file: pages, which is not the page's doing.
            page_console = list(console)
            fonts_by_selector = platform_fonts(page, JAPANESE_SELECTORS)
        finally:
            context.close()

    errors = [m for m in page_console if m.startswith(("error", "pageerror"))]
    assert not errors, errors
    outside = [url for url in requests if not url.startswith(("file:", "data:", "about:"))]
    assert not outside, outside

    for selector, fonts in fonts_by_selector.items():
        assert fonts, f"no text measured for {selector}"
        fallback = [font for font in fonts if not font["isCustomFont"]]
        assert not fallback, f"{selector}: glyphs from a system font {fallback}"
        assert all("IPAex" in font["familyName"] for font in fonts), (selector, fonts)
        assert sum(font["glyphCount"] for font in fonts) > 0

    # Every character of the page text has a glyph in the embedded subset: no tofu boxes.
    cmap = embedded_font(html).getBestCmap()
    missing = sorted({char for char in body_text if not char.isspace() and ord(char) not in cmap})
    assert not missing, missing

    assert screenshot.stat().st_size > 200_000
    SCREENSHOT_COPY.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot, SCREENSHOT_COPY)
    print(f"screenshot: {screenshot} (copy: {SCREENSHOT_COPY})")


def platform_fonts(page, selectors: list[str]) -> dict[str, list[dict]]:
    """The fonts Chromium used for the text of each selector's nodes (CDP CSS domain)."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    found: dict[str, list[dict]] = {}
    for selector in selectors:
        node_ids = session.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})
        fonts: list[dict] = []
        for node_id in node_ids["nodeIds"][:25]:
            fonts += session.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
        found[selector] = fonts
    session.detach()
    return found


def test_chart_text_is_drawn_from_the_japanese_font(published_reports):
    html = published_reports.html(FY)
    for figure in re.findall(r"<figure .*?</figure>", html, flags=re.S):
        chart_id = re.search(r'id="([^"]+)"', figure).group(1)
        assert re.search(rf'id="{chart_id}-IPAexGothic-\d+"', figure), chart_id
        assert "DejaVu" not in figure, f"{chart_id} fell back to DejaVu (missing glyphs)"
