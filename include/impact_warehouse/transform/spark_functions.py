"""Code that runs inside Spark, as Python table functions (UDTFs) on the session.

dbt-spark's session method runs no dbt Python models, so on Spark the nine statistics tables
are SQL models (marts/spark/) selecting from the table functions registered here, the way
PostgreSQL's twins select from PL/Python (transform/postgres_plpython.py). A table function
cannot read tables (its Python runs in an executor's worker process), so each input relation
arrives as one argument, ``(select collect_list(struct(*)) from <relation>)``; the function
turns it back into the DataFrame the DuckDB Python model reads, runs the same compute code
and yields the rows. ``analyze`` (run when Spark plans the query) records each relation's
column names, so an empty relation still arrives with its columns.

The session factory (transform/spark_session.py) calls :func:`register` before dbt runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from pyspark.sql import SparkSession
from pyspark.sql.functions import udtf
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DataType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
)
from pyspark.sql.udtf import AnalyzeArgument, AnalyzeResult

from impact_warehouse.transform import (
    comparison_adjustment,
    covariate_balance,
    indicator_results,
    indicator_series,
    indicator_targets,
    nonresponse,
    voices,
)
from impact_warehouse.transform.outcome_rules import scale_rules
from impact_warehouse.transform.postgres_plpython import _sql_rows

# The pandas dtypes of the compute modules' COLUMNS and the Spark type of each.
_SPARK_TYPES: dict[str, DataType] = {
    "string": StringType(),
    "Int64": LongType(),
    "Float64": DoubleType(),
    "boolean": BooleanType(),
}


@dataclass
class _Arguments(AnalyzeResult):
    """The planned call: the column names of each relation argument, None for a setting."""

    relation_columns: tuple[tuple[str, ...] | None, ...] = ()


def _relation_columns(argument: AnalyzeArgument) -> tuple[str, ...] | None:
    data_type = argument.dataType
    if isinstance(data_type, ArrayType) and isinstance(data_type.elementType, StructType):
        return tuple(data_type.elementType.names)
    return None


def _frame(rows: list[Any] | None, columns: tuple[str, ...]) -> pd.DataFrame:
    """The rows of one relation argument as a DataFrame (decimals as floats, as the DuckDB
    models see them)."""
    records = [
        tuple(float(value) if isinstance(value, Decimal) else value for value in row)
        for row in rows or ()
    ]
    return pd.DataFrame.from_records(records, columns=list(columns))


def _table_function(columns: dict[str, str], compute: Callable[..., pd.DataFrame]) -> type:
    """A UDTF class returning ``columns`` (a compute module's COLUMNS) computed by
    ``compute`` from its arguments: relations as DataFrames, settings as they are."""
    schema = StructType(
        [StructField(name, _SPARK_TYPES[dtype], nullable=True) for name, dtype in columns.items()]
    )

    class StatisticsTable:
        def __init__(self, analyze_result: _Arguments) -> None:
            self.relation_columns = analyze_result.relation_columns

        @staticmethod
        def analyze(*arguments: AnalyzeArgument) -> _Arguments:
            return _Arguments(
                schema=schema,
                relation_columns=tuple(_relation_columns(argument) for argument in arguments),
            )

        def eval(self, *arguments: Any) -> Iterator[tuple[Any, ...]]:
            inputs = [
                value if names is None else _frame(value, names)
                for value, names in zip(arguments, self.relation_columns, strict=True)
            ]
            yield from _sql_rows(compute(*inputs), columns)

    StatisticsTable.__name__ = StatisticsTable.__qualname__ = f"{compute.__name__}_table"
    return StatisticsTable


# One function per table, reading its inputs as the DuckDB Python model of the same name does.


def _indicator_results(
    answers: pd.DataFrame,
    pairs: pd.DataFrame,
    response_rates: pd.DataFrame,
    scales: pd.DataFrame,
    scale_measures: pd.DataFrame,
    scale_labels: pd.DataFrame,
    suppression_k: int,
) -> pd.DataFrame:
    return indicator_results.compute_indicator_results(
        answers,
        pairs,
        response_rates,
        scales=scales,
        scale_measures=scale_measures,
        scale_labels=scale_labels,
        suppression_k=int(suppression_k),
    )


def _indicator_targets(
    targets: pd.DataFrame, results: pd.DataFrame, waves: pd.DataFrame, suppression_k: int
) -> pd.DataFrame:
    return indicator_targets.compute_indicator_targets(
        targets, results, waves[["fiscal_year", "wave_type"]], suppression_k=int(suppression_k)
    )


def _indicator_series(
    results: pd.DataFrame, item_wordings: pd.DataFrame, suppression_k: int
) -> pd.DataFrame:
    return indicator_series.compute_indicator_series(
        results, item_wordings, suppression_k=int(suppression_k)
    )


def _voice_codes(
    answers: pd.DataFrame, codebook: pd.DataFrame, manual_codes: pd.DataFrame
) -> pd.DataFrame:
    return voices.compute_voice_codes(answers, codebook, manual_codes)


def _voice_quote_decisions(
    quotes: pd.DataFrame,
    answers: pd.DataFrame,
    codes: pd.DataFrame,
    categories: pd.DataFrame,
    codebook: pd.DataFrame,
    items: pd.DataFrame,
    scale_measures: pd.DataFrame,
) -> pd.DataFrame:
    return voices.compute_quote_decisions(
        quotes,
        answers,
        codes,
        categories,
        codebook,
        voices.consent_measures(codebook, items, scale_measures),
    )


def _nonresponse(
    relations: tuple[pd.DataFrame, ...], scales: tuple[pd.DataFrame, ...], min_effective_n: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    wave_targets, waves, cohorts, participation, responses, answers = relations
    return nonresponse.compute_nonresponse(
        wave_targets,
        waves,
        cohorts,
        participation,
        responses,
        answers,
        rules=scale_rules(*scales),
        min_effective_n=float(min_effective_n),
    )


def _nonresponse_balance(*arguments: Any) -> pd.DataFrame:
    """Arguments: int_wave_targets, waves, cohorts, fct_participation, fct_responses,
    fct_answers, scales, scale_measures, scale_labels, min effective n."""
    return _nonresponse(arguments[:6], arguments[6:9], arguments[9])[0]


def _nonresponse_weighted_shares(*arguments: Any) -> pd.DataFrame:
    """Arguments as :func:`_nonresponse_balance`."""
    return _nonresponse(arguments[:6], arguments[6:9], arguments[9])[1]


def _comparison_adjusted(
    answers: pd.DataFrame,
    covariates: pd.DataFrame,
    scales: pd.DataFrame,
    scale_measures: pd.DataFrame,
    scale_labels: pd.DataFrame,
    min_effective_n: float,
    resamples: int,
    seed: int,
) -> pd.DataFrame:
    comparison, _ = comparison_adjustment.compute_comparison_adjustment(
        answers,
        covariates,
        scale_rules(scales, scale_measures, scale_labels),
        min_effective_n=float(min_effective_n),
        resamples=int(resamples),
        seed=int(seed),
    )
    return comparison


def _covariate_balance(
    answers: pd.DataFrame,
    covariates: pd.DataFrame,
    scales: pd.DataFrame,
    scale_measures: pd.DataFrame,
    scale_labels: pd.DataFrame,
) -> pd.DataFrame:
    return comparison_adjustment.compute_covariate_balance(
        answers, covariates, scale_rules(scales, scale_measures, scale_labels)
    )


# SQL name → (output columns, compute): the models in marts/spark/ call these names.
FUNCTIONS: dict[str, tuple[dict[str, str], Callable[..., pd.DataFrame]]] = {
    "impact_indicator_results": (indicator_results.COLUMNS, _indicator_results),
    "impact_indicator_targets": (indicator_targets.COLUMNS, _indicator_targets),
    "impact_indicator_series": (indicator_series.COLUMNS, _indicator_series),
    "impact_voice_codes": (voices.CODE_COLUMNS, _voice_codes),
    "impact_voice_quote_decisions": (voices.DECISION_COLUMNS, _voice_quote_decisions),
    "impact_nonresponse_balance": (nonresponse.BALANCE_COLUMNS, _nonresponse_balance),
    "impact_nonresponse_weighted_shares": (
        nonresponse.SHARE_COLUMNS,
        _nonresponse_weighted_shares,
    ),
    "impact_comparison_adjusted": (
        comparison_adjustment.COMPARISON_COLUMNS,
        _comparison_adjusted,
    ),
    "impact_covariate_balance": (covariate_balance.BALANCE_COLUMNS, _covariate_balance),
}


def register(spark: SparkSession) -> None:
    """Register every statistics table function on ``spark`` (temporary, for the session)."""
    for name, (columns, compute) in FUNCTIONS.items():
        spark.udtf.register(name, udtf(_table_function(columns, compute), useArrow=False))
