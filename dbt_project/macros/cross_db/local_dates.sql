{#- Calendar days in the organisation's time zone (organisation.csv time_zone): a survey
    window is a range of local days, while Forms timestamps are UTC. -#}

{#- The local day of a UTC timestamp without time zone. -#}
{% macro utc_to_local_date(expression, zone) -%}
    {{ return(adapter.dispatch('utc_to_local_date', 'impact_warehouse')(expression, zone)) }}
{%- endmacro %}

{% macro default__utc_to_local_date(expression, zone) -%}
    {{ exceptions.raise_compiler_error(
        "utc_to_local_date is not implemented for adapter '" ~ adapter.type() ~ "': add "
        ~ adapter.type() ~ "__utc_to_local_date(expression, zone) in macros/cross_db/local_dates.sql"
    ) }}
{%- endmacro %}

{% macro duckdb__utc_to_local_date(expression, zone) -%}
    cast(timezone({{ zone }}, timezone('UTC', {{ expression }})) as date)
{%- endmacro %}

{% macro postgres__utc_to_local_date(expression, zone) -%}
    cast(({{ expression }} at time zone 'UTC') at time zone {{ zone }} as date)
{%- endmacro %}

{#- Today in the zone; var('as_of') (YYYY-MM-DD) replaces it, so a build can be judged as of
    another day (tests, a rebuild of a past state). -#}
{% macro local_today(zone) -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as date)
    {%- else -%}
        {{ utc_to_local_date(utc_now(), zone) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__utc_to_local_date(expression, zone) -%}
    to_date(from_utc_timestamp(cast({{ expression }} as timestamp_ntz), {{ zone }}))
{%- endmacro %}

{#- Now as a UTC timestamp without time zone. -#}
{% macro utc_now() -%}
    {{ return(adapter.dispatch('utc_now', 'impact_warehouse')()) }}
{%- endmacro %}

{% macro default__utc_now() -%}
    cast({{ dbt.current_timestamp() }} at time zone 'UTC' as timestamp)
{%- endmacro %}

{#- Spark has no "at time zone"; the session time zone is UTC (transform/spark_session.py). -#}
{% macro spark__utc_now() -%}
    to_utc_timestamp(current_timestamp(), current_timezone())
{%- endmacro %}
