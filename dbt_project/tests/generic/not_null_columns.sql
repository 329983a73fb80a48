{#- Every listed column must not be null: one test node and one scan of the model for all
    the non-key columns of a model that must be filled (the key keeps dbt's own `unique` and
    `not_null`, the project standard). It fails with one row per column that has nulls, so a
    failure names the column and counts its null rows, as a separate `not_null` test would.
    Portable SQL (no unpivot): the same test runs on DuckDB and PostgreSQL. The published
    fct_/rpt_ tables enforce their not_null columns and key as contract constraints on DuckDB,
    so there these tests are disabled (anchor where_no_constraints in their YAML). -#}
{% test not_null_columns(model, column_names) %}

with null_counts as (
    select
    {%- for column in column_names %}
        sum(case when {{ column }} is null then 1 else 0 end) as null_rows_{{ loop.index }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
    from {{ model }}
)
{% for column in column_names %}
select '{{ column }}' as column_name, null_rows_{{ loop.index }} as null_rows
from null_counts
where null_rows_{{ loop.index }} > 0
{% if not loop.last %}union all{% endif %}
{% endfor %}

{% endtest %}
