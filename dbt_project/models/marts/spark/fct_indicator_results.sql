{#- Spark's fct_indicator_results (dbt-spark's session method runs no Python models): the same
    rows as the DuckDB Python model marts/outcomes/fct_indicator_results.py, computed by the same
    code in a Python table function (impact_indicator_results, transform/spark_functions.py).
    Each input relation streams in as rows of the TABLE argument; the answers and the pairs are
    counted per distinct group first, as the DuckDB model reads them. dbt_project.yml enables
    exactly one of the twins for the target; all share the YAML in
    marts/outcomes/_marts_outcomes__models.yml. -#}
{{ config(materialized='table') }}

with answers as (
    select
        fiscal_year,
        program_code,
        wave_type,
        item_code,
        scale_code,
        indicator_code,
        is_counted,
        value_numeric,
        count(*) as answer_count
    from {{ ref('fct_answers') }}
    group by all
),

pairs as (
    select
        fiscal_year,
        program_code,
        item_code,
        scale_code,
        pre_value,
        post_value,
        count(*) as pair_count
    from {{ ref('fct_paired_scores') }}
    where is_paired
    group by all
)

select *
from impact_indicator_results(
    table(
        {{ spark_relation_rows('answers', 'answers') }}
        union all
        {{ spark_relation_rows('pairs', 'pairs') }}
        union all
        {{ spark_relation_rows('response_rates', ref('fct_response_rates')) }}
        union all
        {{ spark_relation_rows('scales', ref('scales')) }}
        union all
        {{ spark_relation_rows('scale_measures', ref('scale_measures')) }}
        union all
        {{ spark_relation_rows('scale_labels', ref('scale_labels')) }}
    ) with single partition,
    {{ var('suppression_k', 5) | int }}
)
