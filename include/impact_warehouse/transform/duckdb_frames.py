"""Reading a large DuckDB relation into pandas for a dbt Python model without holding every
answer's text many times over.

``relation.df()`` makes one Python string per text cell. An answer row carries a handful of
short codes (wave, item, scale, …) that repeat millions of times at scale: at 1000× the demo
(4.6 million counted answers) ``fct_answers.df()`` peaked at 9.2 GiB in one model, and the
four adjusted-estimate models running two at a time were killed at 24 GiB. ``compact_frame``
reads only the named columns, a chunk at a time, and hands each text column over as a
categorical: one integer code per row and each distinct text once. Copying, sorting, grouping,
hashing (computed_once) and sending the frame to a worker process (model_computations) then
move integers, not millions of string objects: at 1000× the adjusted comparison spent a third
of its time copying and sorting text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from impact_warehouse.sql_identifiers import quoted_identifier

# 2,048 rows per vector: about half a million rows per chunk.
VECTORS_PER_CHUNK = 256


def compact_frame(
    session: Any,
    relation: Any,
    columns: Sequence[str],
    vectors_per_chunk: int = VECTORS_PER_CHUNK,
) -> pd.DataFrame:
    """``relation``'s ``columns`` as ``relation.project(columns).df()`` would give them (the
    same values in the same order), read through ``session`` (the model's DuckDB connection) a
    chunk at a time, with every text column a categorical whose categories are in text order
    (so sorting by it sorts as by the text: weighting.in_stable_order)."""
    projected = relation.project(", ".join(quoted_identifier(column) for column in columns))
    text = {
        column: _TextColumn()
        for column, kind in zip(columns, projected.types, strict=True)
        if kind.id == "varchar"
    }
    result = session.execute(projected.sql_query())
    chunks = []
    while True:
        chunk = result.fetch_df_chunk(vectors_per_chunk)
        if chunk.empty:
            break
        for column, values in text.items():
            values.take(chunk[column])
        chunks.append(chunk.drop(columns=list(text)))
    if not chunks:
        return chunk  # no rows: the empty frame still has the columns and their types
    frame = pd.concat(chunks, ignore_index=True)
    for column, values in text.items():
        frame[column] = values.categorical()
    return frame[list(columns)]


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


class _TextColumn:
    """One text column's codes, chunk by chunk, against the categories seen so far."""

    def __init__(self) -> None:
        self.dtype: pd.StringDtype | None = None
        self.categories: dict[str, int] = {}
        self.codes: list[np.ndarray] = []

    def take(self, values: pd.Series) -> None:
        """Keep ``values``' codes. DuckDB hands a chunk whose text is all NULL as ``object``;
        ``.df()`` types the whole column by the other chunks' values."""
        if isinstance(values.dtype, pd.StringDtype):
            self.dtype = values.dtype
        codes, uniques = pd.factorize(values.to_numpy(dtype=object, na_value=None))
        known = np.array(
            [self.categories.setdefault(value, len(self.categories)) for value in uniques],
            dtype=np.int64,
        )
        self.codes.append(np.where(codes >= 0, known[codes] if len(known) else -1, -1))

    def categorical(self) -> pd.Categorical | pd.Series:
        codes = np.concatenate(self.codes)
        if not self.categories:  # NULL in every row: as ``.df()`` gives it
            if self.dtype is None:
                return pd.Series([None] * len(codes), dtype=object)
            return pd.Series(pd.NA, index=range(len(codes)), dtype=self.dtype)
        seen = np.array(list(self.categories), dtype=object)
        order = np.argsort(seen, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        in_text_order = np.where(codes >= 0, rank[codes] if len(rank) else -1, -1)
        # Text DuckDB handed as plain objects (pandas without its string type) keeps its values.
        categories = pd.Index(seen[order], dtype=self.dtype or pd.StringDtype(na_value=np.nan))
        return pd.Categorical.from_codes(in_text_order, dtype=pd.CategoricalDtype(categories))
