{#-
    JSON access used by staging. Landing keeps payloads as the source sent them (a Google
    Forms FormResponse, a panel row's answers map), so staging reads into them with these.
    A new adapter implements the three <adapter>__ macros below.
-#}

{#- The text at a path of object keys, e.g. json_extract_text('payload', ['info', 'title']). -#}
{% macro json_extract_text(json_expression, path_keys) -%}
    {{ return(adapter.dispatch('json_extract_text', 'impact_warehouse')(json_expression, path_keys)) }}
{%- endmacro %}

{#-
    A join clause that unnests the JSON object (one row per key) or array (one row per
    element) found at a path of object keys into rows with columns <alias>.key (text; the
    index from 0 for arrays) and <alias>.value (JSON). outer=true keeps the left row, with
    nulls, when there is nothing to unnest.
-#}
{% macro json_entries_join(json_expression, alias, path_keys=[], outer=false) -%}
    {{ return(adapter.dispatch('json_entries_join', 'impact_warehouse')(json_expression, alias, path_keys, outer)) }}
{%- endmacro %}

{#- The text of a JSON scalar (a JSON string "7" becomes the text 7). -#}
{% macro json_scalar_text(json_expression) -%}
    {{ return(adapter.dispatch('json_scalar_text', 'impact_warehouse')(json_expression)) }}
{%- endmacro %}

{% macro default__json_extract_text(json_expression, path_keys) -%}
    {{ exceptions.raise_compiler_error(
        "json_extract_text is not implemented for adapter '" ~ adapter.type() ~ "': add "
        ~ adapter.type() ~ "__json_extract_text(json_expression, path_keys) in "
        ~ "macros/cross_db/json.sql returning the text at that path of object keys"
    ) }}
{%- endmacro %}

{% macro default__json_entries_join(json_expression, alias, path_keys, outer) -%}
    {{ exceptions.raise_compiler_error(
        "json_entries_join is not implemented for adapter '" ~ adapter.type() ~ "': add "
        ~ adapter.type() ~ "__json_entries_join(json_expression, alias, path_keys, outer) in "
        ~ "macros/cross_db/json.sql: a (left) lateral join yielding <alias>.key and <alias>.value"
    ) }}
{%- endmacro %}

{% macro default__json_scalar_text(json_expression) -%}
    {{ exceptions.raise_compiler_error(
        "json_scalar_text is not implemented for adapter '" ~ adapter.type() ~ "': add "
        ~ adapter.type() ~ "__json_scalar_text(json_expression) in macros/cross_db/json.sql "
        ~ "returning the text of a JSON scalar"
    ) }}
{%- endmacro %}

{#- JSONPath member names are quoted so keys with dots or spaces work. -#}
{% macro duckdb__json_extract_text(json_expression, path_keys) -%}
    json_extract_string({{ json_expression }}, '{{ _duckdb_json_path(path_keys) }}')
{%- endmacro %}

{#- Not json_each: converted to a MAP and unnested, the same rows come 2-3x faster (json_each
    was the slowest step of staging at 100×, issue 7 benchmark). Landed objects and arrays
    only: a bare scalar (json_each gives it one row with a null key) yields no row. -#}
{% macro duckdb__json_entries_join(json_expression, alias, path_keys, outer) -%}
    {%- set node = "json_extract(" ~ json_expression ~ ", '" ~ _duckdb_json_path(path_keys) ~ "')" -%}
    {%- set entries -%}
        lateral (
            select unnest(map_entries(case json_type({{ node }})
                when 'OBJECT' then json_transform({{ node }}, '"MAP(VARCHAR, JSON)"')
                when 'ARRAY' then map_from_entries(list_transform(
                    json_transform({{ node }}, '["JSON"]'),
                    lambda element, position: {'key': cast(position - 1 as varchar), 'value': element}
                ))
            end), recursive := true)
        )
    {%- endset -%}
    {%- if outer -%}
        left join {{ entries }} as {{ alias }} on true
    {%- else -%}
        cross join {{ entries }} as {{ alias }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__json_scalar_text(json_expression) -%}
    json_extract_string({{ json_expression }}, '$')
{%- endmacro %}

{% macro _duckdb_json_path(path_keys) -%}
    ${% for key in path_keys %}."{{ key }}"{% endfor %}
{%- endmacro %}

{#- PostgreSQL: landing JSON columns are jsonb (impact_warehouse.transform.postgres_landing). -#}
{% macro postgres__json_extract_text(json_expression, path_keys) -%}
    jsonb_extract_path_text({{ json_expression }}{% for key in path_keys %}, {{ dbt.string_literal(key) }}{% endfor %})
{%- endmacro %}

{#- jsonb_each yields an object's entries, jsonb_array_elements an array's (indexed from 0
    as DuckDB's json_each does); each gets null for the other kind, so one serves both. -#}
{% macro postgres__json_entries_join(json_expression, alias, path_keys, outer) -%}
    {%- set target -%}
        {%- if path_keys -%}
            jsonb_extract_path({{ json_expression }}{% for key in path_keys %}, {{ dbt.string_literal(key) }}{% endfor %})
        {%- else -%}
            ({{ json_expression }})
        {%- endif -%}
    {%- endset -%}
    {{ 'left join' if outer else 'cross join' }} lateral (
        select object_entry.key, object_entry.value
        from jsonb_each(case when jsonb_typeof({{ target }}) = 'object' then {{ target }} end)
            as object_entry
        union all
        select cast(array_entry.position - 1 as text), array_entry.value
        from jsonb_array_elements(case when jsonb_typeof({{ target }}) = 'array' then {{ target }} end)
            with ordinality as array_entry (value, position)
    ) as {{ alias }}{{ ' on true' if outer }}
{%- endmacro %}

{% macro postgres__json_scalar_text(json_expression) -%}
    ({{ json_expression }} #>> '{}')
{%- endmacro %}

{#- Spark: landing JSON columns are JSON text (string; spark__read_landing_source). Parsed as
    VARIANT here. The quoted member names of the path keep keys with dots working. -#}
{% macro spark__json_extract_text(json_expression, path_keys) -%}
    try_variant_get(try_parse_json({{ json_expression }}), '{{ _spark_json_path(path_keys) }}', 'string')
{%- endmacro %}

{#- variant_explode yields an object's entries (key) or an array's elements (pos, from 0),
    and no row for a scalar; the _outer form one row of nulls when there is nothing. The
    value goes on as JSON text, as DuckDB's json values do. -#}
{% macro spark__json_entries_join(json_expression, alias, path_keys, outer) -%}
    {%- set node -%}
        {%- if path_keys -%}
            try_variant_get(try_parse_json({{ json_expression }}), '{{ _spark_json_path(path_keys) }}')
        {%- else -%}
            try_parse_json({{ json_expression }})
        {%- endif -%}
    {%- endset -%}
    {%- set exploded = alias ~ '_exploded' -%}
    cross join lateral (
        select
            coalesce({{ exploded }}.key, cast({{ exploded }}.pos as string)) as key,
            to_json({{ exploded }}.value) as value
        from {{ 'variant_explode_outer' if outer else 'variant_explode' }}({{ node }}) as {{ exploded }}
    ) as {{ alias }}
{%- endmacro %}

{% macro spark__json_scalar_text(json_expression) -%}
    try_variant_get(try_parse_json({{ json_expression }}), '$', 'string')
{%- endmacro %}

{% macro _spark_json_path(path_keys) -%}
    ${% for key in path_keys %}["{{ key }}"]{% endfor %}
{%- endmacro %}
