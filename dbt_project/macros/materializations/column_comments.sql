{#- Table and column comments on DuckDB (persist_docs), written in one statement per relation.
    dbt's default__persist_docs sends the table's comment and its columns' comments as two
    statements and looks the relation's columns up first; each statement is a round of dbt's
    Jinja and events that costs more than the comments (issue 19). A model whose contract is
    enforced was just created with exactly its documented columns (dbt checks the contract as
    it creates the table), so its columns are not looked up; any other relation (seeds, models
    without a contract) keeps only the documented columns it has, warning about the others, as
    dbt does. Comments are escaped by dbt-duckdb's own macros. -#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
  {%- set statements = [] -%}
  {%- if for_relation and config.persist_relation_docs() and model.description -%}
    {%- do statements.append(alter_relation_comment(relation, model.description)) -%}
  {%- endif -%}
  {%- if for_columns and config.persist_column_docs() and model.columns -%}
    {%- if model.get("contract", {}).get("enforced") -%}
      {%- set documented = model.columns -%}
    {%- else -%}
      {%- set existing_columns = adapter.get_columns_in_relation(relation) | map(attribute="name") | list -%}
      {%- set documented = validate_doc_columns(relation, model.columns, existing_columns) -%}
    {%- endif -%}
    {%- do statements.append(alter_column_comment(relation, documented)) -%}
  {%- endif -%}
  {%- set sql = statements | join("\n") -%}
  {%- if sql | trim | length > 0 -%}
    {%- do run_query(sql) -%}
  {%- endif -%}
{%- endmacro %}

{#- Column comments from the columns persist_docs hands over (already checked against the
    relation above); dbt-duckdb's version of this macro looks them up once more. -#}
{% macro duckdb__alter_column_comment(relation, column_dict) %}
  {% for column_name in column_dict %}
    {% set column = column_dict[column_name] %}
    comment on column {{ relation }}.{{ adapter.quote(column_name) if column['quote'] else column_name }} is {{ duckdb_escape_comment(column['description']) }};
  {% endfor %}
{% endmacro %}
