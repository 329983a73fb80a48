{#- The fiscal-year rule in SQL, the twin of catalog/organisation.py fiscal_year_of (METRICS.md
    "Units"): a fiscal year starts on the 1st of the organisation's month (organisation.csv
    fiscal_year_start_month) and is named by the calendar year it starts in. Portable SQL
    (extract works on DuckDB, PostgreSQL and Spark). -#}
{% macro fiscal_year_of(date_expression, start_month_expression) -%}
    (
        extract(year from {{ date_expression }})
        - case
            when extract(month from {{ date_expression }}) < {{ start_month_expression }} then 1
            else 0
        end
    )
{%- endmacro %}
