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
    {%- set identifier = source_name ~ '__' ~ table_name -%}
    {#- Asked of the database, not dbt's relation cache: dbt does not manage the landing
        schema, and threads filling the cache for it at once could miss a table (seen under
        load: one staging model of twelve failed with this error). -#}
    {%- set found = run_query(
        "select count(*) from information_schema.tables where table_schema = 'landing' "
        ~ "and table_name = " ~ dbt.string_literal(identifier)
    ) -%}
    {%- set relation = api.Relation.create(
        database=target.database, schema='landing', identifier=identifier
    ) if found.columns[0].values()[0] > 0 else none -%}
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

{#- Spark reads the part files where they landed: each line of the text files parsed with
    from_json and the declared columns (json columns stay JSON text, as strings; a key that
    is missing or cannot be read as its type is null). Spark fails on a path that matches no
    file, so the glob is read together with one empty part file (Hadoop's /{a,b} alternation
    of absolute paths; impact_warehouse.transform.spark_session creates the file and names it
    in IMPACT_SPARK_EMPTY_PART): a source with nothing landed yet gives an empty relation. -#}
{% macro spark__read_landing_source(source_name, table_name) -%}
    {%- set source_relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return(source_relation) }}
    {%- endif -%}
    {%- set landing = landing_source_contract(source_name, table_name) -%}
    {%- set empty_part = env_var('IMPACT_SPARK_EMPTY_PART', '') -%}
    {%- if not empty_part -%}
        {{ exceptions.raise_compiler_error(
            "IMPACT_SPARK_EMPTY_PART is not set: run dbt on Spark through "
            ~ "impact_warehouse.transform.spark_build, whose session (spark_session.get_session) "
            ~ "creates the empty part file read beside each landing glob"
        ) }}
    {%- endif -%}
    {%- if not (landing.location.startswith('/') and empty_part.startswith('/')) -%}
        {{ exceptions.raise_compiler_error(
            "Spark reads the landing glob " ~ landing.location ~ " with " ~ empty_part
            ~ " as /{a,b}: both must be absolute paths (IMPACT_LANDING_DIR, IMPACT_SPARK_EMPTY_PART)"
        ) }}
    {%- endif -%}
    {#- The two paths become one Hadoop glob "/{a,b}" inside a backquoted name: a comma or a
        brace would split or end the alternation, a backquote the name. -#}
    {%- for path in [landing.location, empty_part] -%}
        {%- for character in [',', '{', '}', '`'] -%}
            {%- if character in path -%}
                {{ exceptions.raise_compiler_error(
                    "Spark cannot read the landing path " ~ path ~ ": it contains " ~ character
                    ~ " (move the landing folder, IMPACT_LANDING_DIR, or the work folder to a"
                    ~ " path without , { } or `)"
                ) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set spark_types = {'varchar': 'string', 'json': 'string', 'integer': 'int'} -%}
    {%- set schema -%}
        {%- for column in landing.columns -%}
            `{{ column.name }}` {{ spark_types.get(column.data_type | lower, column.data_type) }}{{ ", " if not loop.last }}
        {%- endfor -%}
    {%- endset -%}
    (
        select
            {%- for column in landing.columns %}
            parsed.landed.`{{ column.name }}` as `{{ column.name }}`{{ "," if not loop.last }}
            {%- endfor %}
        from (
            select from_json(value, {{ dbt.string_literal(schema) }}) as landed
            from text.`/{{ '{' ~ landing.location[1:] ~ ',' ~ empty_part[1:] ~ '}' }}`
            where trim(value) <> ''
        ) as parsed
    )
{%- endmacro %}
