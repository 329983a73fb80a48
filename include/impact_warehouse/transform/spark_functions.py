"""Code that runs inside Spark, as Python table functions (UDTFs) on the session.

dbt-spark's session method runs no dbt Python models, so on Spark the nine statistics tables
are SQL models (marts/spark/) selecting from the table functions registered here, the way
PostgreSQL's twins select from PL/Python (transform/postgres_plpython.py). A table function
cannot read tables (its Python runs in an executor's worker process), so its inputs arrive as
rows of one TABLE argument, one union of ``spark_relation_rows`` per input relation
(macros/spark_relation_rows.sql): the relation's name and each row as JSON. The rows stream
through the executors to one partition, never through the driver; ``terminate`` turns each
relation back into the DataFrame the DuckDB Python model reads, runs the same compute code
and yields the rows. Settings (k, seeds) follow the TABLE argument as plain arguments.

The session factory (transform/spark_session.py) calls :func:`register` before dbt runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pyspark.sql import Row, SparkSession
from pyspark.sql.functions import udtf
from pyspark.sql.types import (
    BooleanType,
    DataType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
)

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
# The column macros/spark_relation_rows.sql adds: null on the one row of an empty relation.
PRESENT = "is_present_row"


@dataclass(frozen=True)
class TableFunction:
    """One statistics table: its output ``columns`` (a compute module's COLUMNS), the input
    ``relations`` in the order ``compute`` takes them (settings follow)."""

    columns: dict[str, str]
    relations: tuple[str, ...]
    compute: Callable[..., pd.DataFrame]

    def schema(self) -> StructType:
        return StructType(
            [StructField(name, _SPARK_TYPES[dtype]) for name, dtype in self.columns.items()]
        )


class _RelationRows:
    """The rows of the input relations as they arrive, then their DataFrames."""

    def __init__(self, relations: tuple[str, ...]) -> None:
        self.relations = relations
        self.columns: dict[str, list[str]] = {}
        self.records: dict[str, list[dict[str, Any]]] = {name: [] for name in relations}

    def add(self, relation: str, row_json: str) -> None:
        if relation not in self.records:
            raise ValueError(f"unknown input relation {relation!r}; expected {self.relations}")
        record = json.loads(row_json)
        present = record.pop(PRESENT)
        self.columns.setdefault(relation, list(record))
        if present:
            self.records[relation].append(record)

    def frames(self) -> list[pd.DataFrame]:
        missing = [name for name in self.relations if name not in self.columns]
        if missing:
            raise ValueError(f"input relations missing from the TABLE argument: {missing}")
        return [
            pd.DataFrame.from_records(self.records[name], columns=self.columns[name])
            for name in self.relations
        ]


def _udtf_class(function: TableFunction) -> type:
    class StatisticsTable:
        def __init__(self) -> None:
            self.inputs = _RelationRows(function.relations)
            self.settings: tuple[Any, ...] = ()

        def eval(self, row: Row, *settings: Any) -> None:
            self.inputs.add(row["relation"], row["row"])
            self.settings = settings

        def terminate(self) -> Iterator[tuple[Any, ...]]:
            result = function.compute(*self.inputs.frames(), *self.settings)
            yield from _sql_rows(result, function.columns)

    StatisticsTable.__name__ = StatisticsTable.__qualname__ = f"{function.compute.__name__}_table"
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


_NONRESPONSE_RELATIONS = (
    "wave_targets",
    "waves",
    "cohorts",
    "participation",
    "responses",
    "answers",
    "scales",
    "scale_measures",
    "scale_labels",
)
_COMPARISON_RELATIONS = ("answers", "covariates", "scales", "scale_measures", "scale_labels")


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
    """Arguments: the frames of _NONRESPONSE_RELATIONS, then the min effective n."""
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


# SQL name → table: the models in marts/spark/ call these names with these relations.
FUNCTIONS: dict[str, TableFunction] = {
    "impact_indicator_results": TableFunction(
        indicator_results.COLUMNS,
        ("answers", "pairs", "response_rates", "scales", "scale_measures", "scale_labels"),
        _indicator_results,
    ),
    "impact_indicator_targets": TableFunction(
        indicator_targets.COLUMNS, ("targets", "results", "waves"), _indicator_targets
    ),
    "impact_indicator_series": TableFunction(
        indicator_series.COLUMNS, ("results", "item_wordings"), _indicator_series
    ),
    "impact_voice_codes": TableFunction(
        voices.CODE_COLUMNS, ("answers", "codebook", "manual_codes"), _voice_codes
    ),
    "impact_voice_quote_decisions": TableFunction(
        voices.DECISION_COLUMNS,
        ("quotes", "answers", "codes", "categories", "codebook", "items", "scale_measures"),
        _voice_quote_decisions,
    ),
    "impact_nonresponse_balance": TableFunction(
        nonresponse.BALANCE_COLUMNS, _NONRESPONSE_RELATIONS, _nonresponse_balance
    ),
    "impact_nonresponse_weighted_shares": TableFunction(
        nonresponse.SHARE_COLUMNS, _NONRESPONSE_RELATIONS, _nonresponse_weighted_shares
    ),
    "impact_comparison_adjusted": TableFunction(
        comparison_adjustment.COMPARISON_COLUMNS, _COMPARISON_RELATIONS, _comparison_adjusted
    ),
    "impact_covariate_balance": TableFunction(
        covariate_balance.BALANCE_COLUMNS, _COMPARISON_RELATIONS, _covariate_balance
    ),
}


def register(spark: SparkSession) -> None:
    """Register every statistics table function on ``spark`` (temporary, for the session)."""
    for name, function in FUNCTIONS.items():
        table_function = udtf(_udtf_class(function), returnType=function.schema(), useArrow=False)
        spark.udtf.register(name, table_function)
