{#- Column comments on DuckDB, written from the columns persist_docs hands over. dbt's
    persist_docs (default__persist_docs) has already looked up the relation's columns and kept
    only the documented ones it has (warning about the others); dbt-duckdb's version of this
    macro looks them up a second time, one more statement per model and seed for dbt to render
    and log (issue 19). The comment is escaped by dbt-duckdb's own macro. -#}
{% macro duckdb__alter_column_comment(relation, column_dict) %}
  {% for column_name in column_dict %}
    {% set column = column_dict[column_name] %}
    comment on column {{ relation }}.{{ adapter.quote(column_name) if column['quote'] else column_name }} is {{ duckdb_escape_comment(column['description']) }};
  {% endfor %}
{% endmacro %}
