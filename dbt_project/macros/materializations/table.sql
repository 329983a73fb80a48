{#- The table materialization on DuckDB, lean: every model of this project is a table rebuilt
    on every build, in a DuckDB file only the build writes. dbt-duckdb's own materialization
    builds each model under a temporary name, looks for foreign keys and indexes that could
    block a rename, renames the old table away and the new one in, then drops the old one after
    the commit: about 14 statements for a model with a contract, against about 10 here, and
    each is a round of dbt's Jinja and events that costs more than most of these models'
    queries (issue 19).
    Here a SQL model drops its previous table and creates the new one in one transaction: DDL is
    transactional in DuckDB, so a model that fails leaves its previous table as it was, as the
    rename did. A Python model's code runs on a cursor of its own that commits by itself, so it
    writes a temporary table first, which the transaction then renames into place.

    What it leaves out, because no model here uses it: foreign-key constraints, indexes,
    grants and DuckLake's partitioning; a model that configures one fails with a message
    rather than being built without it. Contracts are enforced by create_table_as, as in
    dbt-duckdb. Other engines (PostgreSQL, Spark) keep their adapter's materialization. -#}
{% materialization table, adapter="duckdb", supported_languages=["sql", "python"] %}

  {%- set language = model["language"] -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type="table") -%}
  {%- do lean_table_refuses_unsupported_config(model) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}

  {%- if language == "python" -%}
    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
    {%- call statement("main", language=language) -%}
      {{- create_table_as(False, intermediate_relation, compiled_code, language) }}
    {%- endcall -%}
  {%- endif -%}

  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- if existing_relation is not none -%}
    {%- call statement("drop_previous") -%}
      drop {{ existing_relation.type }} if exists {{ existing_relation }}
    {%- endcall -%}
    {#- The statement is this transaction's (adapter.drop_relation would commit it at once);
        dbt's relation cache is told here, as drop_relation would. -#}
    {%- do adapter.cache_dropped(existing_relation) -%}
  {%- endif -%}

  {%- if language == "python" -%}
    {{ adapter.rename_relation(intermediate_relation, target_relation) }}
  {%- else -%}
    {%- call statement("main", language=language) -%}
      {{- create_table_as(False, target_relation, compiled_code, language) }}
    {%- endcall -%}
  {%- endif -%}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {%- do persist_docs(target_relation, model) -%}

  -- `COMMIT` happens here
  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({"relations": [target_relation]}) }}

{% endmaterialization %}


{% macro lean_table_refuses_unsupported_config(model) %}
  {%- set unsupported = [] -%}
  {%- for option in ["grants", "indexes", "partitioned_by", "sorted_by"] if config.get(option) -%}
    {%- do unsupported.append(option) -%}
  {%- endfor -%}
  {%- for constraint in model.get("constraints", []) if constraint.type == "foreign_key" -%}
    {%- do unsupported.append("foreign_key constraint") -%}
  {%- endfor -%}
  {%- for column in model.get("columns", {}).values() -%}
    {%- for constraint in column.get("constraints", []) if constraint.type == "foreign_key" -%}
      {%- do unsupported.append("foreign_key constraint on " ~ column.name) -%}
    {%- endfor -%}
  {%- endfor -%}
  {%- if unsupported -%}
    {%- do exceptions.raise_compiler_error(
        model.name ~ " configures " ~ (unsupported | join(", "))
        ~ ", which the project's table materialization (macros/materializations/table.sql)"
        ~ " does not build: check relationships with a data test instead, or extend it."
    ) -%}
  {%- endif -%}
{% endmacro %}
