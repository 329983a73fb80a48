"""Voices in the report (issue 14): under each indicator with a coded free-text item, the
categories of its answers with their respondents (N) and the quotes staff selected.

Read from the published ``reporting.rpt_voice_categories`` and ``reporting.rpt_voice_quotes``
only: which quotes may be shown (consent, personal data, k) was decided in the warehouse
(``marts.fct_voice_quote_decisions``), so the report shows exactly the published rows. A
suppressed category is never shown, not even by name; a note says that some are hidden. A
release without the tables (older, or a catalog without a codebook) has no voices.

In the English report the item's label and the category titles are the catalog's English
(items.csv report_label_en, voice_codebook.csv category_en; marked and listed when missing);
the quotes are the respondents' own words and stay as written, marked as Japanese on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from impact_warehouse.report.chart_kit import Chart
from impact_warehouse.report.i18n import SOURCE_LANGUAGE, language, s, untranslated

CATEGORIES_TABLE = "rpt_voice_categories"
QUOTES_TABLE = "rpt_voice_quotes"


@dataclass(frozen=True)
class VoiceCategory:
    category_code: str
    title: str
    respondents: int
    quotes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VoiceBlock:
    """The voices of one free-text item, placed under its indicator's chart."""

    indicator_code: str
    item_code: str
    title: str
    categories: list[VoiceCategory]
    hidden_categories: int  # suppressed: fewer than k respondents

    @property
    def anchor(self) -> str:
        return f"voices-{self.item_code}"


def _has_table(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    (count,) = connection.execute(
        "select count(*) from information_schema.tables where table_catalog = "
        "current_database() and table_schema = 'reporting' and table_name = ?",
        [table],
    ).fetchone()
    return bool(count)


def load_voice_blocks(connection: duckdb.DuckDBPyConnection, fiscal_year: int) -> list[VoiceBlock]:
    """The voice blocks of one fiscal year, in item and category display order."""
    if not (_has_table(connection, CATEGORIES_TABLE) and _has_table(connection, QUOTES_TABLE)):
        return []
    categories = connection.execute(
        f"select c.*, i.report_label_ja, i.report_label_en, i.display_order as item_order "
        f"from reporting.{CATEGORIES_TABLE} as c "
        "left join catalog.items as i on i.item_code = c.item_code "
        "where c.fiscal_year = ? and c.indicator_code is not null "
        "order by item_order, c.item_code, c.display_order, c.category_code",
        [fiscal_year],
    ).df()
    quotes = connection.execute(
        f"select * from reporting.{QUOTES_TABLE} where fiscal_year = ? "
        "order by item_code, display_order, category_code, quote_text, voice_quote_key",
        [fiscal_year],
    ).df()
    return voice_blocks(categories, quotes)


def _english(row: Any, column_en: str) -> str:
    value = getattr(row, column_en, None)
    return "" if value is None or pd.isna(value) else str(value).strip()


def _item_title(rows: pd.DataFrame, item_code: str) -> str:
    first = rows.iloc[0]
    label_ja = "" if pd.isna(first.report_label_ja) else str(first.report_label_ja)
    if language() == SOURCE_LANGUAGE:
        return label_ja or item_code
    english = _english(first, "report_label_en")
    if english:
        return english
    if not label_ja:
        return item_code
    return untranslated(label_ja, "items.csv", item_code, "report_label_en")


def _category_title(row: Any) -> str:
    if language() == SOURCE_LANGUAGE:
        return str(row.category_ja)
    return _english(row, "category_en") or untranslated(
        str(row.category_ja),
        "voice_codebook.csv",
        f"{row.item_code}|{row.category_code}",
        "category_en",
    )


def voice_blocks(categories: pd.DataFrame, quotes: pd.DataFrame) -> list[VoiceBlock]:
    """Blocks from the published rows (``categories`` with the item's report_label_ja, and
    report_label_en for an English report)."""
    blocks = []
    for (indicator_code, item_code), rows in categories.groupby(
        ["indicator_code", "item_code"], sort=False
    ):
        shown = rows[~rows.is_suppressed.astype(bool)]
        item_quotes = quotes[quotes.item_code == item_code]
        blocks.append(
            VoiceBlock(
                indicator_code=str(indicator_code),
                item_code=str(item_code),
                title=s("voices_title", item=_item_title(rows, str(item_code))),
                categories=[
                    VoiceCategory(
                        category_code=str(row.category_code),
                        title=_category_title(row),
                        respondents=int(row.respondents),
                        quotes=list(
                            item_quotes[item_quotes.category_code == row.category_code].quote_text
                        ),
                    )
                    for row in shown.itertuples(index=False)
                ],
                hidden_categories=int(rows.is_suppressed.astype(bool).sum()),
            )
        )
    return blocks


def voices_under_charts(
    voices: list[VoiceBlock], charts: list[Chart], anchor: str
) -> dict[str, list[VoiceBlock]]:
    """Each voice block under the first chart of its indicator in the outcome section
    ``anchor`` (chart_id → blocks): the page shows it right below that chart."""
    placed: dict[str, list[VoiceBlock]] = {}
    for block in voices:
        chart = next(
            (
                chart
                for chart in charts
                if chart.section == anchor
                and chart.attributes.get("data-indicator") == block.indicator_code
            ),
            None,
        )
        if chart is not None:
            placed.setdefault(chart.chart_id, []).append(block)
    return placed
