"""Reading a large DuckDB relation into pandas for a dbt Python model without holding every
answer's text many times over.

``relation.df()`` makes one Python string per text cell. An answer row carries a handful of
short codes (wave, item, scale, …) that repeat millions of times at scale: at 1000× the demo
(4.6 million counted answers) ``fct_answers.df()`` peaked at 9.2 GiB in one model, and the
four adjusted-estimate models running two at a time were killed at 24 GiB. ``compact_frame``
reads only the named columns, a chunk at a time, and lets equal strings share one object:
the same frame (same values, types and order as ``.df()``) in a tenth of the memory.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    """``relation``'s ``columns`` as ``relation.project(columns).df()`` would give them, read
    through ``session`` (the model's DuckDB connection) a chunk at a time."""
    projected = relation.project(", ".join(quoted_identifier(column) for column in columns))
    result = session.execute(projected.sql_query())
    shared: dict[str, str] = {}
    chunks = []
    while True:
        chunk = result.fetch_df_chunk(vectors_per_chunk)
        if chunk.empty:
            break
        chunks.append(_with_shared_strings(chunk, shared))
    if not chunks:
        return chunk  # no rows: the empty frame still has the columns and their types
    return pd.concat(_with_agreed_text_types(chunks), ignore_index=True)


def _with_agreed_text_types(chunks: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """``chunks`` with a text column typed alike in each: DuckDB hands a chunk whose text is all
    NULL as ``object``, while ``.df()`` types the whole column by its values, so an all-NULL
    chunk takes the string type the other chunks have."""
    for column in chunks[0].columns:
        string_types = {
            chunk[column].dtype
            for chunk in chunks
            if isinstance(chunk[column].dtype, pd.StringDtype)
        }
        if len(string_types) != 1:
            continue
        for chunk in chunks:
            if chunk[column].dtype == object and chunk[column].isna().all():
                chunk[column] = chunk[column].astype(next(iter(string_types)))
    return chunks


def _with_shared_strings(chunk: pd.DataFrame, shared: dict[str, str]) -> pd.DataFrame:
    """``chunk`` with every text value replaced by the first equal string seen in any chunk."""
    for column in chunk.columns:
        dtype = chunk[column].dtype
        if not pd.api.types.is_string_dtype(dtype):
            continue
        values = chunk[column].to_numpy(dtype=object, na_value=None)
        codes, uniques = pd.factorize(values)
        if len(uniques) == 0:
            continue
        canonical = np.array([shared.setdefault(value, value) for value in uniques], dtype=object)
        present = codes >= 0
        values[present] = canonical[codes[present]]
        chunk[column] = pd.array(values, dtype=dtype)
    return chunk
