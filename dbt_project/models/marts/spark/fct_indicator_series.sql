{#- Spark's fct_indicator_series (dbt-spark's session method runs no Python models): the same
    rows as the DuckDB Python model marts/outcomes/fct_indicator_series.py, computed by the same
    code in a Python table function (impact_indicator_series, transform/spark_functions.py). -#}
{{ config(materialized='table') }}

select *
from impact_indicator_series(
    table(
        {{ spark_relation_rows('results', ref('fct_indicator_results')) }}
        union all
        {{ spark_relation_rows('item_wordings', ref('dim_item_wordings')) }}
    ) with single partition,
    {{ var('suppression_k', 5) | int }}
)
