"""The personal-data check reads distinct values of the text columns analysts can read, with
the shared detector: no regex prefilter that could drop a match, and identifier columns (which
the pipeline builds from ids, pseudonyms and codes) are not searched, so the detector reads
thousands of strings, not the millions of keys of a large build."""

import duckdb

from impact_warehouse.personal_data import find_personal_data
from impact_warehouse.quality.privacy_masking import flagged_values, text_columns

TEXTS = [
    "hanako@example.com",
    "x hanako.yamada+1@mail.example.co.jp y",
    "090-1234-5678",
    "09012345678",
    "03-1234-5678",
    "ボランティア資格の取得。",
    "mamabono_2025_post",
    "",
]


def _database() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_answers (answer_key varchar, wave_code varchar, "
        "value_text varchar, value_numeric double)"
    )
    con.executemany(
        "insert into marts.fct_answers values (?, 'w1', ?, 1.0)",
        [[f"email_a0901234567{index}", text] for index, text in enumerate(TEXTS * 3)],
    )
    return con


def test_only_text_columns_that_can_hold_typed_text_are_searched() -> None:
    con = _database()
    searched = [(c.table, c.column) for c in text_columns(con, ["marts"])]
    assert searched == [("fct_answers", "value_text")]


def test_every_value_the_detector_flags_is_found_once() -> None:
    con = _database()
    flagged = flagged_values(con, text_columns(con, ["marts"]))
    expected = {text for text in TEXTS if find_personal_data(text)}
    assert expected  # the plain email and phone samples at least
    assert {item.value for item in flagged} == expected
    assert len(flagged) == len(expected)  # distinct values: three copies each, read once
