{#- An RFC 3339 string ("2025-10-03T12:34:56.123Z", "…+09:00") as a UTC timestamp without
    time zone; null when it cannot be read. -#}
{% macro parse_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'impact_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(expression) -%}
    {{ exceptions.raise_compiler_error(
        "parse_utc_timestamp is not implemented for adapter '" ~ adapter.type() ~ "': add "
        ~ adapter.type() ~ "__parse_utc_timestamp(expression) in macros/cross_db/timestamps.sql "
        ~ "returning the RFC 3339 string as a UTC timestamp without time zone, or null"
    ) }}
{%- endmacro %}

{#- A plain cast to timestamp in DuckDB drops the offset instead of applying it. -#}
{% macro duckdb__parse_utc_timestamp(expression) -%}
    timezone('UTC', try_cast({{ expression }} as timestamptz))
{%- endmacro %}

{#- PostgreSQL has no try_cast; impact_udf.try_cast (create_engine_functions) returns null
    for unreadable text. -#}
{% macro postgres__parse_utc_timestamp(expression) -%}
    ({{ dbt.safe_cast(expression, 'timestamptz') }} at time zone 'UTC')
{%- endmacro %}

{#- Read with its offset as an instant, then the UTC wall-clock time (the session time zone
    is UTC: impact_warehouse.transform.spark_session); `timestamp` there is TIMESTAMP_NTZ. -#}
{% macro spark__parse_utc_timestamp(expression) -%}
    cast(try_cast({{ expression }} as timestamp_ltz) as timestamp_ntz)
{%- endmacro %}
