{#- dbt-duckdb does not implement safe_cast, so dbt's default (a plain cast) would fail the
    whole build on one unreadable cell; the dispatch config in dbt_project.yml finds this. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#- PostgreSQL 15 has neither try_cast nor pg_input_is_valid (16+): a PL/pgSQL function with
    an exception handler (macros/engine_functions.sql) gives null for unreadable text, as
    try_cast does in DuckDB. The second argument only carries the target type. -#}
{% macro postgres__safe_cast(field, type) -%}
    impact_udf.try_cast(cast({{ field }} as text), cast(null as {{ type }}))
{%- endmacro %}

{#- Spark's cast raises on unreadable text under ANSI mode (Spark 4's default); try_cast
    gives null as DuckDB's does. -#}
{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
