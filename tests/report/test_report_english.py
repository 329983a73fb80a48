"""The English report (``--lang en``): the same report from the catalog's *_en columns, the
English strings and methods; a label with no English is marked and listed, never silently
Japanese (issue 14)."""

from __future__ import annotations

import html as html_module
import re
from pathlib import Path

import duckdb
import openpyxl
import pytest

from impact_warehouse.report import render_report
from impact_warehouse.report.i18n import UNTRANSLATED_MARK
from report_pages import MISSING_SECTION, appendix_rows

# Japanese script: kana, CJK ideographs, CJK punctuation (「」、。〜) and full-width forms
# （（）：／）. The marks of the report (—※ suppressed, － not applicable) are symbols, not words.
JAPANESE = re.compile(
    r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff0c\uff0e-\uffef]"
)
# An element in the original Japanese (the respondents' quotes, report/voices.py): kept as
# written and marked lang="ja"; its tag is a leaf (no nested element of the same name).
ORIGINAL_JAPANESE = re.compile(r'<(\w+)\b[^>]*\blang="ja"[^>]*>.*?</\1>', re.S)


def visible_text(page: str) -> str:
    """The words a reader sees, outside the missing-translations appendix and the quotes
    marked as original Japanese (lang="ja").

    Chart text is drawn as outlines (no text in the SVG); each chart's words are in its
    title and caption, which are checked here, and come from the same strings.
    """
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    page = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)
    page = MISSING_SECTION.sub("", page)
    page = ORIGINAL_JAPANESE.sub("", page)
    return html_module.unescape(re.sub(r"<[^>]+>", "\n", page))


def japanese_lines(page: str) -> list[str]:
    return [line.strip() for line in visible_text(page).splitlines() if JAPANESE.search(line)]


@pytest.fixture(scope="module")
def english_report(published_reports, tmp_path_factory) -> dict:
    out_dir = tmp_path_factory.mktemp("english")
    rendered = render_report(
        2025,
        release_id=published_reports.release.release_id,
        out_dir=out_dir,
        settings=published_reports.settings,
        lang="en",
    )
    return {"rendered": rendered, "html": rendered.html_path.read_text(encoding="utf-8")}


def test_mamabono_english_report_has_no_japanese(english_report: dict) -> None:
    page = english_report["html"]
    assert english_report["rendered"].missing_translations == 0
    assert 'id="missing-translations"' not in page
    assert japanese_lines(page) == []
    assert '<html lang="en">' in page
    assert "<title>Mamabono FY2025 impact evaluation report</title>" in page


def test_only_the_quotes_stay_in_japanese(english_report: dict) -> None:
    """The respondents' words are quoted as written, marked lang="ja"; nothing else is."""
    page = english_report["html"]
    marked = re.findall(r'<(\w+)\b([^>]*)\blang="ja"', page)
    assert marked, "no quote marked as Japanese"
    assert all(tag == "li" and 'class="voice-quote"' in attributes for tag, attributes in marked)
    assert "(from the free-text answers)" in visible_text(page)


def test_english_report_keeps_the_figures_and_names_the_sections(english_report: dict) -> None:
    page = english_report["html"]
    toc = page[page.index('<nav class="toc"') : page.index("</nav>")]
    for title in ("Activities and outputs", "Surveys and response rates", "Summary of results",
                  "Methods"):  # fmt: skip
        assert f">{title}</a>" in toc
    # the FY2025 headline figures, exactly as in the Japanese report (METRICS.md rounding)
    text = visible_text(page)
    for figure in ("51.1%", "75.6%", "62.5%", "+35.3pt"):
        assert figure in text, figure
    assert "Confidence in pursuing a career of my own" in page
    assert "Pre-program survey" in page
    assert "FY2025" in page and "2025年度" not in page
    start = page.index('id="methods"')
    methods = page[start : page.index("</section>", start)]
    assert "Wilson score method" in methods and "comparison group" in methods


def test_english_exports_have_english_headers(english_report: dict) -> None:
    rendered = english_report["rendered"]
    assert rendered.html_path.name == "impact_report_fy2025_en.html"
    assert rendered.xlsx_path.name == "impact_report_fy2025_en.xlsx"
    about = openpyxl.load_workbook(rendered.xlsx_path).worksheets[0]
    values = {row[0]: row[1] for row in about.iter_rows(values_only=True) if row[0]}
    assert values["Report"] == "Mamabono FY2025 impact evaluation"
    assert values["Published by"] == "Service Grant Japan"
    first_csv = sorted(rendered.html_path.parent.glob("tables_en/*.csv"))[0]
    assert first_csv.read_text(encoding="utf-8-sig").startswith("Row key,")


@pytest.mark.timeout(900)
def test_a_label_without_english_is_marked_and_listed(
    publish_edited, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A catalog copy with one English label removed: the English report prints the Japanese
    label behind the mark, lists it (file, row, column) in the appendix, and logs the count."""

    def remove_one_label(connection: duckdb.DuckDBPyConnection) -> str:
        japanese = connection.execute(
            "select report_label_ja from catalog.items where item_code = 'career_confidence'"
        ).fetchone()[0]
        connection.execute(
            "update catalog.items set report_label_en = null where item_code = 'career_confidence'"
        )
        return japanese

    settings, copy, japanese = publish_edited("english-missing-label", remove_one_label)
    with caplog.at_level("WARNING", logger="impact_warehouse.report.render"):
        rendered = render_report(
            2025, release_id=copy.release_id, out_dir=tmp_path / "out", settings=settings, lang="en"
        )
    assert rendered.missing_translations == 1
    assert any("missing translations (en): 1 " in record.message for record in caplog.records)
    page = rendered.html_path.read_text(encoding="utf-8")
    appendix = MISSING_SECTION.search(page)
    assert appendix, "no missing-translations appendix"
    rows = appendix_rows(page)
    assert rows == [("items.csv", "career_confidence", "report_label_en")]
    assert japanese in appendix.group(0)
    # shown marked wherever the label is printed, and nowhere unmarked
    assert f"{UNTRANSLATED_MARK} {japanese}" in visible_text(page)
    unmarked = [line for line in japanese_lines(page) if UNTRANSLATED_MARK not in line]
    assert unmarked == []
