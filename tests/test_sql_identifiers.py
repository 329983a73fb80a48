"""Names put into SQL text round-trip through DuckDB as identifiers; an empty one is refused
with a clear error rather than an SQL syntax error later."""

from __future__ import annotations

import duckdb
import pytest

from impact_warehouse.sql_identifiers import quoted_identifier


@pytest.mark.parametrize("name", ["plain", 'a "quoted" name', "semi;colon -- comment", "列名"])
def test_a_name_round_trips(name: str) -> None:
    con = duckdb.connect()
    con.execute(f"create table t ({quoted_identifier(name)} integer)")

    assert [row[0] for row in con.execute("describe t").fetchall()] == [name]


def test_an_empty_name_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be empty"):
        quoted_identifier("")
