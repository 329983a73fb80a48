"""``compact_frame`` gives the rows and types ``relation.project(columns).df()`` gives, in no
particular order, except that each text column is a categorical in text order."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from impact_warehouse.transform import duckdb_frames
from impact_warehouse.transform.duckdb_frames import compact_frame, relation_frame

ROWS = 5_000  # more than two DuckDB vectors (2,048 rows)


@pytest.fixture()
def session():
    connection = duckdb.connect()
    connection.execute(
        f"""
        create table answers as
        select
            i as row_number,
            case when i % 7 = 0 then null else 'W' || (i % 3)::varchar end as wave_code,
            -- NULL in the whole first vector, filled later
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


def _as_text_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each text column a categorical of its distinct values in text order."""
    return frame.assign(
        **{
            column: frame[column].astype(
                pd.CategoricalDtype(pd.Index(frame[column].dropna().unique()).sort_values())
            )
            for column in frame.columns
            if isinstance(frame[column].dtype, pd.StringDtype)
        }
    )


def _by_row_number(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("row_number", kind="mergesort").reset_index(drop=True)


def test_same_rows_as_df_with_text_as_categories(session):
    relation_sql = "select * from answers order by row_number"
    columns = ["row_number", *COLUMNS]
    frame = _by_row_number(compact_frame(session, session.sql(relation_sql), columns))
    expected = _expected(session, relation_sql, columns)
    assert list(frame.columns) == columns
    assert len(frame) == ROWS
    pd.testing.assert_frame_equal(frame, _as_text_categories(expected))
    # The text itself, cell by cell, is what .df() gives.
    for column in ("item_code", "wave_code", 'odd "name", here'):
        assert frame[column].astype(object).where(frame[column].notna(), None).tolist() == (
            expected[column].astype(object).where(expected[column].notna(), None).tolist()
        )


def test_sorting_by_a_text_category_sorts_as_by_the_text(session):
    # Inserted out of text order, so the first value seen is not the first category.
    session.execute(
        "create table codes as select * from (values ('b', 1), ('B', 2), ('a', 3), (null, 4),"
        " ('é', 5), ('aa', 6), ('b', 7)) as t(code, position)"
    )
    relation = session.sql("select * from codes order by position")
    frame = compact_frame(session, relation, ["code", "position"]).sort_values("position")
    in_text_order = frame.sort_values("code", kind="mergesort", na_position="last")["code"]
    expected = session.sql("select code from codes order by code, position").df()["code"]
    assert in_text_order.astype(object).tolist()[:-1] == expected.astype(object).tolist()[:-1]
    assert pd.isna(in_text_order.iloc[-1])


def test_a_column_null_in_every_row_keeps_the_type_df_gives(session):
    relation = session.sql("select null::varchar as nothing, 1 as one from range(3000)")
    frame = compact_frame(session, relation, ["nothing", "one"])
    expected = relation.df()
    assert frame["nothing"].dtype == expected["nothing"].dtype
    assert frame["nothing"].isna().all()
    pd.testing.assert_series_equal(frame["one"], expected["one"])


def test_filtered_relation_keeps_only_its_rows(session):
    relation = session.sql("select * from answers").filter("is_counted").order("row_number")
    frame = compact_frame(session, relation, ["row_number", "is_counted", "wave_code"])
    expected = session.sql(
        "select row_number, is_counted, wave_code from answers where is_counted order by row_number"
    ).df()
    pd.testing.assert_frame_equal(_by_row_number(frame), _as_text_categories(expected))


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


def test_a_relation_frame_digests_its_rows_in_any_order_and_reads_as_compact_frame(session):
    columns = ["wave_code", "value_numeric", "is_counted"]
    forward = relation_frame(
        session, session.sql("select * from answers order by row_number"), columns
    )
    backward = relation_frame(
        session, session.sql("select * from answers order by row_number desc"), columns
    )
    assert forward.content_digest() == backward.content_digest()
    pd.testing.assert_frame_equal(
        forward.frame().sort_values(columns).reset_index(drop=True),
        compact_frame(session, session.sql("select * from answers order by row_number"), columns)
        .sort_values(columns)
        .reset_index(drop=True),
    )
    # One value changed, one row gone, one row twice, another column, another type: another
    # digest each.
    others = [
        "select * replace (case when row_number = 7 then 'W9' else wave_code end as wave_code)"
        " from answers",
        "select * from answers where row_number <> 7",
        "select * from answers union all select * from answers where row_number = 7",
        "select * replace (value_numeric::float as value_numeric) from answers",
    ]
    digests = {
        relation_frame(session, session.sql(sql), columns).content_digest() for sql in others
    }
    digests.add(
        relation_frame(
            session, session.sql("select * from answers"), ["wave_code"]
        ).content_digest()
    )
    assert len(digests) == 5 and forward.content_digest() not in digests


def test_text_handed_as_plain_objects_keeps_its_values(session):
    """Without pandas' string type DuckDB hands text as plain objects: still text, not NULL."""
    relation = session.sql("select * from answers order by row_number")
    with pd.option_context("future.infer_string", False):
        frame = _by_row_number(
            compact_frame(session, relation, ["row_number", "wave_code", "item_code"])
        )
        expected = relation.project("row_number, wave_code, item_code").df()
    for column in ("wave_code", "item_code"):
        assert frame[column].astype(object).where(frame[column].notna(), None).tolist() == (
            expected[column].where(expected[column].notna(), None).tolist()
        )


def test_text_that_appears_while_reading_is_an_error_not_a_null(session, monkeypatch):
    """The codes come from a second query: a text the first one did not see (the table written
    meanwhile) must not become a NULL or another text."""
    monkeypatch.setattr(
        duckdb_frames, "_distinct_texts", lambda *args: {"wave_code": ["W0", "W1"]}
    )  # W2 "not seen yet"
    relation = session.sql("select * from answers")
    with pytest.raises(RuntimeError, match="'wave_code' of the relation changed"):
        compact_frame(session, relation, ["wave_code"])


@pytest.mark.parametrize("collation", ["nocase", "noaccent"])
def test_texts_that_a_collation_would_merge_stay_apart(session, collation):
    """A session (or column) collation must not merge 'A' with 'a' or 'é' with 'e': the codes
    tell texts apart as Python does."""
    session.execute(f"set default_collation = '{collation}'")
    session.execute(
        "create table cased as select * from (values (1, 'A'), (2, 'a'), (3, 'é'), (4, 'e'),"
        " (5, 'B'), (6, null)) as t(position, code)"
    )
    frame = compact_frame(session, session.sql("select * from cased"), ["position", "code"])
    codes = frame.sort_values("position")["code"].astype(object)
    assert codes.where(codes.notna(), None).tolist() == ["A", "a", "é", "e", "B", None]
    assert list(frame["code"].cat.categories) == sorted(["A", "a", "é", "e", "B"])
