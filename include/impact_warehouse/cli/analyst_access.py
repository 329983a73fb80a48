"""``impact publish-postgres``: every organisation's current release into one PostgreSQL
database for analysts, each seeing only their own organisation's rows.

The registry is ``IMPACT_ORGANISATIONS_DIR`` (default ``organisations/``); each
organisation's current release is in ``<installation work>/organisations/<code>/releases``;
the database is the ``IMPACT_PG_*`` connection. See :mod:`impact_warehouse.access`.
"""

from __future__ import annotations

import argparse


def add_analyst_access_parser(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "publish-postgres",
        help="load each organisation's current release into PostgreSQL (row-level security)",
    )
    command.add_argument(
        "--only",
        metavar="CODE",
        action="append",
        default=None,
        help="only this organisation (repeatable); the others' rows are left as they are",
    )
    command.add_argument(
        "--schema", default=None, help="the PostgreSQL schema to load into (default: published)"
    )
    command.set_defaults(handler=run_publish_postgres)


def run_publish_postgres(args: argparse.Namespace) -> int:
    import psycopg2

    from impact_warehouse.access import (
        DEFAULT_SCHEMA,
        AccessLoadError,
        analyst_role,
        load_organisations,
    )
    from impact_warehouse.cli.progress import fail
    from impact_warehouse.organisations import (
        OrganisationError,
        find_organisation,
        usable_organisations,
    )
    from impact_warehouse.transform.postgres_build import connection_from_environment

    unusable: list[OrganisationError] = []
    try:
        if args.only:
            organisations = [find_organisation(code) for code in args.only]
        else:
            organisations, unusable = usable_organisations()
    except OrganisationError as error:
        return fail(str(error))
    for problem in unusable:  # said, and the exit is 1, but the others still load
        print(f"エラー 使えない組織フォルダ: {problem}")
    try:
        settings = connection_from_environment()
        connection = psycopg2.connect(**settings.psycopg2_kwargs())
    except (ValueError, psycopg2.Error) as error:
        return fail(
            "PostgreSQL に接続できませんでした。IMPACT_PG_HOST などの設定を確かめてください。",
            f"{type(error).__name__}: {str(error).strip()}",
        )
    try:
        outcomes = load_organisations(
            connection, organisations, schema=args.schema or DEFAULT_SCHEMA
        )
    except AccessLoadError as error:
        return fail(error.message_ja, str(error))
    finally:
        connection.close()
    labels = {"loaded": "OK", "skipped": "スキップ", "failed": "エラー"}
    for outcome in outcomes:
        print(f"{labels[outcome.status]} {outcome.code}: {outcome.message_ja}")
        if outcome.status == "failed":
            print(f"  detail: {outcome.detail}")
    loaded = [outcome.code for outcome in outcomes if outcome.status == "loaded"]
    if loaded:
        print(
            "分析者に見せるには、その団体のロールのメンバーにします(例: "
            f"create role 分析者名 login password '…' in role {analyst_role(loaded[0])};)。"
        )
    return 1 if unusable or any(outcome.status == "failed" for outcome in outcomes) else 0
