"""Linkage, wording changes, rebuild identity and privacy of the built warehouse."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb
import pytest

ANALYST_SCHEMAS = ("marts", "reporting")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Japanese numbers as people write them; hex pseudonyms must not look like one, hence the
# hex-aware boundaries.
PHONE = re.compile(r"(?<![0-9a-f])(?:0[789]0-?\d{4}-?\d{4}|0\d{1,4}-\d{1,4}-\d{4})(?![0-9a-f])")


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql(sql).fetchall()


def fingerprints(database: Path) -> dict[str, str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.sql(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('catalog', 'staging', 'intermediate', 'marts', 'reporting')"
        ).fetchall()
        result = {}
        for schema, table in tables:
            rows = connection.sql(f'select * from "{schema}"."{table}"').fetchall()
            # landed_at and build-time columns are data; only row order is not, so sort.
            digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
            result[f"{schema}.{table}"] = digest
    return result


def test_a_changed_wording_is_counted_under_the_same_item(demo_warehouse_path: Path) -> None:
    rows = query(
        demo_warehouse_path,
        """
        select fiscal_year, count(*) filter (where is_counted), count(distinct response_key)
        from marts.fct_answers
        where item_code = 'career_confidence' and wave_type = 'pre'
        group by fiscal_year order by fiscal_year
        """,
    )
    by_year = {year: (counted, responses) for year, counted, responses in rows}
    # FY2022-2023 forms use the old wording, FY2024 on the new one: both map to the item.
    assert {2022, 2023, 2024, 2025} <= set(by_year)
    for counted, responses in by_year.values():
        assert counted >= 0.8 * responses


def test_a_person_in_two_targeted_cohorts_is_one_follow_up_target(
    demo_warehouse_path: Path,
) -> None:
    [(targets, participations, in_two)] = query(
        demo_warehouse_path,
        """
        select count(*), sum(targeted_cohort_count),
               count(*) filter (where targeted_cohort_count > 1)
        from intermediate.int_wave_targets where wave_code = 'followup_2025'
        """,
    )
    assert (targets, participations, in_two) == (126, 132, 6)


def test_unlinked_and_superseded_responses_never_count(demo_warehouse_path: Path) -> None:
    [(unlinked_counted, respondents_twice)] = query(
        demo_warehouse_path,
        """
        select count(*) filter (where not is_linked and is_counted),
               count(*) - count(distinct wave_code || respondent_key)
        from marts.fct_responses
        """,
    )
    assert unlinked_counted == 0 and respondents_twice == 0
    [(resubmitted,)] = query(
        demo_warehouse_path,
        "select count(*) from marts.fct_responses where submission_count > 1",
    )
    assert resubmitted > 0


@pytest.mark.slow
def test_a_full_rebuild_from_landing_gives_identical_tables(
    demo_warehouse_for_seed, warehouse_builder, tmp_path: Path
) -> None:
    first = demo_warehouse_for_seed(2025)
    second = warehouse_builder(first.landing, tmp_path, "rebuild")
    assert fingerprints(second.duckdb_path) == fingerprints(first.database)


@pytest.mark.slow
def test_the_same_models_build_on_another_seed(demo_warehouse_for_seed) -> None:
    database = demo_warehouse_for_seed(7).database
    [(targets,)] = query(
        database,
        "select count(*) from intermediate.int_wave_targets where wave_code = 'followup_2025'",
    )
    assert targets == 126


@pytest.mark.parametrize("pattern", [EMAIL, PHONE], ids=["email", "phone"])
def test_no_contact_details_in_analyst_tables(demo_warehouse_path: Path, pattern) -> None:
    with duckdb.connect(str(demo_warehouse_path), read_only=True) as connection:
        columns = connection.sql(
            "select table_schema, table_name, column_name from information_schema.columns "
            f"where table_schema in {ANALYST_SCHEMAS} and data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in columns:
            assert not re.search(r"email|phone|(^|_)name_pseudonym", column), (table, column)
            values = connection.sql(
                f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null'
            ).fetchall()
            leaks = [value for (value,) in values if pattern.search(value)]
            assert leaks == [], (table, column, leaks[:3])
