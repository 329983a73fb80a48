"""Pull every open survey wave and the panel/operations files into the landing zone.

``impact_ingest``; with an organisation registry (``IMPACT_ORGANISATIONS_DIR``) one
``impact_ingest__<code>`` per organisation. What each DAG does is in its ``doc_md``
(orchestration.ingest_dag); which DAGs exist, in orchestration.organisation_dags.
"""

from __future__ import annotations

from impact_warehouse.orchestration.ingest_dag import build_ingest_dag
from impact_warehouse.orchestration.organisation_dags import dag_scopes

# Each DAG is registered by being built while Airflow imports this file. Never an import
# error: a bad registry folder is logged and left out, an invalid catalog fails the DAG's
# first task.
for scope in dag_scopes():
    build_ingest_dag(scope)
