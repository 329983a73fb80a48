"""The personal-data check lets DuckDB drop values first: it must never drop a match."""

import re

import duckdb
import pytest
import yaml

from impact_warehouse.quality.checks import _candidate_condition
from impact_warehouse.quality.regex_prefilter import re2_superset, required_literal
from impact_warehouse.settings import PROJECT_ROOT

SETTINGS = yaml.safe_load((PROJECT_ROOT / "expectations" / "gate.yml").read_text("utf-8"))
SETTINGS = SETTINGS.get("checks", SETTINGS)["no_personal_data"]
REGEXES = [SETTINGS["email_regex"], SETTINGS["phone_regex"]]
SAMPLES = [
    "hanako@example.com",
    "x hanako.yamada+1@mail.example.co.jp y",
    "090-1234-5678",
    "09012345678",
    "０９０-１２３４-５６７８",  # full-width digits: Python's \\d matches them
    "03-1234-5678",
    "email_9a0b3c0-1234-5678ff",  # a hex pseudonym the look-arounds exclude
    "@@",
    "answer|google_forms|abc0-12-3456",
    "mamabono_2025_post",
    "",
]


def test_the_condition_keeps_every_value_a_regex_matches() -> None:
    condition = _candidate_condition(REGEXES)
    assert condition is not None
    connection = duckdb.connect()
    for sample in SAMPLES:
        kept = connection.execute(f"select {condition.format(value='$v')}", {"v": sample})
        python_match = any(re.search(regex, sample) for regex in REGEXES)
        if python_match:
            assert kept.fetchone()[0], sample


def test_the_condition_drops_plain_keys() -> None:
    condition = _candidate_condition(REGEXES)
    assert condition is not None
    kept = duckdb.connect().execute(
        f"select {condition.format(value='$v')}", {"v": "mamabono_2025_post|r1"}
    )
    assert kept.fetchone()[0] is False


@pytest.mark.parametrize(
    ("pattern", "superset"),
    [
        (r"(?<![0-9a-f])0\d{2}(?!x)", r"0\p{Nd}{2}"),
        (r"[(?!]a(?=b)", r"[(?!]a"),
        (r"\w+@x", None),  # \w differs between Python and RE2
        (r"abc$", None),  # Python's $ also matches before a final newline
    ],
)
def test_re2_superset(pattern: str, superset: str | None) -> None:
    assert re2_superset(pattern) == superset


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", "@"),
        (r"a?@", "@"),
        (r"x|@", None),
        (r"[]@]x", "x"),
        (r"(?i)mail", None),
        (r"(?:0[789]0-?\p{Nd}{4})", None),
    ],
)
def test_required_literal(pattern: str, literal: str | None) -> None:
    assert required_literal(pattern) == literal
