"""Transform: build the warehouse from landing with dbt (``dbt_runner`` is the one way in)."""

from impact_warehouse.transform.dbt_runner import (
    DBT_PROJECT_DIR,
    DbtRun,
    DbtRunError,
    NodeFailure,
    default_warehouse_path,
    run_dbt,
)

__all__ = [
    "DBT_PROJECT_DIR",
    "DbtRun",
    "DbtRunError",
    "NodeFailure",
    "default_warehouse_path",
    "run_dbt",
]
