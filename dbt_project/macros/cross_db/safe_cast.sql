{#- dbt-duckdb does not implement safe_cast, so dbt's default (a plain cast) would fail the
    whole build on one unreadable cell; the dispatch config in dbt_project.yml finds this. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
