"""How to reach a PostgreSQL database for the ``postgres`` dbt target and its loader.

The same values reach dbt (``dbt_project/profiles.yml`` reads ``IMPACT_PG_*``) and psycopg2
(the landing loader), so one object carries them. A throwaway server for trying the target
lives with the tests (``tests/postgres_test_server.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PostgresConnection:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    def environment(self) -> dict[str, str]:
        """The ``IMPACT_PG_*`` variables that ``dbt_project/profiles.yml`` reads."""
        return {
            "IMPACT_PG_HOST": self.host,
            "IMPACT_PG_PORT": str(self.port),
            "IMPACT_PG_USER": self.user,
            "IMPACT_PG_PASSWORD": self.password,
            "IMPACT_PG_DBNAME": self.dbname,
        }

    def psycopg2_kwargs(self) -> dict[str, object]:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.dbname,
        }
