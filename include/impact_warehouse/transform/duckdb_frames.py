"""Reading a large DuckDB relation into pandas for a dbt Python model without holding every
answer's text many times over.

``relation.df()`` makes one Python string per text cell. An answer row carries a handful of
short codes (wave, item, scale, …) that repeat millions of times at scale: at 1000× the demo
(4.6 million counted answers) ``fct_answers.df()`` peaked at 9.2 GiB in one model, and the
four adjusted-estimate models running two at a time were killed at 24 GiB. ``compact_frame``
reads only the named columns and hands each text column over as a categorical: one integer
code per row and each distinct text once. DuckDB works the codes out (a join on the column's
distinct values), so Python never makes a string per row: at 1000× reading the adjusted
comparison's 8.5 million answers took 10.9 s as Python strings turned into codes, 2.5 s so.
Copying, sorting, grouping, hashing (computed_once) and sending the frame to a worker process
(model_computations) then move integers, not millions of string objects.

The rows come in no particular order (a join keeps none), as an engine returns a table's: the
computations sort what they read first (weighting.in_stable_order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from impact_warehouse.sql_identifiers import quoted_identifier

# A code no category has: the text was not among the distinct values read just before.
_UNSEEN = -2


def compact_frame(session: Any, relation: Any, columns: Sequence[str]) -> pd.DataFrame:
    """``relation``'s ``columns`` as ``relation.project(columns).df()`` would give them (the
    same rows, in no particular order), read through ``session`` (the model's DuckDB
    connection), with every text column a categorical whose categories are in text order (so
    sorting by it sorts as by the text: weighting.in_stable_order)."""
    projected = relation.project(", ".join(quoted_identifier(column) for column in columns))
    rows_sql = projected.sql_query()
    text = [
        column
        for column, kind in zip(columns, projected.types, strict=True)
        if kind.id == "varchar"
    ]
    if not text:
        return session.execute(rows_sql).df()
    categories = _distinct_texts(session, rows_sql, text)
    frame = session.execute(_coded_rows_sql(rows_sql, columns, text), list(categories.values()))
    frame = frame.df()
    if frame.empty:
        return session.execute(rows_sql).df()  # no rows: the columns keep the types .df() gives
    for column, values in categories.items():
        codes = frame[column].to_numpy()
        if (codes == _UNSEEN).any():
            raise RuntimeError(
                f"{column!r} of the relation changed while it was read (a text not among its "
                "distinct values a moment before): read it again once nothing writes to it"
            )
        frame[column] = _categorical(codes, values)
    return frame[list(columns)]


def _distinct_texts(session: Any, rows_sql: str, text: list[str]) -> dict[str, list[str]]:
    """Each text column's distinct texts in text order (Python's, as in_stable_order sorts).
    ``collate c`` here and in the join: texts are told apart byte for byte, as Python tells
    them, whatever collation the session or the column was given (the cast: a column DuckDB
    has folded to NULL has no collation to set). One query per column, not one list of every
    column's values: DuckDB can spill a ``distinct`` to disk under its memory limit, not a
    list it is building."""
    distinct = {}
    for column in text:
        name = quoted_identifier(column)
        found = session.execute(
            f"select distinct {name}::varchar collate c from ({rows_sql}) as relation_rows "
            f"where {name} is not null"
        ).fetchall()
        distinct[column] = sorted(str(value) for (value,) in found)
    return distinct


def _coded_rows_sql(rows_sql: str, columns: Sequence[str], text: list[str]) -> str:
    """The rows with each text column replaced by its position in the list bound to the
    parameter of the same rank (-1 for NULL, _UNSEEN for a text not in the list)."""
    lookups, joins, selected = [], [], []
    for rank, column in enumerate(text, start=1):
        lookups.append(
            f"categories_{rank} as (select unnest(${rank}::varchar[]) as value, "
            f"unnest(range(len(${rank})))::integer as code)"
        )
        name = quoted_identifier(column)
        joins.append(
            f"left join categories_{rank} "
            f"on relation_rows.{name}::varchar collate c = categories_{rank}.value collate c"
        )
    for column in columns:
        name = quoted_identifier(column)
        if column in text:
            rank = text.index(column) + 1
            selected.append(
                f"case when relation_rows.{name} is null then -1 "
                f"else coalesce(categories_{rank}.code, {_UNSEEN}) end as {name}"
            )
        else:
            selected.append(f"relation_rows.{name}")
    return (
        f"with {', '.join(lookups)} select {', '.join(selected)} "
        f"from ({rows_sql}) as relation_rows {' '.join(joins)}"
    )


def _categorical(codes: np.ndarray, values: list[str]) -> pd.Categorical | pd.Series:
    if not values:  # NULL in every row: as ``.df()`` gives it
        return pd.Series([None] * len(codes), dtype=object)
    categories = pd.Index(values, dtype=pd.StringDtype(na_value=np.nan))
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))


@dataclass(frozen=True)
class RelationFrame:
    """``relation``'s ``columns`` for a computation two models share (computed_once): DuckDB
    gives their content digest, and the frame (:func:`compact_frame`) is read only by the
    model that computes. The other model of the pair neither reads nor hashes the rows: at
    1000× the demo that was 8.5 million answers read twice, beside each other, on two cores."""

    session: Any
    relation: Any
    columns: tuple[str, ...]

    def content_digest(self) -> str:
        """The columns' names and types, and an order-free digest of their rows (the number of
        rows, and the sum and the exclusive or of each row's hash)."""
        projected = self.relation.project(
            ", ".join(quoted_identifier(column) for column in self.columns)
        )
        row_hash = "hash({})".format(", ".join(quoted_identifier(c) for c in self.columns))
        rows = self.session.execute(
            f"select count(*), sum({row_hash}), bit_xor({row_hash}) "
            f"from ({projected.sql_query()}) as relation_rows"
        ).fetchone()
        types = [str(kind) for kind in projected.types]
        return repr((list(zip(self.columns, types, strict=True)), rows))

    def frame(self) -> pd.DataFrame:
        return compact_frame(self.session, self.relation, self.columns)


def relation_frame(session: Any, relation: Any, columns: Sequence[str]) -> RelationFrame:
    """``relation``'s ``columns``, read through ``session`` only if a computation needs them."""
    return RelationFrame(session, relation, tuple(columns))
