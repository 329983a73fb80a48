"""The FY2025 demo report read against the seed report it re-produces: every section of the
seed report, in its order, and the narrative's numbers taken from the release, not typed."""

from __future__ import annotations

import html as html_module
import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from impact_warehouse.report.narrative import FIGURE_REFERENCE
from impact_warehouse.report.render import render_report
from impact_warehouse.settings import BUILTIN_CATALOG_DIR

FY = 2025
# The section titles of the seed report (/work/shared/seeds/000_db95f2d49190c4de.txt, the
# FY2025 report the demo re-produces), in its order: its headings, without the repeated
# ones (「2025年度の活動内容」 and a second 「見えてきた課題」 are continuation pages) and
# without the per-indicator headings (④ … ⑮), which are charts and notes of the outcome
# sections. 「まとめ」 is the cover page of 評価結果まとめ.
SEED_SECTION_TITLES = [
    "はじめに",
    "ママボノとは？",
    "ママボノとママボノNEXT",
    "ママボノが目指すビジョン",
    "ママボノ Theory of change",
    "ママボノ参加者に対するロジックモデル",
    "ロジックモデルの指標",
    "Key Findings",
    "活動・アウトプット",
    "短期アウトカム",
    "中期アウトカム",
    "評価結果まとめ",
    "考察：総論と主なポイント",
    "見えてきた課題",
    "まとめと社会への提言",
]
NARRATIVE_FOLDER = BUILTIN_CATALOG_DIR / "narrative"
# A number written as a share or a difference (51.1%, +35.3pt, 35ポイント) or with a decimal.
TYPED_NUMBER = re.compile(r"\d+(?:\.\d+)?(?=\s*(?:%|％|pt|ポイント))|\d+\.\d+")
# The interval's confidence level is a method, not a figure of the release.
CONFIDENCE_LEVEL = re.compile(r"95\s*[%％]\s*信頼区間")


def headings(page: str) -> list[str]:
    """Section and sub-section headings (h2–h4) in page order, as a reader sees them."""
    body = page[page.index("</nav>") :]
    found = re.findall(r"<h([234])[^>]*>(.*?)</h\1>", body, flags=re.S)
    return [html_module.unescape(re.sub(r"<[^>]+>", "", text)).strip() for _, text in found]


def in_order(expected: list[str], found: list[str]) -> list[str]:
    """The expected titles missing from ``found`` in order (a heading may add to a title:
    短期アウトカム ④〜⑩ is the seed's 短期アウトカム); extra headings are allowed."""
    missing, position = [], 0
    for title in expected:
        index = next((i for i in range(position, len(found)) if found[i].startswith(title)), None)
        if index is None:
            missing.append(title)
        else:
            position = index + 1
    return missing


def half_up_percent(value: float) -> str:
    number = Decimal(repr(float(value) * 100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{number}%"


def figure_spans(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<span class="figure" data-figure="([^"]+)">([^<]*)</span>', page)


@pytest.fixture(scope="module")
def outcomes(published_reports) -> pd.DataFrame:
    with published_reports.database() as connection:
        return connection.execute(
            "select * from reporting.rpt_outcome_results where fiscal_year = ?"
            " and program_code = 'all' and population = 'respondents'",
            [FY],
        ).df()


def test_the_report_has_every_section_of_the_seed_report_in_its_order(published_reports):
    found = headings(published_reports.html(FY))
    assert in_order(SEED_SECTION_TITLES, found) == [], found
    # The methods come last, after the narrative's closing sections (only the appendix of
    # per-program tables follows them).
    sections = re.findall(
        r'<section id="([^"]+)" class="report-section">', published_reports.html(FY)
    )
    assert [anchor for anchor in sections if anchor != "appendix"][-1] == "methods"
    assert sections.index("recommendations") > sections.index("summary")


def test_the_headline_figures_of_the_narrative_come_from_the_release(published_reports, outcomes):
    page = published_reports.html(FY)
    spans = figure_spans(page)
    for name, text in [
        ("career_confidence.confident.pre", "51.1%"),
        ("career_confidence.confident.post", "75.6%"),
        ("return_anxiety.anxious.pre", "56.3%"),
        ("challenged_at_work.yes.followup", "62.5%"),
        ("challenged_at_work.yes.followup.diff", "+35.3pt"),
    ]:
        assert (name, text) in spans, name
    # Every plain share the narrative quotes is the published value, rounded half up.
    rows = outcomes.set_index(["item_code", "measure", "wave_type"])
    checked = 0
    for name, text in spans:
        parts = name.split(".")
        if len(parts) == 3 and tuple(parts) in rows.index:
            row = rows.loc[tuple(parts)]
            if row.measure_kind == "share":
                assert text == half_up_percent(row.value), name
                checked += 1
    assert checked >= 30
    assert "［数値不明" not in page and 'class="narrative-placeholder' not in page


def test_no_number_is_typed_where_the_release_holds_it(outcomes):
    published = {half_up_percent(value)[:-1] for value in outcomes.value.dropna()} | {
        f"{Decimal(repr(abs(float(points)))).quantize(Decimal('0.1'), ROUND_HALF_UP)}"
        for points in outcomes.difference_points.dropna()
    }
    blocks = sorted(NARRATIVE_FOLDER.rglob("*.md"))
    assert len(blocks) >= 20
    typed = []
    for path in blocks:
        text = FIGURE_REFERENCE.sub("", path.read_text(encoding="utf-8"))
        text = CONFIDENCE_LEVEL.sub("", text)
        for number in TYPED_NUMBER.findall(text):
            if f"{Decimal(number):.1f}" in published:
                typed.append(f"{path.relative_to(NARRATIVE_FOLDER)}: {number}")
    assert typed == []


def test_each_indicator_note_sits_in_its_outcome_section(published_reports):
    page = published_reports.html(FY)
    starts = [(m.start(), m.group(1)) for m in re.finditer(r'<section id="([^"]+)"', page)]
    placed = {
        note.group(1): [anchor for start, anchor in starts if start < note.start()][-1]
        for note in re.finditer(r'class="narrative indicator-note" data-block="([^"]+)"', page)
    }
    assert placed == {
        **{f"indicator_I{number:02d}": "short_term" for number in (4, 5, 6, 8, 9, 10)},
        "indicator_I07": "pre_post",  # drawn by the pre/post charts only
        **{f"indicator_I{number:02d}": "mid_term" for number in range(11, 16)},
    }
    # Under its chart: the note follows the indicator's chart, before the next chart.
    chart = page.index('data-chart="chart-short-term-I04"')
    note = page.index('data-block="indicator_I04"')
    assert chart < note < page.index("<figure", chart + 1)


@pytest.mark.timeout(300)
def test_the_final_report_has_no_placeholder_and_the_same_sections(published_reports, tmp_path):
    rendered = render_report(
        FY,
        release_id=published_reports.release.release_id,
        settings=published_reports.settings,
        out_dir=tmp_path,
        final=True,
    )
    page = rendered.html_path.read_text(encoding="utf-8")
    assert 'class="narrative-placeholder' not in page
    assert headings(page) == headings(published_reports.html(FY))


def test_a_year_without_its_blocks_falls_back_to_common_and_shows_placeholders(
    published_reports,
):
    later = [year for year in published_reports.reports if year != FY]
    if not later:
        pytest.skip("the release renders no other fiscal year")
    page = published_reports.html(later[0])
    # common/: the programs and the vision; the year's own text is still to be written.
    assert '<section id="vision" class="report-section">' in page
    assert "ママボノが目指すビジョン" in page
    assert 'class="narrative-placeholder" data-block="introduction"' in page
