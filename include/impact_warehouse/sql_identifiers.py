"""Text put into SQL: a table, schema or column name as a quoted identifier, a value as a
quoted string literal."""

from __future__ import annotations


def quoted_identifier(name: str) -> str:
    """``name`` as a double-quoted SQL identifier (DuckDB, PostgreSQL): an embedded double
    quote doubled, so a name from a catalog or a database cannot end the identifier early."""
    if not name:
        raise ValueError("an SQL identifier cannot be empty")
    return '"' + name.replace('"', '""') + '"'


def quoted_literal(text: str) -> str:
    """``text`` as a single-quoted SQL string literal: an embedded single quote doubled, so a
    path, a comment or a code cannot end the string early."""
    return "'" + text.replace("'", "''") + "'"
