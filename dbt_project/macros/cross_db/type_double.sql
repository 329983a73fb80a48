{#- A double-precision float. type_double() is "float", which is double precision on
    most warehouses but a 4-byte REAL on DuckDB, too coarse for shares and intervals. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'impact_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    {{ return(dbt.type_float()) }}
{%- endmacro %}

{% macro duckdb__type_double() -%}
    {{ return('double') }}
{%- endmacro %}

{% macro postgres__type_double() -%}
    {{ return('double precision') }}
{%- endmacro %}

{% macro spark__type_double() -%}
    {{ return('double') }}
{%- endmacro %}
