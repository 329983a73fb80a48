"""Voices in the demo report (issue 14): the quotes rendered are exactly the published ones,
and every one of them passed the rules; hidden categories are never named."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from impact_warehouse.personal_data import find_personal_data
from impact_warehouse.transform.voices import holds_personal_data

FISCAL_YEAR = 2025


class _VoiceParser(HTMLParser):
    """Category titles and quotes of every voice block, by item code."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: dict[str, dict[str, list[str]]] = {}
        self._item: str | None = None
        self._depth = 0
        self._tag: str | None = None
        self._category: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "div" and values.get("data-voices"):
            self._item = values["data-voices"]
            self.blocks[self._item] = {}
            self._depth = 0
        elif self._item is not None:
            if tag == "div":
                self._depth += 1
            if tag == "div" and values.get("data-category"):
                self._category = values["data-category"]
                self.blocks[self._item][self._category] = []
            self._tag = tag if tag in {"li", "h5"} else self._tag

    def handle_endtag(self, tag: str) -> None:
        if self._item is not None and tag == "div":
            if self._depth == 0:
                self._item = None
            else:
                self._depth -= 1
        if tag in {"li", "h5"}:
            self._tag = None

    def handle_data(self, data: str) -> None:
        if self._item and self._category and self._tag == "li":
            self.blocks[self._item][self._category].append(data)


@pytest.fixture(scope="module")
def release(published_reports):
    connection = published_reports.database()
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def voice_blocks(published_reports) -> dict[str, dict[str, list[str]]]:
    parser = _VoiceParser()
    parser.feed(published_reports.html(FISCAL_YEAR))
    return parser.blocks


def test_the_report_quotes_exactly_the_published_quotes(release, voice_blocks) -> None:
    published = release.execute(
        "select item_code, category_code, quote_text from reporting.rpt_voice_quotes "
        "where fiscal_year = ?",
        [FISCAL_YEAR],
    ).fetchall()
    rendered = sorted(
        (item, category, quote)
        for item, categories in voice_blocks.items()
        for category, quotes in categories.items()
        for quote in quotes
    )
    assert rendered == sorted(published)
    assert len(rendered) >= 2, "the demo shows some quotes"


def test_every_published_quote_passed_every_rule(release, published_reports) -> None:
    rows = release.execute(
        """
        select q.quote_text, c.respondents, consent.value_numeric
        from reporting.rpt_voice_quotes as q
        join marts.fct_voice_quote_decisions as d using (voice_quote_key)
        join reporting.rpt_voice_categories as c
          on c.fiscal_year = q.fiscal_year and c.wave_type = q.wave_type
          and c.item_code = q.item_code and c.category_code = q.category_code
        left join marts.fct_answers as consent
          on consent.response_key = d.response_key
          and consent.item_code = (
              select any_value(consent_item_code) from catalog.voice_codebook as b
              where b.item_code = q.item_code)
        """
    ).fetchall()
    k = int(published_reports.release.gate_result.get("suppression_k") or 5)
    assert rows
    for text, respondents, consent in rows:
        assert consent == 1, text
        assert respondents is not None and respondents >= k, text
        assert not find_personal_data(text) and not holds_personal_data(text), text


def test_the_demo_drops_quotes_for_each_rule(release) -> None:
    reasons = dict(
        release.execute(
            "select drop_reason, count(*) from marts.fct_voice_quote_decisions "
            "where not is_quoted group by drop_reason"
        ).fetchall()
    )
    assert {"no_consent", "personal_data", "small_category"} <= set(reasons), reasons
    # Decisions hold no text: the dropped answers are never copied anywhere published.
    columns = {
        name
        for (name,) in release.execute(
            "select column_name from information_schema.columns "
            "where table_name = 'fct_voice_quote_decisions'"
        ).fetchall()
    }
    assert not {"value_text", "quote_text", "note"} & columns


def test_hidden_categories_are_never_named_and_are_noted(
    release, published_reports, voice_blocks
) -> None:
    hidden = release.execute(
        "select item_code, category_code, category_ja from reporting.rpt_voice_categories "
        "where fiscal_year = ? and is_suppressed",
        [FISCAL_YEAR],
    ).fetchall()
    assert hidden, "the demo has categories below k"
    html = published_reports.html(FISCAL_YEAR)
    blocks = re.findall(r'<div class="voices".*?</p>\s*</div>', html, flags=re.S)
    assert len(blocks) == len(voice_blocks) >= 2
    for item, category, title in hidden:
        assert category not in voice_blocks.get(item, {})
        assert all(f"<h5>{title}" not in block for block in blocks)
    assert all("人未満のカテゴリー" in block for block in blocks)


def test_the_consent_item_has_no_report_section(published_reports) -> None:
    html = published_reports.html(FISCAL_YEAR)
    assert 'id="consent"' not in html
    assert "自由記述の引用への同意" not in html
