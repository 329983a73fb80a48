"""``compact_frame`` gives the frame ``relation.project(columns).df()`` gives, a chunk at a
time, with equal strings shared across chunks."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from impact_warehouse.transform.duckdb_frames import compact_frame

ROWS = 5_000  # more than two DuckDB vectors (2,048 rows), so one-vector chunks make three


@pytest.fixture()
def session():
    connection = duckdb.connect()
    connection.execute(
        f"""
        create table answers as
        select
            i as row_number,
            case when i % 7 = 0 then null else 'W' || (i % 3)::varchar end as wave_code,
            -- NULL in the whole first vector, filled later: types must still agree across chunks
            case when i < 2048 then null else 'item_' || (i % 5)::varchar end as item_code,
            case when i % 11 = 0 then null else (i % 4)::double / 2 end as value_numeric,
            case when i % 13 = 0 then null else i % 2 = 0 end as is_counted,
            case when i % 17 = 0 then null else i % 9 end as fiscal_year,
            'x' || (i % 2)::varchar as "odd ""name"", here"
        from range({ROWS}) as t(i)
        """
    )
    yield connection
    connection.close()


COLUMNS = [
    "item_code",
    "wave_code",
    "value_numeric",
    "is_counted",
    "fiscal_year",
    'odd "name", here',
]


def _expected(session, relation_sql: str, columns: list[str]) -> pd.DataFrame:
    quoted = ", ".join('"' + column.replace('"', '""') + '"' for column in columns)
    return session.sql(relation_sql).project(quoted).df()


@pytest.mark.parametrize("vectors_per_chunk", [1, 2, 256])
def test_same_frame_as_df(session, vectors_per_chunk):
    relation_sql = "select * from answers order by row_number"
    frame = compact_frame(session, session.sql(relation_sql), COLUMNS, vectors_per_chunk)
    expected = _expected(session, relation_sql, COLUMNS)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == ROWS
    pd.testing.assert_frame_equal(frame, expected)


def test_equal_strings_share_one_object_across_chunks(session):
    relation = session.sql("select * from answers order by row_number")
    frame = compact_frame(session, relation, ["wave_code", "item_code"], vectors_per_chunk=1)
    for column in ("wave_code", "item_code"):
        values = [value for value in frame[column].to_numpy(dtype=object) if isinstance(value, str)]
        distinct_objects = {id(value) for value in values}
        assert len(distinct_objects) == len(set(values)), column


def test_filtered_relation_keeps_only_its_rows(session):
    relation = session.sql("select * from answers").filter("is_counted").order("row_number")
    frame = compact_frame(session, relation, ["row_number", "is_counted"], vectors_per_chunk=1)
    expected = session.sql(
        "select row_number, is_counted from answers where is_counted order by row_number"
    ).df()
    pd.testing.assert_frame_equal(frame, expected)


def test_empty_result_keeps_columns_and_types(session):
    relation = session.sql("select * from answers").filter("false")
    frame = compact_frame(session, relation, ["wave_code", "value_numeric", "fiscal_year"])
    expected = _expected(
        session, "select * from answers where false", ["wave_code", "value_numeric", "fiscal_year"]
    )
    assert frame.empty
    assert list(frame.columns) == ["wave_code", "value_numeric", "fiscal_year"]
    assert frame.dtypes.to_dict() == expected.dtypes.to_dict()


def test_unknown_column_is_a_clear_error(session):
    relation = session.sql("select * from answers")
    with pytest.raises(duckdb.BinderException, match="no_such_column"):
        compact_frame(session, relation, ["no_such_column"])
