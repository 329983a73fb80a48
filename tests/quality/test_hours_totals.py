"""The hours_plausible check's daily totals (quality/checks/scales.daily_totals): self + partner
per respondent and day, summed in DuckDB."""

from __future__ import annotations

import math

import duckdb
import pytest

from impact_warehouse.quality.checks.scales import daily_totals

DAYS = {"weekday": ["hours_self_weekday", "hours_partner_weekday"], 'odd"day': ["hours_self_odd"]}
KEYS = ("wave_code", "cohort_code", "program_code", "respondent_key")


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_answers (wave_code varchar, cohort_code varchar,"
        " program_code varchar, respondent_key varchar, response_key varchar,"
        " item_code varchar, value_numeric double, is_counted boolean)"
    )
    rows = [
        # both of the weekday items: summed
        ("w1", "c1", "p1", "r1", "hours_self_weekday", 10.0, True),
        ("w1", "c1", "p1", "r1", "hours_partner_weekday", 16.0, True),
        # the partner's item only; an answer that is not counted is left out
        ("w1", "c1", "p1", "r2", "hours_partner_weekday", 3.0, True),
        ("w1", "c1", "p1", "r2", "hours_self_weekday", 99.0, False),
        # an answer without a number counts 0, so the day has a total
        ("w1", "c1", "p1", "r3", "hours_self_weekday", None, True),
        # the other day only: the weekday total is missing
        ("w2", "c1", "p1", "r1", "hours_self_odd", 5.0, True),
        # not an hours item: no row for this respondent
        ("w2", "c1", "p1", "r9", "satisfaction", 4.0, True),
    ]
    con.executemany(
        "insert into marts.fct_answers values (?, ?, ?, ?, ?, ?, ?, ?)",
        [(*row[:4], f"{row[0]}|{row[3]}", *row[4:]) for row in rows],
    )
    return con


def test_totals_per_respondent_and_day(con: duckdb.DuckDBPyConnection) -> None:
    frame = daily_totals(con, DAYS)

    assert list(frame.columns) == [*KEYS, "weekday_total_hours", 'odd"day_total_hours']
    totals = {
        (row.wave_code, row.respondent_key): (row.weekday_total_hours, row[5])
        for row in frame.itertuples(index=False)
    }
    assert list(totals) == [("w1", "r1"), ("w1", "r2"), ("w1", "r3"), ("w2", "r1")]
    assert totals[("w1", "r1")][0] == 26.0
    assert totals[("w1", "r2")][0] == 3.0
    assert totals[("w1", "r3")][0] == 0.0
    assert math.isnan(totals[("w2", "r1")][0])
    assert totals[("w2", "r1")][1] == 5.0
    assert all(math.isnan(totals[key][1]) for key in [("w1", "r1"), ("w1", "r2"), ("w1", "r3")])


def test_no_hours_answers_give_an_empty_frame_with_every_column(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute("delete from marts.fct_answers")

    frame = daily_totals(con, DAYS)

    assert frame.empty
    assert list(frame.columns) == [*KEYS, "weekday_total_hours", 'odd"day_total_hours']


def test_days_differing_by_case_and_a_nan_answer(con: duckdb.DuckDBPyConnection) -> None:
    """Day names are catalog data: "Mon" and "mon" stay two columns (DuckDB would fold them
    into one name), and a NaN answer counts as no number, not as a NaN total."""
    con.execute(
        "insert into marts.fct_answers values"
        " ('w3', 'c1', 'p1', 'r1', 'w3|r1', 'hours_self_weekday', 'NaN'::double, true),"
        " ('w3', 'c1', 'p1', 'r1', 'w3|r1', 'hours_partner_weekday', 4.0, true)"
    )
    frame = daily_totals(con, {"Mon": ["hours_self_weekday"], "mon": ["hours_partner_weekday"]})

    assert list(frame.columns) == [*KEYS, "Mon_total_hours", "mon_total_hours"]
    w3 = frame[frame.wave_code == "w3"].iloc[0]
    assert (w3.Mon_total_hours, w3.mon_total_hours) == (0.0, 4.0)


def test_answers_without_a_respondent_are_not_summed_across_people(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """Two responses without a respondent key (the integrity check reports those) are two
    rows of 15 hours, not one implausible day of 30."""
    con.execute(
        "insert into marts.fct_answers values"
        " ('w4', 'c1', 'p1', null, 'w4|a', 'hours_self_weekday', 15.0, true),"
        " ('w4', 'c1', 'p1', null, 'w4|b', 'hours_self_weekday', 15.0, true)"
    )
    frame = daily_totals(con, DAYS)

    assert frame[frame.wave_code == "w4"].weekday_total_hours.tolist() == [15.0, 15.0]
