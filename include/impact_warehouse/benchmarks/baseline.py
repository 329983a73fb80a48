"""The hand-written baseline: baseline_indicator_results.sql run by DuckDB on landed files.

The script computes the unpaired share and mean rows of fct_indicator_results (its header
says exactly what it covers) in one DuckDB connection, the practical limit for this engine.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from impact_warehouse.settings import PROJECT_ROOT

SCRIPT = Path(__file__).with_name("baseline_indicator_results.sql")
SEEDS_DIR = PROJECT_ROOT / "dbt_project" / "seeds"
RESULT_TABLE = "baseline_indicator_results"


def baseline_sql(landing_dir: Path, seeds_dir: Path = SEEDS_DIR) -> str:
    """The script with its folders filled in (single quotes doubled for SQL literals)."""
    text = SCRIPT.read_text(encoding="utf-8")
    for placeholder, folder in (("${LANDING}", landing_dir), ("${SEEDS}", seeds_dir)):
        text = text.replace(placeholder, str(folder.resolve()).replace("'", "''"))
    return text


def run_baseline(landing_dir: Path, database: Path) -> dict[str, float | int]:
    """Run the script into ``database`` (recreated); returns seconds and result rows."""
    database.unlink(missing_ok=True)
    sql = baseline_sql(landing_dir)
    started = time.perf_counter()
    with duckdb.connect(str(database)) as connection:
        connection.execute(sql)
        rows = connection.execute(f"select count(*) from {RESULT_TABLE}").fetchone()
    return {"seconds": time.perf_counter() - started, "rows": int(rows[0]) if rows else 0}
