"""report/voices.py: blocks from the published rows, suppressed categories never named."""

from __future__ import annotations

import pandas as pd

from impact_warehouse.report.voices import voice_blocks


def test_blocks_group_quotes_and_leave_out_suppressed_categories() -> None:
    categories = pd.DataFrame(
        [
            ("I11", "work", "仕事の例", "learning", "学び", 6, False),
            ("I11", "work", "仕事の例", "leadership", "リーダー", None, True),
            ("I11", "work", "仕事の例", "new_role", "新しい役割", 5, False),
        ],
        columns=[
            "indicator_code", "item_code", "report_label_ja", "category_code", "category_ja",
            "respondents", "is_suppressed",
        ],
    )  # fmt: skip
    quotes = pd.DataFrame(
        [("work", "learning", "資格の勉強"), ("work", "learning", "AI学習")],
        columns=["item_code", "category_code", "quote_text"],
    )
    (block,) = voice_blocks(categories, quotes)
    assert (block.indicator_code, block.title) == ("I11", "仕事の例（自由記述より）")
    assert [(c.title, c.respondents, c.quotes) for c in block.categories] == [
        ("学び", 6, ["資格の勉強", "AI学習"]),
        ("新しい役割", 5, []),
    ]
    assert block.hidden_categories == 1


def test_no_rows_no_blocks() -> None:
    empty = pd.DataFrame(
        columns=["indicator_code", "item_code", "report_label_ja", "category_code",
                 "category_ja", "respondents", "is_suppressed"]
    )  # fmt: skip
    assert voice_blocks(empty, pd.DataFrame(columns=["item_code"])) == []


def test_a_block_goes_under_the_first_chart_of_its_indicator_in_its_section() -> None:
    from impact_warehouse.report.chart_kit import Chart
    from impact_warehouse.report.voices import VoiceBlock, voices_under_charts

    block = VoiceBlock("I11", "work", "仕事の例", [], 0)
    charts = [
        Chart("chart-mid-I10", "", "", "mid_term", attributes={"data-indicator": "I10"}),
        Chart("chart-mid-I11", "", "", "mid_term", attributes={"data-indicator": "I11"}),
        Chart("chart-mid-I11-b", "", "", "mid_term", attributes={"data-indicator": "I11"}),
        Chart("chart-series-I11", "", "", "series", attributes={"data-indicator": "I11"}),
    ]
    assert voices_under_charts([block], charts, "mid_term") == {"chart-mid-I11": [block]}
    assert voices_under_charts([block], charts, "short_term") == {}
