{#- dbt-spark's dateadd goes through unix seconds and to_timestamp, which depends on the
    session's timestamp type; Spark's own timestampadd adds calendar units directly. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, cast({{ interval }} as bigint), {{ from_date_or_timestamp }})
{%- endmacro %}
