"""PL/Python entry points of the adjusted-estimate tables (PostgreSQL has no dbt Python
models): each reads the same relations as its DuckDB Python model and runs the same engine
(transform/nonresponse.py, transform/comparison_adjustment.py), following
transform/postgres_plpython.py. The functions are defined in macros/engine_functions.sql."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from impact_warehouse.transform import comparison_adjustment, covariate_balance, nonresponse
from impact_warehouse.transform.outcome_rules import ScaleRules, scale_rules
from impact_warehouse.transform.postgres_plpython import _sql_rows, read_query, read_relation


def _rules(plpy: Any, scale_relations: tuple[str, str, str]) -> ScaleRules:
    scales, measures, labels = (read_relation(plpy, name) for name in scale_relations)
    return scale_rules(scales, measures, labels)


def _answers(
    plpy: Any, relation: str, wave_types: tuple[str, ...], columns: tuple[str, ...]
) -> Any:
    """The counted answers of ``wave_types``: only the ``columns`` the computation reads."""
    listed = ", ".join(f"'{wave_type}'" for wave_type in wave_types)
    selected = ", ".join(columns)
    return read_query(
        plpy, f"select {selected} from {relation} where is_counted and wave_type in ({listed})"
    )


def nonresponse_rows(
    plpy: Any,
    relations: tuple[str, str, str, str, str, str],
    scale_relations: tuple[str, str, str],
    min_effective_n: float,
    table: str,
) -> Iterator[tuple[Any, ...]]:
    """Rows of fct_nonresponse_balance (table 'balance') or fct_nonresponse_weighted_shares
    ('shares'). ``relations``: int_wave_targets, waves, cohorts, fct_participation,
    fct_responses, fct_answers."""
    targets, waves, cohorts, participation, responses, answers = relations
    balance, shares = nonresponse.compute_nonresponse(
        read_relation(plpy, targets),
        read_relation(plpy, waves),
        read_relation(plpy, cohorts),
        read_relation(plpy, participation),
        read_relation(plpy, responses),
        _answers(plpy, answers, ("pre", "post", "followup"), nonresponse.ANSWER_COLUMNS),
        rules=_rules(plpy, scale_relations),
        min_effective_n=float(min_effective_n),
    )
    if table == "balance":
        return _sql_rows(balance, nonresponse.BALANCE_COLUMNS)
    return _sql_rows(shares, nonresponse.SHARE_COLUMNS)


def comparison_rows(
    plpy: Any,
    answers_relation: str,
    covariates_relation: str,
    scale_relations: tuple[str, str, str],
    settings: tuple[float, int, int],
) -> Iterator[tuple[Any, ...]]:
    """Rows of fct_comparison_adjusted. ``settings``: min effective n, resamples, seed."""
    min_effective_n, resamples, seed = settings
    comparison, _ = comparison_adjustment.compute_comparison_adjustment(
        _answers(
            plpy, answers_relation, ("followup", "comparison"), comparison_adjustment.ANSWER_COLUMNS
        ),
        read_relation(plpy, covariates_relation),
        _rules(plpy, scale_relations),
        min_effective_n=float(min_effective_n),
        resamples=int(resamples),
        seed=int(seed),
    )
    return _sql_rows(comparison, comparison_adjustment.COMPARISON_COLUMNS)


def covariate_balance_rows(
    plpy: Any,
    answers_relation: str,
    covariates_relation: str,
    scale_relations: tuple[str, str, str],
) -> Iterator[tuple[Any, ...]]:
    """Rows of fct_covariate_balance."""
    balance = comparison_adjustment.compute_covariate_balance(
        _answers(
            plpy, answers_relation, ("followup", "comparison"), comparison_adjustment.ANSWER_COLUMNS
        ),
        read_relation(plpy, covariates_relation),
        _rules(plpy, scale_relations),
    )
    return _sql_rows(balance, covariate_balance.BALANCE_COLUMNS)
