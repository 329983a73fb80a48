"""Everything that knows about Airflow: its environment, task helpers, the trigger forms'
params, the schedules, the release approval operator, the deadline alert and the task-error
records the DAG runs leave for the CLI. The jobs themselves live in
:mod:`impact_warehouse.pipeline`.
"""
