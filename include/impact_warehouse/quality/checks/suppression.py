"""Small cells: no published figure below k escapes suppression (gate check ``suppression``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from great_expectations import expectations as gxe

from impact_warehouse.quality.checks.context import (
    CheckContext,
    float_or_none,
    located_groups,
    make_finding,
)
from impact_warehouse.quality.model import Finding


def check_suppression(ctx: CheckContext) -> list[Finding]:
    settings = ctx.settings("suppression")
    severity = ctx.severity("suppression")
    k = int(settings.get("k") or 5)
    count_columns = list(settings.get("count_columns") or ["respondents"])
    columns = ctx.df(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'reporting' and table_name like 'rpt\\_%' escape '\\' "
        "order by table_name, ordinal_position"
    )
    findings = []
    for table, group in columns.groupby("table_name", sort=True):
        names = list(group["column_name"])
        counts = [c for c in count_columns if c in names]
        if "is_suppressed" not in names or not counts:
            continue
        location = [c for c in ("fiscal_year", "program_code", "wave_type") if c in names]
        key = next((c for c in names if c.endswith("_key")), None)
        selected = list(dict.fromkeys([*(c for c in [key] if c), *location, *counts]))
        frame = ctx.df(
            f"select {', '.join(selected)} from reporting.{table} "
            "where not coalesce(is_suppressed, false) order by all"
        )
        outcomes = ctx.gx.validate(
            f"suppression__{table}",
            frame,
            [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=k) for c in counts],
        )
        for outcome in outcomes:
            if outcome.success:
                continue
            column = outcome.kwargs["column"]
            rows = frame.loc[outcome.unexpected_index]
            for where, sub in located_groups(
                rows, [c for c in ("fiscal_year", "program_code") if c in rows]
            ):
                findings.append(_small_count_finding(table, column, where, sub, key, k, severity))
    return findings


def _small_count_finding(
    table: str,
    column: str,
    where: dict[str, Any],
    rows: pd.DataFrame,
    key: str | None,
    k: int,
    severity: str,
) -> Finding:
    """Published, unsuppressed rows of one fiscal year and program counting fewer than k;
    the pooled program ("all") is located at no program."""
    program = where.get("program_code")
    smallest = float_or_none(rows[column].min())
    return make_finding(
        "suppression",
        severity,
        {"program_code": None if program == "all" else program},
        observed=smallest,
        threshold=float(k),
        message=(
            f"reporting.{table}: {len(rows)} published row(s) "
            f"(fiscal year {where.get('fiscal_year')}, program {program}) have "
            f"{column} below k={k} (smallest {smallest:g})."
        ),
        details={
            "table": f"reporting.{table}",
            "column": column,
            "k": k,
            "fiscal_year": where.get("fiscal_year"),
            "rows": len(rows),
            "row_keys": [str(v) for v in rows[key].head(20)] if key else [],
        },
    )
