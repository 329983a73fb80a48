"""A failed dbt run names the DuckDB file it was building, with its folder.

Every organisation and benchmark has its own work folder with its own ``audit.duckdb``; a
failed node's message names no file, and the profile names the file without its folder
(dbt runs in that folder so that a saved parse fits every work folder,
transform/parse_cache.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from impact_warehouse.settings import paths
from impact_warehouse.transform.dbt_runner import DbtRunError, run_dbt

_HOLD_LOCK = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1])
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_locked_warehouse_is_named_with_its_folder(tmp_path: Path) -> None:
    database = tmp_path / "busy" / "audit.duckdb"
    database.parent.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(DbtRunError) as raised:
            run_dbt(
                ["seed", "--select", "waves"],
                paths(),
                target_path=tmp_path / "target",
                duckdb_path=database,
                landing_dir=tmp_path / "landing",
            )
    finally:
        holder.communicate(input="", timeout=30)
    message = str(raised.value)
    assert "lock" in message.lower(), message
    assert f"warehouse: {database.resolve()}" in message, message
