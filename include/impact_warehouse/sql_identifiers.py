"""Names put into SQL text: a table, schema or column name as a quoted identifier."""

from __future__ import annotations


def quoted_identifier(name: str) -> str:
    """``name`` as a double-quoted SQL identifier (DuckDB, PostgreSQL): an embedded double
    quote doubled, so a name from a catalog or a database cannot end the identifier early."""
    if not name:
        raise ValueError("an SQL identifier cannot be empty")
    return '"' + name.replace('"', '""') + '"'
