"""Build the warehouse from landing, validate it, publish a release, alert staff.

``impact_warehouse``; with an organisation registry (``IMPACT_ORGANISATIONS_DIR``) one
``impact_warehouse__<code>`` per organisation, triggered by its own landing Asset only. What
each DAG does is in its ``doc_md`` (orchestration.warehouse_dag); which DAGs exist, in
orchestration.organisation_dags.
"""

from __future__ import annotations

from impact_warehouse.orchestration.organisation_dags import dag_scopes
from impact_warehouse.orchestration.warehouse_dag import build_warehouse_dag

# Each DAG is registered by being built while Airflow imports this file. Never an import
# error: a bad registry folder is logged and left out, an invalid catalog fails the DAG's
# first task.
for scope in dag_scopes():
    build_warehouse_dag(scope)
