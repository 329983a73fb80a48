"""Code that runs inside PostgreSQL, in PL/Python (``plpython3u``).

dbt-postgres has no Python models, so on PostgreSQL ``fct_indicator_results`` is an SQL
model selecting from ``impact_udf.indicator_results(...)``, a PL/Python function that the
``create_engine_functions`` on-run-start macro defines as a one-line call into
``indicator_results_rows`` below (and the same for ``fct_indicator_targets`` and
``fct_indicator_series``). It reads the mart tables and the scale catalog seeds with ``plpy``
(paired scores counted per (pre, post) pair in SQL), runs the same
``compute_indicator_results`` as the DuckDB Python model and returns the rows, so both
engines compute the statistics with the same scipy/statsmodels code.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pandas as pd

from impact_warehouse.sql_identifiers import quoted_identifier, quoted_literal
from impact_warehouse.transform import indicator_series, indicator_targets, voices
from impact_warehouse.transform.indicator_results import (
    ANSWER_COLUMNS,
    COLUMNS,
    PAIR_COLUMNS,
    compute_indicator_results,
)

_FETCH_ROWS = 50_000


def read_relation(plpy: Any, relation: str, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The rows of a table (all columns, or ``columns``) as a DataFrame, fetched in chunks.
    ``relation`` is the quoted name dbt's ref() rendered into the SQL model, never user
    input; column names come from indicator_results."""
    selected = ", ".join(quoted_identifier(column) for column in columns) if columns else "*"
    return read_query(plpy, f"select {selected} from {relation}")


def read_pairs(plpy: Any, relation: str) -> pd.DataFrame:
    """The paired participants of fct_paired_scores counted per (pre, post) pair: the engine
    needs only these counts (as the DuckDB model reads them)."""
    grouped = ", ".join(quoted_identifier(column) for column in PAIR_COLUMNS)
    return read_query(
        plpy,
        f"select {grouped}, count(*) as pair_count from {relation} "
        f"where is_paired group by {grouped}",
    )


def read_query(plpy: Any, query: str) -> pd.DataFrame:
    names = list(plpy.execute(f"select * from ({query}) as probe limit 0").colnames())
    cursor = plpy.cursor(query)
    frames: list[pd.DataFrame] = []
    while rows := cursor.fetch(_FETCH_ROWS):
        records = [_row(row, names) for row in rows]
        frames.append(pd.DataFrame.from_records(records, columns=names))
    if not frames:
        return pd.DataFrame(columns=names)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _row(row: dict[str, Any], columns: list[str]) -> tuple[Any, ...]:
    # numeric arrives as Decimal; the DuckDB model sees floats.
    return tuple(
        float(value) if isinstance(value, Decimal) else value
        for value in (row[column] for column in columns)
    )


def indicator_results_rows(
    plpy: Any,
    answers_relation: str,
    paired_scores_relation: str,
    response_rates_relation: str,
    scale_relations: tuple[str, str, str],
    suppression_k: int,
) -> Iterator[tuple[Any, ...]]:
    """The rows of fct_indicator_results, in COLUMNS order, with SQL nulls for NA.
    ``scale_relations``: the seeds scales, scale_measures and scale_labels."""
    scales, scale_measures, scale_labels = scale_relations
    results = compute_indicator_results(
        read_relation(plpy, answers_relation, ANSWER_COLUMNS),
        read_pairs(plpy, paired_scores_relation),
        read_relation(plpy, response_rates_relation),
        scales=read_relation(plpy, scales),
        scale_measures=read_relation(plpy, scale_measures),
        scale_labels=read_relation(plpy, scale_labels),
        suppression_k=int(suppression_k),
    )
    return _sql_rows(results, COLUMNS)


def indicator_targets_rows(
    plpy: Any,
    targets_relation: str,
    results_relation: str,
    waves_relation: str,
    suppression_k: int,
) -> Iterator[tuple[Any, ...]]:
    """The rows of fct_indicator_targets, in indicator_targets.COLUMNS order."""
    targets = indicator_targets.compute_indicator_targets(
        read_relation(plpy, targets_relation),
        read_relation(plpy, results_relation),
        read_relation(plpy, waves_relation, ("fiscal_year", "wave_type")),
        suppression_k=int(suppression_k),
    )
    return _sql_rows(targets, indicator_targets.COLUMNS)


def indicator_series_rows(
    plpy: Any, results_relation: str, item_wordings_relation: str, suppression_k: int
) -> Iterator[tuple[Any, ...]]:
    """The rows of fct_indicator_series, in indicator_series.COLUMNS order."""
    series = indicator_series.compute_indicator_series(
        read_relation(plpy, results_relation),
        read_relation(plpy, item_wordings_relation),
        suppression_k=int(suppression_k),
    )
    return _sql_rows(series, indicator_series.COLUMNS)


def _voice_answers(plpy: Any, relation: str, codebook: pd.DataFrame) -> pd.DataFrame:
    """Counted answers to the codebook's items and their consent items, as the DuckDB
    models read them."""
    wanted = sorted(set(codebook.item_code) | set(codebook.consent_item_code.dropna()))
    selected = ", ".join(quoted_identifier(column) for column in voices.ANSWER_COLUMNS)
    # Item codes come from the catalog seed, quoted as SQL literals.
    listed = ", ".join(quoted_literal(code) for code in wanted) or "''"
    return read_query(
        plpy, f"select {selected} from {relation} where is_counted and item_code in ({listed})"
    )


def voice_codes_rows(
    plpy: Any, answers_relation: str, codebook_relation: str, manual_codes_relation: str
) -> Iterator[tuple[Any, ...]]:
    """The rows of fct_voice_codes, in voices.CODE_COLUMNS order."""
    codebook = read_relation(plpy, codebook_relation)
    codes = voices.compute_voice_codes(
        _voice_answers(plpy, answers_relation, codebook),
        codebook,
        read_relation(plpy, manual_codes_relation),
    )
    return _sql_rows(codes, voices.CODE_COLUMNS)


def voice_quote_decisions_rows(
    plpy: Any,
    quotes_relation: str,
    answers_relation: str,
    voice_relations: tuple[str, str],
    codebook_relation: str,
    scale_relations: tuple[str, str],
) -> Iterator[tuple[Any, ...]]:
    """The rows of fct_voice_quote_decisions, in voices.DECISION_COLUMNS order.
    ``voice_relations``: fct_voice_codes, fct_voice_categories; ``scale_relations``: the
    seeds items and scale_measures."""
    codes_relation, categories_relation = voice_relations
    items_relation, scale_measures_relation = scale_relations
    codebook = read_relation(plpy, codebook_relation)
    decisions = voices.compute_quote_decisions(
        read_relation(plpy, quotes_relation),
        _voice_answers(plpy, answers_relation, codebook),
        read_relation(plpy, codes_relation),
        read_relation(plpy, categories_relation),
        codebook,
        voices.consent_measures(
            codebook,
            read_relation(plpy, items_relation),
            read_relation(plpy, scale_measures_relation),
        ),
    )
    return _sql_rows(decisions, voices.DECISION_COLUMNS)


def _sql_rows(frame: pd.DataFrame, columns: dict[str, str]) -> Iterator[tuple[Any, ...]]:
    """Rows in the order of ``columns``, with SQL nulls for NA."""
    for record in frame[list(columns)].itertuples(index=False, name=None):
        yield tuple(_sql_value(value) for value in record)


def _sql_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars → Python int/float/bool
        return value.item()
    return value
