"""Voices: free-text answers coded into categories, and the staff-selected quotes that may be
published (issue 14).

The logic of ``marts.fct_voice_codes`` and ``marts.fct_voice_quote_decisions`` for every
engine: the DuckDB dbt Python models and the PostgreSQL PL/Python functions both call the two
``compute_*`` functions below, so a regular expression or the personal-data detector never
reads differently on the second engine.

- Codes: an answer to an item of the codebook (``voice_codebook.csv``) gets every category
  one of whose patterns it contains (NFKC-normalised, so full-width and half-width forms
  match alike). An analyst's manual codes (``voice_manual_codes.csv``) for an answer replace
  its automatic ones; the manual category ``none`` leaves it uncoded.
- Quote decisions: one row per staff-selected answer (``voice_quotes.csv``), quoted or dropped
  with the first reason that applies. Never any text: the published quote table joins the
  text of the quoted answers only.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pandas as pd

from impact_warehouse.personal_data import MASK_TOKENS, find_personal_data

AUTOMATIC = "automatic"
MANUAL = "manual"
NO_CATEGORY = "none"  # a manual code saying the answer belongs to no category
PATTERN_SEPARATOR = "|"
# Drop reasons, in the order they are tried: the first that applies is recorded.
NOT_FOUND = "not_found"  # no counted answer with that key (typo, superseded, unlinked)
NOT_CODED = "not_coded"  # the answer is in no category (or not in the one staff named)
NO_CONSENT = "no_consent"  # the respondent did not answer yes to the consent item
PERSONAL_DATA = "personal_data"  # the detector finds something, or landing masked something
SMALL_CATEGORY = "small_category"  # the category has fewer than k respondents
DROP_REASONS = (NOT_FOUND, NOT_CODED, NO_CONSENT, PERSONAL_DATA, SMALL_CATEGORY)

# What landing leaves where it scrubbed personal data: a neutral token ([氏名]…) or a
# pseudonym ([email_<32 hex>]), and the gate's mask. A quote that held personal data is not
# quoted even scrubbed: the rest of the sentence was written around that person.
_LANDING_PSEUDONYM = re.compile(r"\[[a-z]+(?:_[a-z]+)*_[0-9a-f]{32}\]")
_MASKS = (*MASK_TOKENS.values(), "［個人情報のため非表示］")

ANSWER_COLUMNS = (
    "answer_key",
    "response_key",
    "fiscal_year",
    "wave_code",
    "wave_type",
    "program_code",
    "respondent_key",
    "item_code",
    "value_numeric",
    "value_text",
)
CODE_COLUMNS = {
    "voice_code_key": "string",
    "answer_key": "string",
    "response_key": "string",
    "fiscal_year": "Int64",
    "wave_code": "string",
    "wave_type": "string",
    "program_code": "string",
    "respondent_key": "string",
    "item_code": "string",
    "category_code": "string",
    "source": "string",
}
DECISION_COLUMNS = {
    "voice_quote_key": "string",
    "response_key": "string",
    "item_code": "string",
    "answer_key": "string",
    "fiscal_year": "Int64",
    "wave_code": "string",
    "wave_type": "string",
    "category_code": "string",
    "is_quoted": "boolean",
    "drop_reason": "string",
}


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def split_patterns(patterns: str) -> list[str]:
    """The patterns of one codebook row: pipe-separated, blanks ignored."""
    return [normalise(part).strip() for part in (patterns or "").split(PATTERN_SEPARATOR)]


def compile_patterns(patterns: str) -> re.Pattern[str] | None:
    """One regular expression matching any of the row's patterns (None: no pattern, so the
    category is coded by hand only). Raises ``re.error`` on a bad pattern."""
    parts = [part for part in split_patterns(patterns) if part]
    if not parts:
        return None
    return re.compile("|".join(f"(?:{part})" for part in parts))


def _empty(columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({column: [] for column in columns}).astype(columns)


def _contract(frame: pd.DataFrame, columns: dict[str, str], key: str) -> pd.DataFrame:
    if frame.empty:
        return _empty(columns)
    shaped = pd.DataFrame({column: frame.get(column) for column in columns}).astype(columns)
    return shaped.sort_values(key, ignore_index=True)


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def voice_answers(answers: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Counted, non-blank answers to the codebook's items (``answers``: fct_answers rows of
    counted answers, ANSWER_COLUMNS)."""
    items = set(codebook.item_code)
    texts = answers.value_text.map(_text).str.strip()
    return answers[answers.item_code.isin(items) & (texts != "")]


def compute_voice_codes(
    answers: pd.DataFrame, codebook: pd.DataFrame, manual_codes: pd.DataFrame
) -> pd.DataFrame:
    """Rows of fct_voice_codes: one per answer × category, with its source."""
    coded = voice_answers(answers, codebook)
    rules: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for row in codebook.itertuples(index=False):
        pattern = compile_patterns(_text(row.patterns))
        if pattern is not None:
            rules.setdefault(row.item_code, []).append((row.category_code, pattern))
    manual: dict[tuple[str, str], list[str]] = {}
    for row in manual_codes.itertuples(index=False):
        manual.setdefault((row.response_key, row.item_code), []).append(row.category_code)
    records: list[dict[str, Any]] = []
    for answer in coded.to_dict("records"):
        by_hand = manual.get((answer["response_key"], answer["item_code"]))
        if by_hand is not None:
            categories = [code for code in dict.fromkeys(by_hand) if code != NO_CATEGORY]
            source = MANUAL
        else:
            text = normalise(_text(answer["value_text"]))
            categories = [
                code for code, pattern in rules.get(answer["item_code"], []) if pattern.search(text)
            ]
            source = AUTOMATIC
        for category in categories:
            records.append(
                {
                    **answer,
                    "voice_code_key": f"{answer['answer_key']}|{category}",
                    "category_code": category,
                    "source": source,
                }
            )
    return _contract(pd.DataFrame.from_records(records), CODE_COLUMNS, "voice_code_key")


def holds_personal_data(text: str) -> bool:
    """The detector finds something, or landing (or the gate) already masked something."""
    if find_personal_data(text):
        return True
    return bool(_LANDING_PSEUDONYM.search(text)) or any(mask in text for mask in _MASKS)


def _consents(
    answers: pd.DataFrame, codebook: pd.DataFrame, consent_measures: pd.DataFrame
) -> set[tuple[str, str]]:
    """(response_key, consent item) of every yes to a consent item: "yes" is the primary
    measure of the consent item's scale (scale_measures.csv), e.g. yesno's = 1."""
    items = set(codebook.consent_item_code.dropna()) - {""}
    given: set[tuple[str, str]] = set()
    rules = {row.item_code: row for row in consent_measures.itertuples(index=False)}
    compare = {"=": lambda v, t: v == t, ">=": lambda v, t: v >= t, "<=": lambda v, t: v <= t}
    for row in answers[answers.item_code.isin(items)].itertuples(index=False):
        rule = rules.get(row.item_code)
        value = row.value_numeric
        if rule is None or value is None or pd.isna(value):
            continue
        if compare.get(rule.operator, lambda v, t: False)(float(value), float(rule.threshold)):
            given.add((row.response_key, row.item_code))
    return given


def compute_quote_decisions(
    quotes: pd.DataFrame,
    answers: pd.DataFrame,
    codes: pd.DataFrame,
    categories: pd.DataFrame,
    codebook: pd.DataFrame,
    consent_measures: pd.DataFrame,
) -> pd.DataFrame:
    """Rows of fct_voice_quote_decisions: one per staff-selected answer, quoted or dropped.

    ``answers``: counted fct_answers rows (ANSWER_COLUMNS); ``codes``: fct_voice_codes;
    ``categories``: fct_voice_categories (fiscal_year, wave_type, item_code, category_code,
    is_suppressed); ``consent_measures``: item_code, operator, threshold of the primary
    measure of each consent item's scale.
    """
    texts = _voice_answers_by_key(answers, codebook)
    order = {
        (row.item_code, row.category_code): int(row.display_order)
        for row in codebook.itertuples(index=False)
    }
    consent_item = dict(zip(codebook.item_code, codebook.consent_item_code, strict=True))
    consents = _consents(answers, codebook, consent_measures)
    coded = _categories_by_answer(codes)
    suppressed = {
        (row.fiscal_year, row.wave_type, row.item_code, row.category_code): bool(row.is_suppressed)
        for row in categories.itertuples(index=False)
    }
    records = []
    for quote in quotes.itertuples(index=False):
        key = (quote.response_key, quote.item_code)
        record: dict[str, Any] = {
            "voice_quote_key": "|".join(key),
            "response_key": quote.response_key,
            "item_code": quote.item_code,
        }
        answer = texts.get(key)
        if answer is None:
            records.append({**record, "is_quoted": False, "drop_reason": NOT_FOUND})
            continue
        record.update(
            answer_key=answer.answer_key,
            fiscal_year=answer.fiscal_year,
            wave_code=answer.wave_code,
            wave_type=answer.wave_type,
        )
        wanted = _text(quote.category_code).strip()
        mine = sorted(coded.get(answer.answer_key, []), key=lambda c: order.get((key[1], c), 0))
        category = (wanted if wanted in mine else None) if wanted else next(iter(mine), None)
        record["category_code"] = category
        consent = _text(consent_item.get(quote.item_code)).strip()
        reason = _drop_reason(
            category,
            consented=bool(consent) and (quote.response_key, consent) in consents,
            text=_text(answer.value_text),
            small=suppressed.get(
                (answer.fiscal_year, answer.wave_type, quote.item_code, category), True
            ),
        )
        records.append({**record, "is_quoted": reason is None, "drop_reason": reason})
    return _contract(pd.DataFrame.from_records(records), DECISION_COLUMNS, "voice_quote_key")


def _voice_answers_by_key(answers: pd.DataFrame, codebook: pd.DataFrame) -> dict[tuple, Any]:
    """(response_key, item_code) → the voice answer's row."""
    return {
        (row.response_key, row.item_code): row
        for row in voice_answers(answers, codebook).itertuples(index=False)
    }


def _categories_by_answer(codes: pd.DataFrame) -> dict[str, list[str]]:
    coded: dict[str, list[str]] = {}
    for row in codes.itertuples(index=False):
        coded.setdefault(row.answer_key, []).append(row.category_code)
    return coded


def _drop_reason(category: str | None, *, consented: bool, text: str, small: bool) -> str | None:
    """Why a staff-selected answer is not quoted, by the first rule it breaks; None: quoted."""
    if category is None:
        return NOT_CODED
    if not consented:
        return NO_CONSENT
    if holds_personal_data(text):
        return PERSONAL_DATA
    if small:
        return SMALL_CATEGORY
    return None


def consent_measures(
    codebook: pd.DataFrame, items: pd.DataFrame, scale_measures: pd.DataFrame
) -> pd.DataFrame:
    """item_code, operator, threshold: what a yes to each consent item of the codebook is
    (the primary measure of its scale), for :func:`compute_quote_decisions`."""
    consent = items[items.item_code.isin(set(codebook.consent_item_code.dropna()))]
    primary = scale_measures[scale_measures.is_primary.astype(bool)]
    merged = consent[["item_code", "scale_code"]].merge(primary, on="scale_code")
    return merged[["item_code", "operator", "threshold"]]
