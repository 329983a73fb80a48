"""The test server's PL/Python imports the project even from a checkout it cannot read.

CI clones into root's home (mode 0700), which the ``postgres`` OS user cannot enter; the
server then imports from a mirror of those folders in its own directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg2
import pytest

import postgres_test_server as postgres_server
from postgres_test_server import PostgresServer

# The end-to-end tier (make test-all): the project built on a PostgreSQL server.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.geteuid() != 0, reason="only root runs the server as another OS user (CI runs as root)"
    ),
]


def test_packages_in_a_private_folder_are_imported_through_a_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = tmp_path / "home"
    packages = private / "site-packages"
    packages.mkdir(parents=True)
    (packages / "impact_probe_module.py").write_text("VALUE = 42\n", encoding="utf-8")
    private.chmod(0o700)
    project_path = postgres_server.project_python_path()
    monkeypatch.setattr(
        postgres_server,
        "project_python_path",
        lambda: os.pathsep.join([str(packages), project_path]),
    )
    with PostgresServer() as server:
        connection = psycopg2.connect(**server.connection.psycopg2_kwargs())
        try:
            with connection.cursor() as cursor:
                cursor.execute("create extension if not exists plpython3u")
                cursor.execute(
                    "create function probe() returns int language plpython3u as $$\n"
                    "import impact_probe_module\nreturn impact_probe_module.VALUE\n$$"
                )
                cursor.execute("select probe()")
                assert cursor.fetchone() == (42,)
        finally:
            connection.close()
        mirrored = list((server.root / "python").glob("*/impact_probe_module.py"))
    assert len(mirrored) == 1
