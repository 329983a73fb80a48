"""The gate's personal-data check: the one detector, counts and keys only, masking not blocking.

Three questions, each a GX suite whose Data Docs show counts, never values:

* does a column of an analyst table have a personal-data name (``email``, ``phone``…)? A
  model bug, not a respondent's doing: failure;
* does any text cell still hold what :func:`impact_warehouse.personal_data.find_personal_data`
  flags? ``privacy_masking.mask_personal_data`` runs before the gate on every publish, so a
  hit means the masking did not run on this build: failure (publishing would leak it);
* which cells were masked? One warning naming the waves and listing response keys, so staff
  hear once and the release goes out with those cells masked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from impact_warehouse.quality.gx_import import import_great_expectations

import_great_expectations()  # first, before GX is imported (gx_import says why)

import pandas as pd  # noqa: E402
from great_expectations import expectations as gxe  # noqa: E402

from impact_warehouse.quality.model import Finding  # noqa: E402
from impact_warehouse.quality.privacy_masking import (  # noqa: E402
    ANALYST_SCHEMAS,
    MASK,
    MaskedCell,
    flagged_values,
    masked_cells,
    roster_names,
    text_columns,
)

if TYPE_CHECKING:
    from impact_warehouse.quality.checks import CheckContext

CHECK = "no_personal_data"
KEYS_LISTED = 50  # response keys in a finding; the full list is privacy.masked_cells


def _finding(severity: str, message: str, details: dict[str, Any], **where: Any) -> Finding:
    return Finding(
        check_name=CHECK,
        severity=severity,  # type: ignore[arg-type]
        program_code=where.get("program_code"),
        cohort_code=where.get("cohort_code"),
        wave_code=where.get("wave_code"),
        observed=where.get("observed"),
        threshold=where.get("threshold"),
        message_en=message,
        details=details,
    )


def _failed_labels(outcomes: list[Any]) -> list[Any]:
    labels: list[Any] = []
    for outcome in outcomes:
        if not outcome.success:
            labels.extend(outcome.unexpected_index)
    return sorted(set(labels))


def _column_name_findings(ctx: CheckContext, schemas: list[str], severity: str) -> list[Finding]:
    settings = ctx.settings(CHECK)
    columns = ctx.df(
        """
        select table_schema || '.' || table_name as "table", column_name
        from information_schema.columns
        where table_schema in (select unnest(?::varchar[]))
        order by table_schema, table_name, ordinal_position
        """,
        [schemas],
    )
    outcomes = ctx.gx.validate(
        f"{CHECK}__column_names",
        columns,
        [
            gxe.ExpectColumnValuesToNotMatchRegex(
                column="column_name", regex=settings["column_name_regex"]
            )
        ],
    )
    return [
        _finding(
            severity,
            f"Column {columns.loc[label, 'table']}.{columns.loc[label, 'column_name']} looks "
            "like personal data.",
            {
                "table": columns.loc[label, "table"],
                "column": columns.loc[label, "column_name"],
                "kind": "column_name",
            },
        )
        for label in _failed_labels(outcomes)
    ]


def _unmasked_findings(ctx: CheckContext, schemas: list[str], severity: str) -> list[Finding]:
    columns = text_columns(ctx.con, schemas)
    vault = ctx.run_settings.vault
    flagged = flagged_values(ctx.con, columns, names=roster_names(vault))
    counts = Counter(
        f"{item.column.schema}.{item.column.table}.{item.column.column}" for item in flagged
    )
    kinds: dict[str, set[str]] = {}
    for item in flagged:
        key = f"{item.column.schema}.{item.column.table}.{item.column.column}"
        kinds.setdefault(key, set()).update(item.kinds)
    # One row per searched column with the number of distinct values still flagged: the
    # Data Docs show these counts, never a value.
    frame = pd.DataFrame(
        {
            "table_column": [f"{c.schema}.{c.table}.{c.column}" for c in columns],
            "flagged_values": [counts.get(f"{c.schema}.{c.table}.{c.column}", 0) for c in columns],
        }
    )
    outcomes = ctx.gx.validate(
        f"{CHECK}__unmasked_values",
        frame,
        [gxe.ExpectColumnValuesToBeBetween(column="flagged_values", max_value=0)],
    )
    ctx.notes[CHECK] = {"searched_columns": len(columns)}
    findings = []
    for label in _failed_labels(outcomes):
        where = str(frame.loc[label, "table_column"])
        table, column = where.rsplit(".", 1)
        number = int(frame.loc[label, "flagged_values"])
        found = ", ".join(sorted(kinds[where]))
        findings.append(
            _finding(
                severity,
                f"{number} distinct value(s) of {where} hold personal data ({found}) that was "
                "not masked before the gate.",
                {"table": table, "column": column, "kind": found, "values": number},
                observed=float(number),
                threshold=0.0,
            )
        )
    return findings


def _masked_finding(ctx: CheckContext, cells: list[MaskedCell], severity: str) -> list[Finding]:
    frame = pd.DataFrame(
        {
            "wave_code": [cell.wave_code or "" for cell in cells],
            "table_column": [f"{cell.table}.{cell.column}" for cell in cells],
        }
    )
    per_wave = frame.groupby(["wave_code", "table_column"]).size().rename("masked_cells")
    per_wave = per_wave.reset_index()
    # Shown in the Data Docs as counts per wave and column; the values are gone already.
    ctx.gx.validate(
        f"{CHECK}__masked_cells",
        per_wave,
        [gxe.ExpectColumnValuesToBeBetween(column="masked_cells", max_value=0)],
    )
    if not cells:
        return []
    ctx.gx.masked_cells = [asdict(cell) for cell in cells]
    waves = sorted({cell.wave_code for cell in cells if cell.wave_code})
    response_keys = sorted({cell.response_key or cell.row_key or "" for cell in cells} - {""})
    labels = _wave_labels(waves, ctx.run_settings.catalog)
    where_ja = "、".join(labels) if labels else "(アンケート以外の表)"
    action_ja = (
        f"次のアンケートの回答に個人情報(メールアドレス・電話番号・氏名など)が書かれていたため、"
        f"その欄を「{MASK}」に置き換えて公開しました: {where_ja}。"
        f"対象は {len(cells)} 件です。回答キーの一覧は品質レポート(Data Docs)と、このお知らせの"
        "技術情報にあります(個人情報そのものは載せていません)。必要なら回答者に連絡し、"
        "フォームの注意書きを見直してください。"
    )
    details = {
        "kind": "masked",
        "masked_cells": len(cells),
        "waves": waves,
        "per_wave": dict(Counter(cell.wave_code or "" for cell in cells)),
        "columns": sorted({f"{cell.table}.{cell.column}" for cell in cells}),
        "response_keys": response_keys[:KEYS_LISTED],
        "response_keys_total": len(response_keys),
        "action_ja": action_ja,
    }
    message = (
        f"{len(cells)} cell(s) of analyst tables held personal data and were masked before "
        f"publishing (waves: {', '.join(waves) or 'none'})."
    )
    return [
        _finding(
            severity,
            message,
            details,
            wave_code=waves[0] if len(waves) == 1 else None,
            observed=float(len(cells)),
        )
    ]


def _wave_labels(waves: list[str], catalog_dir: Path) -> list[str]:
    try:
        from impact_warehouse.notify.labels import catalog_labels

        labels = catalog_labels(catalog_dir)
        return [labels.wave(code) for code in waves]
    except Exception:  # labels are a courtesy: the codes say the same
        return waves


def check_no_personal_data(ctx: CheckContext) -> list[Finding]:
    settings = ctx.settings(CHECK)
    severity = ctx.severity(CHECK)
    schemas = list(settings.get("schemas") or ANALYST_SCHEMAS)
    findings = _column_name_findings(ctx, schemas, severity)
    findings += _unmasked_findings(ctx, schemas, str(settings.get("unmasked_severity", severity)))
    findings += _masked_finding(
        ctx, masked_cells(ctx.con), str(settings.get("masked_severity", "warning"))
    )
    return findings
