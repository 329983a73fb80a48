"""Who reads which rows: one role per organisation and one row-level security policy.

An organisation's analysts are logins the operator makes members of its NOLOGIN role
``impact_analyst_<code>`` (``create role … login in role impact_analyst_<code>``). Every
table the loader writes grants SELECT to every organisation's role, has row-level security
ENABLED and FORCED, and has exactly one policy, the loader's: a row is visible when the
current user is a member of the role of the row's ``organisation_code``. Analysts own nothing,
so they can neither alter the policy nor turn row security off for themselves; the loader's
login reads every row through BYPASSRLS and is no analyst.
"""

from __future__ import annotations

from psycopg2 import sql
from psycopg2.extensions import connection as PgConnection
from psycopg2.extensions import cursor as PgCursor

from impact_warehouse.access.release_tables import ORGANISATION_COLUMN, AccessLoadError

ROLE_PREFIX = "impact_analyst_"
POLICY = "organisation_rows"

# Rows visible to the current user: those of every organisation whose analyst role the user
# is a member of and uses the privileges of (USAGE, not MEMBER: from PostgreSQL 16 a
# CREATEROLE user is made an ADMIN-only member of each role it creates, which MEMBER counts).
# pg_roles is read once per query (an uncorrelated sub-query), and a code
# whose role does not exist matches nobody.
_POLICY_CONDITION = sql.SQL(
    "{column} in (select substr(rolname, {start}) from pg_catalog.pg_roles "
    "where left(rolname, {length}) = {prefix} "
    "and pg_catalog.pg_has_role(current_user, oid, 'USAGE'))"
).format(
    column=sql.Identifier(ORGANISATION_COLUMN),
    start=sql.Literal(len(ROLE_PREFIX) + 1),
    length=sql.Literal(len(ROLE_PREFIX)),
    prefix=sql.Literal(ROLE_PREFIX),
)


def analyst_role(code: str) -> str:
    return ROLE_PREFIX + code


def check_loader(connection: PgConnection) -> None:
    """The loader's user reads every row (BYPASSRLS), creates roles (CREATEROLE) and is no
    organisation's analyst: what it creates, it owns, and an analyst must own nothing."""
    with connection, connection.cursor() as cursor:
        cursor.execute(
            """
            select current_user, rolsuper or rolbypassrls, rolsuper or rolcreaterole,
                not rolsuper and exists (
                    select from pg_catalog.pg_roles as analysts
                    where left(analysts.rolname, %s) = %s
                    and pg_catalog.pg_has_role(current_user, analysts.oid, 'USAGE'))
            from pg_catalog.pg_roles where rolname = current_user
            """,
            [len(ROLE_PREFIX), ROLE_PREFIX],
        )
        user, bypasses, creates_roles, is_analyst = cursor.fetchone()
    if is_analyst or not bypasses or not creates_roles:
        raise AccessLoadError(
            f"PostgreSQL のユーザー {user} では公開データを載せられません。"
            "読み込み用のユーザー(BYPASSRLS と CREATEROLE を持ち、分析者のロールに"
            "入っていないもの)で接続してください。",
            f"loader user {user}: bypassrls={bypasses} createrole={creates_roles} "
            f"member of an analyst role={is_analyst}",
        )


def ensure_role(cursor: PgCursor, code: str) -> None:
    """The organisation's analyst role: NOLOGIN, no superuser, no BYPASSRLS."""
    role = analyst_role(code)
    cursor.execute(
        "select rolcanlogin, rolsuper, rolbypassrls, rolcreaterole "
        "from pg_catalog.pg_roles where rolname = %s",
        [role],
    )
    found = cursor.fetchone()
    if found is None:
        cursor.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
    elif any(found):
        raise AccessLoadError(
            f"PostgreSQL のロール {role} にログインや特権(SUPERUSER/BYPASSRLS/CREATEROLE)が"
            "ついています。組織のロールは NOLOGIN のままにし、分析者はそのメンバーにしてください。",
            f"role {role}: login={found[0]} superuser={found[1]} bypassrls={found[2]} "
            f"createrole={found[3]}",
        )


def secure_tables(cursor: PgCursor, schema: str, tables: list[str]) -> None:
    """Grants, row-level security and the one policy, on the loader's ``tables``.

    Run on every load, so a table created by one organisation's load is readable by every
    organisation's role, and a policy someone added or changed is replaced by the loader's.
    """
    cursor.execute(
        "select rolname from pg_catalog.pg_roles where left(rolname, %s) = %s order by 1",
        [len(ROLE_PREFIX), ROLE_PREFIX],
    )
    roles = sql.SQL(", ").join(sql.Identifier(row[0]) for row in cursor.fetchall())
    cursor.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), roles))
    for table in tables:
        target = sql.Identifier(schema, table)
        cursor.execute(sql.SQL("revoke all on {} from public").format(target))
        cursor.execute(sql.SQL("grant select on {} to {}").format(target, roles))
        cursor.execute(sql.SQL("alter table {} enable row level security").format(target))
        cursor.execute(sql.SQL("alter table {} force row level security").format(target))
        cursor.execute(
            "select policyname from pg_catalog.pg_policies where schemaname = %s "
            "and tablename = %s",
            [schema, table],
        )
        for (policy,) in cursor.fetchall():
            cursor.execute(sql.SQL("drop policy {} on {}").format(sql.Identifier(policy), target))
        cursor.execute(
            sql.SQL("create policy {} on {} for select using ({})").format(
                sql.Identifier(POLICY), target, _POLICY_CONDITION
            )
        )
