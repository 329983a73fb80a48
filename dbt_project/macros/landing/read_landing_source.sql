{#-
    The rows of a landing source, typed by the columns declared for it in its
    _<source>__sources.yml (every column needs a data_type).

    Landing folders appear only when a source first delivers (no panel file yet, no
    quarantine yet), and DuckDB's read_json fails on a glob that matches no file. So this
    macro asks the database, at execution time, whether the source's glob matches any part
    file: if it does, it reads them with the declared schema; if not, it returns an empty
    relation with the same columns and types, and everything downstream still builds.
    Staging models are tables, so each build freezes what it read.
-#}
{% macro read_landing_source(source_name, table_name) -%}
    {{ return(adapter.dispatch('read_landing_source', 'impact_warehouse')(source_name, table_name)) }}
{%- endmacro %}

{% macro default__read_landing_source(source_name, table_name) -%}
    {{ exceptions.raise_compiler_error(
        "read_landing_source is not implemented for adapter '" ~ adapter.type() ~ "': add "
        ~ adapter.type() ~ "__read_landing_source(source_name, table_name) in "
        ~ "macros/landing/read_landing_source.sql returning a relation over the JSON-lines "
        ~ "part files at the source's meta.external_location with its declared column types "
        ~ "(and an empty relation of those columns when no file matches), or load landing "
        ~ "into tables first and point the sources at them"
    ) }}
{%- endmacro %}

{% macro duckdb__read_landing_source(source_name, table_name) -%}
    {#- Calling source() registers the lineage edge whether or not we read through it. -#}
    {%- set source_relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return(source_relation) }}
    {%- endif -%}
    {%- set landing = landing_source_contract(source_name, table_name) -%}
    {%- set glob_literal = dbt.string_literal(landing.location) -%}
    {%- set matched = run_query('select count(*) from glob(' ~ glob_literal ~ ')') -%}
    {%- if matched.columns[0].values()[0] == 0 -%}
        (
            select
                {%- for column in landing.columns %}
                cast(null as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
                {%- endfor %}
            where 1 = 0
        )
    {%- else -%}
        read_json(
            {{ glob_literal }},
            format = 'newline_delimited',
            hive_partitioning = false,
            columns = {
                {%- for column in landing.columns %}
                '{{ column.name }}': '{{ column.data_type }}'{{ "," if not loop.last }}
                {%- endfor %}
            }
        )
    {%- endif -%}
{%- endmacro %}

{#- PostgreSQL cannot read the landing files: impact_warehouse.transform.postgres_landing
    copies each source into landing.<source>__<table> (declared columns, json as jsonb, an
    empty table when nothing has landed) before the build, and this selects from it. -#}
{% macro postgres__read_landing_source(source_name, table_name) -%}
    {%- set source_relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return(source_relation) }}
    {%- endif -%}
    {#- Same declaration checks as DuckDB; the loader reads the same declarations. -#}
    {%- do landing_source_contract(source_name, table_name) -%}
    {%- set relation = adapter.get_relation(
        database=target.database, schema='landing', identifier=source_name ~ '__' ~ table_name
    ) -%}
    {%- if relation is none -%}
        {{ exceptions.raise_compiler_error(
            "landing." ~ source_name ~ "__" ~ table_name ~ " does not exist in the PostgreSQL "
            ~ "database: load the landing zone first (python -m "
            ~ "impact_warehouse.transform.postgres_landing, or postgres_build which also runs dbt)"
        ) }}
    {%- endif -%}
    {#- The loader created exactly the declared columns and types. -#}
    {{ relation }}
{%- endmacro %}

{#- The glob and declared columns of a landing source, with errors that say what to fix. -#}
{% macro landing_source_contract(source_name, table_name) -%}
    {%- set matches = graph.sources.values()
        | selectattr('source_name', 'equalto', source_name)
        | selectattr('name', 'equalto', table_name)
        | list -%}
    {%- if matches | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            "no source " ~ source_name ~ "." ~ table_name ~ " in models/staging/*/_*__sources.yml"
        ) }}
    {%- endif -%}
    {%- set node = matches[0] -%}
    {%- set location = node.meta.get('external_location') or node.config.get('meta', {}).get('external_location') -%}
    {%- if not location -%}
        {{ exceptions.raise_compiler_error(
            "source " ~ source_name ~ "." ~ table_name ~ " has no meta.external_location "
            ~ "(the landing glob) in its _" ~ source_name ~ "__sources.yml"
        ) }}
    {%- endif -%}
    {%- set columns = node.columns.values() | list -%}
    {%- for column in columns if not column.data_type -%}
        {{ exceptions.raise_compiler_error(
            "column " ~ column.name ~ " of source " ~ source_name ~ "." ~ table_name
            ~ " has no data_type in _" ~ source_name ~ "__sources.yml; landing sources are "
            ~ "read with an explicit schema so types do not depend on the data"
        ) }}
    {%- endfor -%}
    {%- if columns | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "source " ~ source_name ~ "." ~ table_name ~ " declares no columns in _"
            ~ source_name ~ "__sources.yml"
        ) }}
    {%- endif -%}
    {{ return({'location': location, 'columns': columns}) }}
{%- endmacro %}
