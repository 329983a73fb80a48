"""Panel latest-wins across deliveries, in the built warehouse (METRICS.md "Which answers
count"): a re-send with new, older, conflicting and identical rows lands, and dbt counts
each respondent once with the row of the latest 回答日時."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from panel_support import WAVE, PanelInbox

FIRST = f"{WAVE}_v1.csv"
SECOND = f"{WAVE}_v2.xlsx"


def _only_confidence(inbox: PanelInbox, sample_id: str, value: str) -> list[str]:
    """A row whose only answered catalog item is career confidence."""
    row = inbox.row(sample_id, "2026/01/16 19:00:00")
    return [*row[:5], value] + [""] * (len(row) - 6)


@pytest.fixture
def built(inbox: PanelInbox, warehouse_builder: Callable[..., Any]) -> dict[str, Any]:
    inbox.write_csv(
        FIRST,
        [
            inbox.row("A", "2026/01/16 21:00:00", confidence="3"),
            inbox.row("B", "2026/01/16 22:00:00", confidence="9"),
            inbox.row("C", "2026/01/16 20:00:00", confidence="5"),
            _only_confidence(inbox, "D", "11"),  # out of scale, D's only answer
        ],
    )
    first = inbox.land()
    (inbox.folder / FIRST).unlink()
    inbox.write_xlsx(
        SECOND,
        [
            inbox.row("A", "2026-01-17T09:00:00+09:00", confidence="8"),  # later: wins
            inbox.row("B", "2026年1月16日 10時00分", confidence="2"),  # earlier: superseded
            inbox.row("C", "2026/01/16 20:00", confidence="6"),  # same time, other answers
            inbox.row("A", "2026/01/16 21:00:00", confidence="3"),  # identical re-send
            inbox.row("E", "2026/01/17 08:00:00"),
        ],
    )
    second = inbox.land()
    pseudonyms = {
        (record["source_file"], record["row_number"]): record["sample_pseudonym"]
        for record in inbox.responses()
    }
    sample = {
        "A": pseudonyms[(FIRST, 2)],
        "B": pseudonyms[(FIRST, 3)],
        "C": pseudonyms[(FIRST, 4)],
        "D": pseudonyms[(FIRST, 5)],
        "E": pseudonyms[(SECOND, 6)],
    }
    run = warehouse_builder(inbox.settings.landing, inbox.root, "panel")
    return {"first": first, "second": second, "sample": sample, "database": run.duckdb_path}


def _query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql(sql).fetchall()


@pytest.mark.slow
def test_latest_answer_time_wins_across_deliveries(built):
    second = built["second"][SECOND]
    assert second["received"] == 5
    assert (second["landed"], second["already_landed"], second["rejected"]) == (4, 1, 0)
    assert second["quarantined"] == {"conflicting_rows": 1}
    name = {pseudonym: letter for letter, pseudonym in built["sample"].items()}
    database = built["database"]

    statuses = _query(
        database,
        "select sample_pseudonym, source_file, row_status from staging.stg_panel_file__responses",
    )
    assert sorted((name[s], f, status) for s, f, status in statuses) == [
        ("A", FIRST, "superseded"),
        ("A", SECOND, "latest"),
        ("B", FIRST, "latest"),
        ("B", SECOND, "superseded"),
        ("C", FIRST, "conflicting"),
        ("C", SECOND, "conflicting"),
        ("D", FIRST, "latest"),
        ("E", SECOND, "latest"),
    ]

    latest = _query(
        database,
        "select respondent_key, submission_count, is_response "
        f"from intermediate.int_responses__latest where wave_code = '{WAVE}'",
    )
    assert sorted((name[r], count, response) for r, count, response in latest) == [
        ("A", 2, True),
        ("B", 2, True),
        ("D", 1, False),  # the only answer was an out-of-range 11: not a response
        ("E", 1, True),
    ]

    confidence = _query(
        database,
        "select respondent_key, value_numeric from marts.fct_answers "
        f"where wave_code = '{WAVE}' and item_code = 'career_confidence' and is_counted",
    )
    assert sorted((name[r], value) for r, value in confidence) == [
        ("A", 8.0),
        ("B", 9.0),
        ("E", 7.0),
    ]

    (responded,) = _query(
        database,
        "select responded from marts.fct_response_rates "
        f"where wave_code = '{WAVE}' and breakdown_level = 'all'",
    )
    assert responded == (3,)

    conflicts = _query(
        database,
        "select source_ref, detail from staging.stg_quarantine__records "
        "where reason_code = 'conflicting_rows'",
    )
    assert [ref for ref, _ in conflicts] == [SECOND]
    assert name[conflicts[0][1].split()[1]] == "C"
