"""Tiny published releases of made-up organisations, for the access loader's tests.

Each organisation gets a registry folder (``organisation.csv`` with its code) and a release
kept by the real publish API (``publish_release``) in
``<installation work>/organisations/<code>/releases``, from a small audit warehouse with a
few published-like tables and ``catalog.organisation``, with a ``docs/manifest.json`` that
records the key of ``reporting.rpt_outcome_results`` as dbt does (``primary_key``). Building
one costs well under a second, where a real build costs a minute.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from impact_warehouse.organisations import Organisation, organisation_work_dir
from impact_warehouse.publish import Release, publish_release

OUTCOME_KEY = ["fiscal_year", "indicator_code"]


def _write_manifest(release_folder: Path) -> None:
    node = {"schema": "reporting", "alias": "rpt_outcome_results", "primary_key": OUTCOME_KEY}
    (release_folder / "docs").mkdir()
    (release_folder / "docs" / "manifest.json").write_text(
        json.dumps({"nodes": {"model.impact_warehouse.rpt_outcome_results": node}}),
        encoding="utf-8",
    )


def organisation(registry: Path, code: str) -> Organisation:
    folder = registry / code
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "organisation.csv").write_text(
        f"organisation_code,organisation_name_ja\n{code},{code} の団体\n", encoding="utf-8"
    )
    return Organisation(code=code, catalog=folder.resolve())


def publish_tiny_release(
    work: Path,
    code: str,
    *,
    value_offset: float = 0.0,
    with_organisation_column: bool = False,
    extra_column: bool = False,
    only_table: bool = False,
    value_type: str = "double",
    row_code: str | None = None,
    catalog_code: str | None = None,
) -> Release:
    """A release of ``code`` with catalog.organisation, catalog.indicators,
    marts.fct_scores and reporting.rpt_outcome_results (3 indicators × 2 years).

    ``with_organisation_column`` puts ``organisation_code`` first in the published tables (as
    releases since session 8 do), holding ``row_code`` (default ``code``); ``extra_column``
    adds ``reporting.rpt_outcome_results.note_ja``; ``only_table`` adds a table no other
    organisation has; ``value_type`` is the type of ``value``; ``catalog_code`` is the code
    ``catalog.organisation`` holds (default ``code``: a release whose build says it is
    another organisation's is refused by the loader).
    """
    org_work = organisation_work_dir(code, {"IMPACT_WORK_DIR": str(work)})
    audit = org_work / "warehouse" / f"audit-{value_offset}.duckdb"
    audit.parent.mkdir(parents=True, exist_ok=True)
    code_column = "? as organisation_code, " if with_organisation_column else ""
    code_values = [row_code or code] if with_organisation_column else []
    with duckdb.connect(str(audit)) as connection:
        for schema in ("catalog", "staging", "marts", "reporting"):
            connection.execute(f"create schema {schema}")
        connection.execute(
            "create table catalog.organisation as select ? as organisation_code, "
            "? as organisation_name_ja",
            [catalog_code or code, f"{code} の団体"],
        )
        connection.execute(
            f"create table catalog.indicators as select {code_column}"
            "'ind_' || i as indicator_code, '指標' || i as indicator_ja from range(3) t(i)",
            code_values,
        )
        connection.execute(
            "create table staging.stg_answers as select 'secret@example.org' as email"
        )
        connection.execute(
            f"create table marts.fct_scores as select {code_column}"
            "i as participant_number, date '2025-04-01' + i::integer as answered_on "
            "from range(4) t(i)",
            code_values,
        )
        note = ", '注記' as note_ja" if extra_column else ""
        connection.execute(
            f"""
            create table reporting.rpt_outcome_results as
            select {code_column}fiscal_year::integer as fiscal_year,
                'ind_' || i as indicator_code,
                (i * 0.1 + ?)::{value_type} as value, i = 2 as is_suppressed{note}
            from range(3) t(i), range(2024, 2026) years(fiscal_year)
            """,
            [*code_values, value_offset],
        )
        connection.execute(
            "comment on table reporting.rpt_outcome_results is 'one row per indicator and year'"
        )
        connection.execute("comment on column reporting.rpt_outcome_results.value is 'the share'")
        if only_table:
            connection.execute(f"create table reporting.rpt_{code}_only as select 1 as figure")
    return publish_release(
        audit,
        fiscal_year=2025,
        run_id=f"access-tests-{code}-{value_offset}",
        gate_result={"passed": True, "source": "tests/access (no gate run)"},
        git_commit="0123abcd",
        releases_dir=org_work / "releases",
        published_path=org_work / "published" / "warehouse.duckdb",
        attach=_write_manifest,
    )
