"""Analysts' access on PostgreSQL: each organisation's analysts read only its rows.

A PostgreSQL server (tests/postgres_test_server.py) is started for this module. Two made-up
organisations publish tiny releases (access_releases.py): ``org_alpha`` without an
``organisation_code`` column in its tables (the loader adds it from catalog.organisation),
``org_beta`` with it (as releases since session 8 have it). The loader runs as a login with
BYPASSRLS and CREATEROLE, not as the superuser; analysts are logins made members of an
organisation's role the way the README tells the operator to.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from access_releases import OUTCOME_KEY, organisation, publish_tiny_release
from psycopg2.errors import InsufficientPrivilege

from impact_warehouse.access import analyst_role, load_organisations
from impact_warehouse.access.release_tables import AccessLoadError
from impact_warehouse.cli.analyst_access import add_analyst_access_parser
from impact_warehouse.organisations import Organisation
from postgres_test_server import PostgresServer

ALPHA, BETA, EMPTY = "org_alpha", "org_beta", "org_empty"
SCHEMA = "published"
LOADER = "impact_loader"


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    with PostgresServer() as started:
        superuser = connect(started)
        superuser.autocommit = True
        with superuser.cursor() as cursor:
            cursor.execute(f"create role {LOADER} login bypassrls createrole")
            cursor.execute(f"grant create on database {started.connection.dbname} to {LOADER}")
        superuser.close()
        yield started


def connect(server: PostgresServer, user: str | None = None) -> Any:
    kwargs = server.connection.psycopg2_kwargs()
    if user:
        kwargs["user"] = user
    return psycopg2.connect(**kwargs)


@pytest.fixture(scope="module")
def installation(server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Alpha and beta loaded (and a registered organisation with no release skipped), and
    one analyst login per organisation."""
    root = tmp_path_factory.mktemp("access")
    work, registry = root / "work", root / "organisations"
    organisations = [organisation(registry, code) for code in (ALPHA, BETA, EMPTY)]
    publish_tiny_release(work, ALPHA, extra_column=True, only_table=True)
    publish_tiny_release(work, BETA, value_offset=10.0, with_organisation_column=True)
    loader = connect(server, LOADER)
    try:
        outcomes = load_organisations(
            loader, organisations, schema=SCHEMA, environ={"IMPACT_WORK_DIR": str(work)}
        )
    finally:
        loader.close()
    superuser = connect(server)
    superuser.autocommit = True
    with superuser.cursor() as cursor:
        for code in (ALPHA, BETA):
            cursor.execute(f"create role analyst_{code} login in role {analyst_role(code)}")
        cursor.execute(f"analyze {SCHEMA}.reporting__rpt_outcome_results")
    superuser.close()
    return {
        "work": work,
        "registry": registry,
        "organisations": organisations,
        "outcomes": outcomes,
    }


def rows(connection: Any, statement: str, parameters: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, parameters)
        return cursor.fetchall()


def loaded_tables(server: PostgresServer, schema: str = SCHEMA) -> list[str]:
    """The loader's tables of ``schema``: those it lists, and loaded_releases."""
    superuser = connect(server)
    try:
        return [
            name
            for (name,) in rows(
                superuser,
                f"select table_name from {schema}.loaded_tables "
                "union select 'loaded_releases' order by 1",
            )
        ]
    finally:
        superuser.close()


def test_each_organisation_is_loaded_and_one_without_a_release_is_skipped(
    installation: dict,
) -> None:
    by_code = {outcome.code: outcome for outcome in installation["outcomes"]}
    assert by_code[ALPHA].status == "loaded" and by_code[BETA].status == "loaded"
    assert by_code[EMPTY].status == "skipped"
    assert "公開中のリリースがありません" in by_code[EMPTY].message_ja


def test_an_analyst_reads_only_their_organisations_rows_in_every_table(
    server: PostgresServer, installation: dict
) -> None:
    tables = loaded_tables(server)
    assert {
        "catalog__indicators",
        "catalog__organisation",
        "marts__fct_scores",
        "reporting__rpt_outcome_results",
        f"reporting__rpt_{ALPHA}_only",
        "loaded_releases",
    } <= set(tables)
    assert not any(name.startswith("staging") for name in tables)
    for code, other in ((ALPHA, BETA), (BETA, ALPHA)):
        analyst = connect(server, f"analyst_{code}")
        try:
            for table in tables:
                codes = rows(analyst, f"select distinct organisation_code from {SCHEMA}.{table}")
                expected = (
                    [] if table == f"reporting__rpt_{ALPHA}_only" and code == BETA else [(code,)]
                )
                assert codes == expected, table
            assert rows(
                analyst,
                f"select count(*) from {SCHEMA}.reporting__rpt_outcome_results "
                "where organisation_code = %s",
                [other],
            ) == [(0,)]
        finally:
            analyst.close()


def test_another_organisations_rows_cannot_be_reached(
    server: PostgresServer, installation: dict
) -> None:
    table = f"{SCHEMA}.reporting__rpt_outcome_results"
    attempts = {
        "set role to the other organisation": f"set role {analyst_role(BETA)}",
        "row security off": f"set row_security = off; select * from {table}",
        "alter the policy": f"alter policy organisation_rows on {table} using (true)",
        "drop the policy": f"drop policy organisation_rows on {table}",
        "disable row security": f"alter table {table} disable row level security",
        "a policy of one's own": f"create policy mine on {table} using (true)",
        "grant oneself bypass": "alter role current_user bypassrls",
    }
    analyst = connect(server, f"analyst_{ALPHA}")
    analyst.autocommit = True
    try:
        for attempt, statement in attempts.items():
            with pytest.raises(InsufficientPrivilege), analyst.cursor() as cursor:
                cursor.execute(statement)
                pytest.fail(f"{attempt} succeeded")
        # Statistics of the other organisation's values are hidden too (pg_stats honours RLS).
        assert rows(analyst, "select count(*) from pg_stats where schemaname = %s", [SCHEMA]) == [
            (0,)
        ]
        assert rows(analyst, f"select organisation_code from {SCHEMA}.loaded_releases") == [
            (ALPHA,)
        ]
    finally:
        analyst.close()


def test_no_analyst_role_owns_a_table_or_bypasses_row_security(
    server: PostgresServer, installation: dict
) -> None:
    superuser = connect(server)
    try:
        owners = rows(
            superuser,
            "select distinct tableowner, rowsecurity from pg_tables where schemaname = %s",
            [SCHEMA],
        )
        forced = rows(
            superuser,
            "select bool_and(relforcerowsecurity) from pg_class "
            "where relnamespace = %s::regnamespace and relkind = 'r'",
            [SCHEMA],
        )
        roles = rows(
            superuser,
            "select rolname, rolcanlogin, rolbypassrls, rolsuper from pg_roles "
            "where rolname like 'impact\\_analyst\\_%%' order by 1",
        )
    finally:
        superuser.close()
    assert owners == [(LOADER, True)]
    assert forced == [(True,)]
    assert {analyst_role(code) for code in (ALPHA, BETA, EMPTY)} <= {role[0] for role in roles}
    assert all(role[1:] == (False, False, False) for role in roles)


def test_keys_lead_with_the_organisation_code(server: PostgresServer, installation: dict) -> None:
    """Both organisations have the same indicator codes and years: the key keeps them apart."""
    superuser = connect(server)
    try:
        keys = dict(
            rows(
                superuser,
                """
                select relations.relname, array_agg(attributes.attname order by keys.position)
                from pg_constraint as constraints
                join pg_class as relations on relations.oid = constraints.conrelid
                cross join unnest(constraints.conkey) with ordinality as keys(attnum, position)
                join pg_attribute as attributes
                    on attributes.attrelid = relations.oid and attributes.attnum = keys.attnum
                where constraints.contype = 'p' and relations.relnamespace = %s::regnamespace
                group by relations.relname
                """,
                [SCHEMA],
            )
        )
    finally:
        superuser.close()
    assert keys == {
        "reporting__rpt_outcome_results": ["organisation_code", *OUTCOME_KEY],
        "loaded_releases": ["organisation_code"],
        "loaded_tables": ["table_name"],
    }


def test_rows_carry_the_union_of_the_organisations_columns_and_their_docs(
    server: PostgresServer, installation: dict
) -> None:
    superuser = connect(server)
    try:
        columns = [
            name
            for (name,) in rows(
                superuser,
                "select column_name from information_schema.columns where table_schema = %s "
                "and table_name = 'reporting__rpt_outcome_results' order by ordinal_position",
                [SCHEMA],
            )
        ]
        notes = rows(
            superuser,
            "select organisation_code, count(note_ja) "
            f"from {SCHEMA}.reporting__rpt_outcome_results group by 1 order by 1",
        )
        comments = rows(
            superuser,
            "select obj_description(%s::regclass), col_description(%s::regclass, 4)",
            [f"{SCHEMA}.reporting__rpt_outcome_results"] * 2,
        )
    finally:
        superuser.close()
    assert columns == [
        "organisation_code",
        "fiscal_year",
        "indicator_code",
        "value",
        "is_suppressed",
        "note_ja",
    ]
    assert notes == [(ALPHA, 6), (BETA, 0)]
    assert comments == [("one row per indicator and year", "the share")]


def snapshot(server: PostgresServer, schema: str, code: str) -> dict[str, list[tuple]]:
    """Every row of ``code`` in every table: its physical place, the transaction that wrote
    it, and its values (but ``note_ja``, a column a refresh of another organisation adds)."""
    superuser = connect(server)
    try:
        return {
            table: rows(
                superuser,
                f"select ctid::text, xmin::text, (to_jsonb(t) - 'note_ja')::text "
                f"from {schema}.{table} as t where organisation_code = %s order by 1",
                [code],
            )
            for table in loaded_tables(server, schema)
        }
    finally:
        superuser.close()


def test_refreshing_one_organisation_leaves_the_others_rows_untouched(
    server: PostgresServer, tmp_path: Path
) -> None:
    schema = "refresh_test"
    work, registry = tmp_path / "work", tmp_path / "organisations"
    alpha, beta = organisation(registry, ALPHA), organisation(registry, BETA)
    publish_tiny_release(work, ALPHA)
    publish_tiny_release(work, BETA, value_offset=10.0, with_organisation_column=True)
    environ = {"IMPACT_WORK_DIR": str(work)}
    loader = connect(server, LOADER)
    try:
        load_organisations(loader, [alpha, beta], schema=schema, environ=environ)
        with loader, loader.cursor() as cursor:  # an operator's own table is not the loader's
            cursor.execute(f"create table {schema}.operator_notes as select 'kept' as note")
            # Even with the loader's column name: only tables the loader made are its own.
            cursor.execute(
                f"create table {schema}.operator_contracts as "
                f"select '{ALPHA}' as organisation_code, 'signed' as note"
            )
        beta_before = snapshot(server, schema, BETA)
        new_alpha = publish_tiny_release(work, ALPHA, value_offset=5.0, extra_column=True)
        (outcome,) = load_organisations(loader, [alpha], schema=schema, environ=environ)
    finally:
        loader.close()
    assert outcome.status == "loaded" and outcome.release_id == new_alpha.release_id
    assert all(beta_before.values())
    assert snapshot(server, schema, BETA) == beta_before
    superuser = connect(server)
    try:
        assert rows(
            superuser,
            f"select min(value), max(value) from {schema}.reporting__rpt_outcome_results "
            "where organisation_code = %s",
            [ALPHA],
        ) == [(5.0, 5.2)]
        assert rows(
            superuser,
            f"select count(note_ja) from {schema}.reporting__rpt_outcome_results "
            "where organisation_code = %s",
            [BETA],
        ) == [(0,)]
        assert rows(
            superuser,
            f"select note, relrowsecurity from {schema}.operator_notes, pg_class "
            "where oid = %s::regclass",
            [f"{schema}.operator_notes"],
        ) == [("kept", False)]
        assert rows(
            superuser,
            f"select organisation_code, note, relrowsecurity "
            f"from {schema}.operator_contracts, pg_class where oid = %s::regclass",
            [f"{schema}.operator_contracts"],
        ) == [(ALPHA, "signed", False)]
    finally:
        superuser.close()


def test_a_new_column_type_is_taken_when_the_loaded_values_convert(
    server: PostgresServer, tmp_path: Path
) -> None:
    """A new version of the project that changes a column's type (double → numeric) must not
    leave every organisation unable to refresh: the column takes the release's type."""
    schema = "retype_test"
    work, registry = tmp_path / "work", tmp_path / "organisations"
    alpha, beta = organisation(registry, ALPHA), organisation(registry, BETA)
    publish_tiny_release(work, ALPHA)
    publish_tiny_release(work, BETA, value_offset=10.0, with_organisation_column=True)
    environ = {"IMPACT_WORK_DIR": str(work)}
    loader = connect(server, LOADER)
    try:
        load_organisations(loader, [alpha, beta], schema=schema, environ=environ)
        publish_tiny_release(work, ALPHA, value_offset=1.0, value_type="decimal(18,3)")
        (outcome,) = load_organisations(loader, [alpha], schema=schema, environ=environ)
    finally:
        loader.close()
    assert outcome.status == "loaded", outcome.detail
    superuser = connect(server)
    try:
        assert rows(
            superuser,
            "select format_type(atttypid, atttypmod) from pg_attribute "
            "where attrelid = %s::regclass and attname = 'value'",
            [f"{schema}.reporting__rpt_outcome_results"],
        ) == [("numeric(18,3)",)]
        assert rows(
            superuser,
            f"select organisation_code, min(value)::float, max(value)::float "
            f"from {schema}.reporting__rpt_outcome_results group by 1 order by 1",
        ) == [(ALPHA, 1.0, 1.2), (BETA, 10.0, 10.2)]
    finally:
        superuser.close()


def test_a_damaged_release_record_fails_its_organisation_alone(
    server: PostgresServer, tmp_path: Path
) -> None:
    schema = "damaged_test"
    work, registry = tmp_path / "work", tmp_path / "organisations"
    alpha, beta = organisation(registry, ALPHA), organisation(registry, BETA)
    damaged = publish_tiny_release(work, ALPHA)
    publish_tiny_release(work, BETA, value_offset=10.0)
    (damaged.directory / "release.json").write_text('{"release_id": ', encoding="utf-8")
    loader = connect(server, LOADER)
    try:
        outcomes = load_organisations(
            loader, [alpha, beta], schema=schema, environ={"IMPACT_WORK_DIR": str(work)}
        )
    finally:
        loader.close()
    status = {outcome.code: outcome for outcome in outcomes}
    assert status[ALPHA].status == "failed" and "JSONDecodeError" in status[ALPHA].detail
    assert "読めませんでした" in status[ALPHA].message_ja
    assert status[BETA].status == "loaded"


def test_a_failing_organisation_is_rolled_back_and_the_others_load(
    server: PostgresServer, installation: dict, tmp_path: Path
) -> None:
    """A column type that clashes, or rows of another organisation's code, fail that
    organisation alone: its earlier rows stay, the others are loaded."""
    schema = "failure_test"
    work, registry = tmp_path / "work", tmp_path / "organisations"
    alpha = organisation(registry, ALPHA)
    clashing, foreign = organisation(registry, "org_clash"), organisation(registry, "org_foreign")
    publish_tiny_release(work, ALPHA)
    publish_tiny_release(work, clashing.code, value_type="varchar")
    publish_tiny_release(
        work, foreign.code, with_organisation_column=True, row_code=ALPHA, catalog_code=ALPHA
    )
    loader = connect(server, LOADER)
    try:
        outcomes = load_organisations(
            loader,
            [alpha, clashing, foreign],
            schema=schema,
            environ={"IMPACT_WORK_DIR": str(work)},
        )
    finally:
        loader.close()
    status = {outcome.code: outcome for outcome in outcomes}
    assert status[ALPHA].status == "loaded"
    assert status["org_clash"].status == "failed"
    assert "reporting.rpt_outcome_results" in status["org_clash"].message_ja
    assert "value" in status["org_clash"].message_ja
    assert "reporting__rpt_outcome_results.value" in status["org_clash"].detail
    assert status["org_foreign"].status == "failed"
    assert ALPHA in status["org_foreign"].message_ja
    superuser = connect(server)
    try:
        assert rows(
            superuser,
            f"select organisation_code, count(*) from {schema}.reporting__rpt_outcome_results "
            "group by 1",
        ) == [(ALPHA, 6)]
    finally:
        superuser.close()


def test_an_analyst_login_cannot_be_the_loader(server: PostgresServer, installation: dict) -> None:
    analyst = connect(server, f"analyst_{ALPHA}")
    try:
        with pytest.raises(AccessLoadError, match="bypassrls=False") as refused:
            load_organisations(analyst, [Organisation(ALPHA, Path("."))], schema=SCHEMA)
    finally:
        analyst.close()
    assert "BYPASSRLS" in refused.value.message_ja


def test_the_command_loads_the_registry(
    server: PostgresServer,
    installation: dict,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in server.connection.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("IMPACT_PG_USER", LOADER)
    monkeypatch.setenv("IMPACT_ORGANISATIONS_DIR", str(installation["registry"]))
    monkeypatch.setenv("IMPACT_WORK_DIR", str(installation["work"]))
    parser = argparse.ArgumentParser()
    add_analyst_access_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["publish-postgres", "--schema", "command_test"])
    assert args.handler(args) == 0
    output = capsys.readouterr().out
    assert f"OK {ALPHA}:" in output and f"OK {BETA}:" in output
    assert f"スキップ {EMPTY}:" in output
    assert f"in role {analyst_role(ALPHA)}" in output
