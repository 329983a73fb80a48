{#- dbt's default generate_series sums powers of two, which are doubles on Spark (so a fiscal
    year built from it reads 2022.0); Spark's range() gives bigints 1..upper_bound. -#}
{% macro spark__generate_series(upper_bound) -%}
    select id + 1 as generated_number from range({{ upper_bound }})
{%- endmacro %}
