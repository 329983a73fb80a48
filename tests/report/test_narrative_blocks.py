"""Narrative blocks and figure references, on small frames and a temporary catalog folder:
where a block is found, how a figure is named and printed, and what draft and final do with
a missing block, an unknown figure and a suppressed one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from markupsafe import Markup, escape

from impact_warehouse.report.cells import SUPPRESSED_MARK
from impact_warehouse.report.chart_kit import Chart
from impact_warehouse.report.figures import FigureResolver, UnknownFigureError, half_up
from impact_warehouse.report.narrative import (
    NarrativeBlock,
    NarrativeCatalog,
    NarrativeError,
    parse_block,
)
from impact_warehouse.report.outcome_plan import OutcomeSection
from impact_warehouse.report.story import (
    logic_model_html,
    place_indicator_notes,
    theory_of_change_html,
)
from impact_warehouse.settings import BUILTIN_CATALOG_DIR, PROJECT_ROOT

FY = 2031


def outcome_row(item: str, measure: str, wave: str, **values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "program_code": "all",
        "population": "respondents",
        "item_code": item,
        "measure": measure,
        "wave_type": wave,
        "measure_kind": "share",
        "numerator": None,
        "denominator": None,
        "value": None,
        "ci_lower": None,
        "ci_upper": None,
        "comparison_value": None,
        "comparison_denominator": None,
        "difference_points": None,
        "difference_ci_lower": None,
        "difference_ci_upper": None,
        "is_suppressed": False,
    }
    row.update(values)
    return row


OUTCOMES = pd.DataFrame(
    [
        # 27/48 = 56.25%: half up prints 56.3% (METRICS.md "Display rounding").
        outcome_row("anxiety", "anxious", "pre", numerator=27, denominator=48, value=27 / 48),
        outcome_row(
            "confidence",
            "confident",
            "post",
            numerator=31,
            denominator=41,
            value=31 / 41,
            ci_lower=0.6066,
            ci_upper=0.8622,
        ),
        outcome_row(
            "challenged",
            "yes",
            "followup",
            numerator=20,
            denominator=32,
            value=0.625,
            comparison_value=84 / 309,
            comparison_denominator=309,
            difference_points=35.3155,
            difference_ci_lower=17.25,
            difference_ci_upper=50.61,
        ),
        outcome_row("lonely", "agree", "post", is_suppressed=True),
        # Another program's row and the paired population are never what a name points at.
        {**outcome_row("confidence", "confident", "post", value=0.1), "program_code": "p1"},
        {**outcome_row("confidence", "confident", "post", value=0.2), "population": "paired"},
    ]
)
OUTPUTS = pd.DataFrame(
    [
        {"program_code": "all", "participants": 64, "participations": 65, "is_suppressed": False},
        {
            "program_code": "small",
            "participants": None,
            "participations": None,
            "is_suppressed": True,
        },
    ]
)
TIME_USE = pd.DataFrame(
    [
        {
            "program_code": "all",
            "respondent_group": "followup",
            "partner_hours_mean": 2.399,
            "partner_share": 0.2517,
            "partner_difference_hours": 0.5989,
            "partner_share_difference_points": 2.0966,
            "is_suppressed": False,
        }
    ]
)


@pytest.fixture
def resolver() -> FigureResolver:
    return FigureResolver(OUTCOMES, OUTPUTS, TIME_USE, k=5)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("anxiety.anxious.pre", "56.3%"),
        ("anxiety.anxious.pre.n", "48"),
        ("anxiety.anxious.pre.count", "27"),
        ("confidence.confident.post", "75.6%"),
        ("confidence.confident.post.ci", "[60.7, 86.2]"),
        ("challenged.yes.followup.diff", "+35.3pt"),
        ("challenged.yes.followup.diff_ci", "[+17.3, +50.6]"),
        ("challenged.yes.followup.comparison", "27.2%"),
        ("challenged.yes.followup.comparison_n", "309"),
        ("outputs.all.participants", "64"),
        ("outputs.all.participations", "65"),
        ("time_use.followup.partner_share", "25.2%"),
        ("time_use.followup.partner_hours_mean", "2.40"),
        ("time_use.followup.partner_difference_hours", "+0.60"),
        ("time_use.followup.partner_difference_hours.minutes", "36"),
        ("time_use.followup.partner_share_difference_points", "+2.1pt"),
    ],
)
def test_a_figure_name_prints_the_published_cell(resolver, name: str, text: str) -> None:
    figure = resolver.resolve(name)
    assert (figure.text, figure.suppressed) == (text, False)


def test_display_rounds_half_up_not_to_even() -> None:
    assert str(half_up(56.25, 1)) == "56.3"
    assert str(half_up(0.125 * 100, 1)) == "12.5"
    assert str(half_up(2.675, 2)) == "2.68"  # binary 2.67499…: rounded from its repr


@pytest.mark.parametrize(
    "name",
    [
        "confidence.confident.pre",  # no such wave published
        "confidence.agree.post",  # no such measure
        "nothing.confident.post",
        "confidence.confident",  # too short
        "confidence.confident.post.median",  # not a part of the grammar
        "confidence.confident.post.diff",  # a post row has no comparison difference
        "outputs.all.budget",
        "outputs.nowhere.participants",
        "time_use.followup.partner_share.minutes",  # minutes of hours only
    ],
)
def test_an_unknown_figure_is_refused(resolver, name: str) -> None:
    with pytest.raises(UnknownFigureError):
        resolver.resolve(name)


def test_a_suppressed_figure_is_the_mark_with_its_note(resolver) -> None:
    for name in ("lonely.agree.post", "lonely.agree.post.n", "outputs.small.participants"):
        figure = resolver.resolve(name)
        assert (figure.text, figure.suppressed) == (SUPPRESSED_MARK, True)
    html = resolver.html("lonely.agree.post")
    assert SUPPRESSED_MARK in html and "N&lt;5のため非表示" in html


# --- blocks in a catalog folder -------------------------------------------------------------


def write(folder: Path, relative: str, text: str) -> Path:
    path = folder / "narrative" / "ja" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def catalog(folder: Path, resolver: FigureResolver, *, final: bool) -> NarrativeCatalog:
    return NarrativeCatalog(folder, FY, resolver, final=final)


def test_the_years_block_wins_over_common_and_common_is_the_fallback(tmp_path, resolver):
    write(tmp_path, "common/vision.md", "# 共通のビジョン\n\nいつも。\n")
    write(tmp_path, "common/introduction.md", "# 共通\n\n古い。\n")
    write(tmp_path, f"fy{FY}/introduction.md", "# はじめに（今年）\n\n今年。\n")
    blocks = catalog(tmp_path, resolver, final=True)
    assert blocks.block("introduction").title == "はじめに（今年）"
    assert "今年" in blocks.block("introduction").html
    assert blocks.block("vision").title == "共通のビジョン"
    # Another year falls back to common/ for both.
    other = NarrativeCatalog(tmp_path, FY + 1, resolver, final=True)
    assert other.block("introduction").title == "共通"


def test_a_missing_block_is_a_placeholder_in_draft_and_omitted_in_final(tmp_path, resolver):
    draft = catalog(tmp_path, resolver, final=False).block("discussion")
    assert draft is not None and draft.placeholder
    assert draft.title == "考察"
    assert 'class="narrative-placeholder"' in draft.html
    assert f"narrative/ja/fy{FY}/discussion.md" in draft.html
    assert catalog(tmp_path, resolver, final=True).block("discussion") is None


def test_figures_in_a_block_come_from_the_release(tmp_path, resolver):
    write(
        tmp_path,
        f"fy{FY}/key_findings.md",
        '# Key Findings\n\n- 自信：{{ figure("confidence.confident.post") }}'
        "（N={{ figure('confidence.confident.post.n') }}）\n",
    )
    block = catalog(tmp_path, resolver, final=True).block("key_findings")
    assert '<span class="figure" data-figure="confidence.confident.post">75.6%</span>' in block.html
    assert ">41</span>" in block.html
    assert block.html.startswith("<ul>")


def test_an_unknown_figure_is_a_placeholder_in_draft_and_an_error_in_final(tmp_path, resolver):
    write(
        tmp_path, f"fy{FY}/indicator_K1.md", '# K1\n\n値は{{ figure("confidence.oops.post") }}。\n'
    )
    draft = catalog(tmp_path, resolver, final=False).block("indicator_K1")
    assert "［数値不明: confidence.oops.post］" in draft.html
    with pytest.raises(NarrativeError) as error:
        catalog(tmp_path, resolver, final=True).block("indicator_K1")
    message = str(error.value)
    assert "indicator_K1" in message and "confidence.oops.post" in message


def test_a_suppressed_figure_prints_the_mark_in_final_too(tmp_path, resolver):
    write(tmp_path, f"fy{FY}/summary.md", '# まとめ\n\n孤独：{{ figure("lonely.agree.post") }}\n')
    block = catalog(tmp_path, resolver, final=True).block("summary")
    assert SUPPRESSED_MARK in block.html and 'data-suppressed="true"' in block.html


def test_staff_text_cannot_inject_html_or_run_template_code(tmp_path, resolver):
    write(
        tmp_path,
        f"fy{FY}/programs.md",
        "# P\n\n<script>alert(1)</script> <b>x</b> ![img](http://x/y.png)"
        " {{ config.items() }} {% for x in y %} [団体サイト](http://example.org/)"
        " <http://example.org/>\n\n## 小見出し\n",
    )
    html = catalog(tmp_path, resolver, final=False).block("programs").html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>" not in html and "<img" not in html
    # The page refers to nothing outside itself: a link keeps its text only.
    assert "団体サイト" in html and "href" not in html
    assert "［数値不明: {{ config.items() }}］" in html
    assert "<h3>小見出し</h3>" in html  # the block's # is the section's h2
    with pytest.raises(NarrativeError, match="programs"):
        catalog(tmp_path, resolver, final=True).block("programs")


def test_a_block_id_is_a_file_name_never_a_path(tmp_path, resolver):
    blocks = catalog(tmp_path, resolver, final=True)
    assert blocks.candidates("indicator_KPI-1.2")[0].name == "indicator_KPI-1.2.md"
    for block_id in ("../secrets", "indicator/x", "Intro", ""):
        with pytest.raises(ValueError, match="block id"):
            blocks.candidates(block_id)


def test_a_block_needs_its_title_line(tmp_path):
    path = write(tmp_path, "common/vision.md", "ビジョンの文章だけ\n")
    with pytest.raises(NarrativeError, match=r"vision\.md"):
        parse_block(path)
    path.write_text("\ufeff\n# ビジョン\r\n\r\n本文\r\n", encoding="utf-8")
    assert parse_block(path) == ("ビジョン", "本文\n")


# --- generated from the catalog -------------------------------------------------------------


class _Catalog:
    """The two frames story.py reads, from a catalog folder's indicators.csv."""

    def __init__(self, folder: Path) -> None:
        self.indicators = pd.read_csv(folder / "indicators.csv", dtype=str)
        self.organisation = type("Organisation", (), {"participants_label_ja": "参加者"})()


def test_the_logic_model_table_has_every_indicator_of_the_catalog() -> None:
    for folder in (BUILTIN_CATALOG_DIR, PROJECT_ROOT / "examples" / "hataraku_women"):
        data = _Catalog(folder)
        html = logic_model_html(data)
        assert html.count("<tr data-indicator=") == len(data.indicators)
        for row in data.indicators.itertuples(index=False):
            assert escape(f"{row.indicator_symbol}{row.content_ja}") in html
        types = data.indicators.indicator_type
        assert html.count('scope="rowgroup"') == types.nunique()
        chain = theory_of_change_html(data)
        assert chain.count('class="toc-stage"') == types.nunique()


def test_the_mamabono_logic_model_is_the_seed_reports_table() -> None:
    html = logic_model_html(_Catalog(BUILTIN_CATALOG_DIR))
    # 種別 spans its indicators; a measurement method repeated below is written once.
    assert '<th scope="rowgroup" rowspan="3">アウトプット</th>' in html
    assert '<th scope="rowgroup" rowspan="7">短期アウトカム</th>' in html
    assert '<td rowspan="4">前年及び前々年度の参加者とウェブでの比較群調査結果の比較</td>' in html


def test_an_indicator_note_goes_under_its_last_chart_else_its_section() -> None:
    notes = {
        code: NarrativeBlock(f"indicator_{code}", code, Markup(code))
        for code in ("K1", "K2", "K3", "O1", "X9")
    }
    charts = [
        Chart("chart-a", "", "", "short_term", attributes={"data-indicator": "K1"}),
        Chart("chart-b", "", "", "short_term", attributes={"data-indicator": "K1"}),
        Chart("chart-c", "", "", "pre_post"),
        # The series section draws every indicator again: never where a note goes.
        Chart("chart-series-K1", "", "", "series", attributes={"data-indicator": "K1"}),
    ]
    sections = [
        OutcomeSection(
            "short_term", "", "distribution", rows=pd.DataFrame({"indicator_code": ["K1"]})
        ),
        OutcomeSection("pre_post", "", "pre_post", rows=pd.DataFrame({"indicator_code": ["K2"]})),
        OutcomeSection("mid_term", "", "comparison"),
    ]
    indicators = pd.DataFrame(
        {
            "indicator_code": ["O1", "K1", "K2", "K3", "X9"],
            "indicator_type": ["output", "short_term", "short_term", "mid_term", "long_term"],
        }
    )
    placement = place_indicator_notes(notes, charts, sections, indicators)
    assert placement.after_chart == {"chart-b": [notes["K1"]]}
    assert placement.end_of_section == {
        "pre_post": [notes["K2"]],
        "mid_term": [notes["K3"]],
        "outputs": [notes["O1"]],
    }  # X9's type has no section: not shown (logged)
