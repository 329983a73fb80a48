"""The voices engine (transform/voices.py): codebook matching, manual codes, quote rules."""

from __future__ import annotations

import pandas as pd
import pytest

from impact_warehouse.transform.voices import (
    ANSWER_COLUMNS,
    compute_quote_decisions,
    compute_voice_codes,
    consent_measures,
)

CODEBOOK = pd.DataFrame(
    [
        ("work", "learning", "学び", "資格|勉強|AI学習", 1, "consent"),
        ("work", "leadership", "リーダー", r"リーダー|昇進|1on1", 2, "consent"),
        ("work", "by_hand", "手作業のみ", "", 3, "consent"),
    ],
    columns=[
        "item_code", "category_code", "category_ja", "patterns", "display_order",
        "consent_item_code",
    ],
)  # fmt: skip
NO_MANUAL = pd.DataFrame(columns=["response_key", "item_code", "category_code", "note"])
YES_NO = pd.DataFrame([("consent", "=", 1.0)], columns=["item_code", "operator", "threshold"])


def answer(response: str, text: str | None, *, item: str = "work", value: float | None = None):
    return {
        "answer_key": f"gf|{response}|{item}",
        "response_key": response,
        "fiscal_year": 2025,
        "wave_code": "followup_2025",
        "wave_type": "followup",
        "program_code": "all",
        "respondent_key": f"p-{response}",
        "item_code": item,
        "value_numeric": value,
        "value_text": text,
    }


def answers(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(ANSWER_COLUMNS))


def test_codebook_patterns_code_answers_into_every_matching_category() -> None:
    frame = answers(
        answer("r1", "ＡＩ学習プロジェクトでリーダーになった"),  # full-width, two categories
        answer("r2", "課長に昇進した"),
        answer("r3", "子どもと公園に行った"),  # no category: no row
        answer("r4", "   "),  # blank: not coded
        answer("r5", "資格の勉強", item="other_item"),  # not a codebook item
    )
    codes = compute_voice_codes(frame, CODEBOOK, NO_MANUAL)
    assert sorted(zip(codes.response_key, codes.category_code, strict=True)) == [
        ("r1", "leadership"),
        ("r1", "learning"),
        ("r2", "leadership"),
    ]
    assert set(codes.source) == {"automatic"}
    assert codes.voice_code_key.is_unique


def test_manual_codes_replace_the_automatic_ones_and_none_uncodes() -> None:
    frame = answers(
        answer("r1", "AI学習プロジェクトでリーダーになった"),
        answer("r2", "課長に昇進した"),
        answer("r3", "昇進試験のための勉強"),
    )
    manual = pd.DataFrame(
        [
            ("r1", "work", "by_hand", ""),
            ("r2", "work", "none", ""),
            ("r3", "work", "learning", ""),
        ],
        columns=["response_key", "item_code", "category_code", "note"],
    )
    codes = compute_voice_codes(frame, CODEBOOK, manual)
    assert sorted(zip(codes.response_key, codes.category_code, codes.source, strict=True)) == [
        ("r1", "by_hand", "manual"),
        ("r3", "learning", "manual"),
    ]


def test_empty_inputs_give_typed_empty_tables() -> None:
    codebook = CODEBOOK.iloc[0:0]
    codes = compute_voice_codes(answers(), codebook, NO_MANUAL)
    assert codes.empty and str(codes.fiscal_year.dtype) == "Int64"
    decisions = compute_quote_decisions(
        pd.DataFrame(columns=["response_key", "item_code", "category_code", "note"]),
        answers(),
        codes,
        pd.DataFrame(
            columns=["fiscal_year", "wave_type", "item_code", "category_code", "is_suppressed"]
        ),
        codebook,
        YES_NO.iloc[0:0],
    )
    assert decisions.empty and str(decisions.is_quoted.dtype) == "boolean"


def _decide(texts: dict[str, str], consent: dict[str, float], *, small: set[str] = frozenset()):
    rows = [answer(key, text) for key, text in texts.items()]
    rows += [answer(key, None, item="consent", value=value) for key, value in consent.items()]
    frame = answers(*rows)
    codes = compute_voice_codes(frame, CODEBOOK, NO_MANUAL)
    categories = pd.DataFrame(
        [
            (2025, "followup", "work", code, code in small)
            for code in ("learning", "leadership", "by_hand")
        ],
        columns=["fiscal_year", "wave_type", "item_code", "category_code", "is_suppressed"],
    )
    quotes = pd.DataFrame(
        [(key, "work", "", "") for key in [*texts, "missing"]],
        columns=["response_key", "item_code", "category_code", "note"],
    )
    decisions = compute_quote_decisions(quotes, frame, codes, categories, CODEBOOK, YES_NO)
    return dict(zip(decisions.response_key, decisions.drop_reason.fillna("quoted"), strict=True))


def test_each_rule_drops_a_quote_with_its_reason() -> None:
    reasons = _decide(
        {
            "ok": "資格の勉強を始めた",
            "no": "資格の勉強を始めた",
            "blank": "資格の勉強を始めた",
            "email": "資格の勉強を始めた。連絡は taro.yamada@example.com まで",
            "masked": "資格の勉強を[氏名]さんと始めた",
            "pseudonym": "資格の勉強会 [phone_0123456789abcdef0123456789abcdef]",
            "small": "課長に昇進した",
            "uncoded": "子どもと公園に行った",
        },
        {"ok": 1, "no": 0, "email": 1, "masked": 1, "pseudonym": 1, "small": 1, "uncoded": 1},
        small={"leadership"},
    )
    assert reasons == {
        "ok": "quoted",
        "no": "no_consent",
        "blank": "no_consent",
        "email": "personal_data",
        "masked": "personal_data",
        "pseudonym": "personal_data",
        "small": "small_category",
        "uncoded": "not_coded",
        "missing": "not_found",
    }


@pytest.mark.parametrize("consent", [0.0, None])
def test_a_respondent_without_a_yes_is_never_quoted(consent: float | None) -> None:
    """Whatever else holds (clean text, large category), no yes means no quote."""
    reasons = _decide({"r1": "AI学習の講座に参加"}, {"r1": consent} if consent is not None else {})
    assert reasons["r1"] == "no_consent"


def test_consent_measures_read_the_consent_items_primary_measure() -> None:
    items = pd.DataFrame(
        [("consent", "yesno"), ("work", "text")], columns=["item_code", "scale_code"]
    )
    measures = pd.DataFrame(
        [("yesno", "yes", "=", 1.0, True), ("yesno", "other", ">=", 0.0, False)],
        columns=["scale_code", "measure_code", "operator", "threshold", "is_primary"],
    )
    frame = consent_measures(CODEBOOK, items, measures)
    assert frame.to_dict("records") == [{"item_code": "consent", "operator": "=", "threshold": 1.0}]
