{#- A model's column rules in one test node: its keys (unique), its required columns
    (not_null_columns), its foreign keys (relationships_columns), its lists of accepted values
    (accepted_values_columns) and the conditions every row must meet (expressions), each checked
    as its own test checks it. A test node costs dbt far more than these scans on this data
    (issue 19: about 25 ms of dbt's Python per node, against a millisecond of DuckDB), so one
    node per model instead of one per kind of rule. A key's not-null rule is listed first in
    not_null. A published model's key also keeps its `unique` test, disabled on DuckDB and run
    on the other engines: dbt records the table's key in the manifest from it, for the analysts'
    loader (access/release_tables.py). A contract's primary key, which DuckDB enforces as it
    writes the table, is not listed here. In `unique`, a column name is checked as dbt's `unique` test checks it (nulls left out), a
    list of columns as unique_combination_of_columns checks it (every combination, nulls
    included). A rule with a configuration of its own (a severity, a `where`) keeps its own
    test, since that applies to a whole node; a relationship's `where` goes into its entry,
    which limits the child rows checked as the config did.

    A relationship whose parent is not upstream of the model stays in a relationships_columns
    test of its own: `dbt build` holds a model back for a failed test only if the model is built
    from every node the test reads, so such a parent in here would let the model's other rules
    fail without stopping what is built from it (tests/transform/test_dbt_foundation.py checks).

    It fails with one row per broken rule: the rule, the column (or the expression), what was
    missing or unexpected, and how many rows (for a key: how many values occurring more than
    once) break it. Portable SQL: DuckDB, PostgreSQL, Spark. -#}
{% test column_rules(model, unique=none, not_null=none, relationships=none, accepted_values=none, expressions=none) %}
{%- set string = dbt.type_string() -%}
{%- for name, rules in {"unique": unique, "not_null": not_null, "relationships": relationships,
        "accepted_values": accepted_values, "expressions": expressions}.items()
        if rules is string -%}
    {#- A string would be read one character at a time: each rule set is a list. -#}
    {%- do exceptions.raise_compiler_error(
        "column_rules on " ~ model ~ ": " ~ name ~ " must be a list, not the string '" ~ rules ~ "'"
    ) -%}
{%- endfor -%}
{%- set checks = [] -%}
{%- for key in unique or [] -%}
    {%- set columns = [key] if key is string else key -%}
    {%- if not columns -%}
        {%- do exceptions.raise_compiler_error(
            "column_rules on " ~ model ~ ": an empty list of columns in unique"
        ) -%}
    {%- endif -%}
    {%- set grouped = columns | join(", ") -%}
    {%- do checks.append(
        "select 'unique' as rule, '" ~ grouped ~ "' as subject, cast(null as " ~ string
        ~ ") as detail, count(*) as failing_rows from (select " ~ grouped ~ " from " ~ model
        ~ (" where " ~ key ~ " is not null" if key is string else "")
        ~ " group by " ~ grouped ~ " having count(*) > 1) as duplicate_keys having count(*) > 0"
    ) -%}
{%- endfor -%}
{%- if not_null -%}
    {%- do checks.append(
        "select 'not_null' as rule, column_name as subject, cast(null as " ~ string ~ ") as detail,"
        ~ " null_rows as failing_rows from (" ~ test_not_null_columns(model, not_null)
        ~ ") as not_null_failures"
    ) -%}
{%- endif -%}
{%- if relationships -%}
    {%- do checks.append(
        "select 'relationships' as rule, column_name as subject, parent as detail,"
        ~ " missing_rows as failing_rows from (" ~ test_relationships_columns(model, relationships)
        ~ ") as relationship_failures"
    ) -%}
{%- endif -%}
{%- if accepted_values -%}
    {%- do checks.append(
        "select 'accepted_values' as rule, column_name as subject, unexpected_value as detail,"
        ~ " rows_with_value as failing_rows from ("
        ~ test_accepted_values_columns(model, accepted_values) ~ ") as accepted_value_failures"
    ) -%}
{%- endif -%}
{%- for expression in expressions or [] -%}
    {%- do checks.append(
        "select 'expression_is_true' as rule, '" ~ (expression | replace("'", "''"))
        ~ "' as subject, cast(null as " ~ string ~ ") as detail, count(*) as failing_rows from ("
        ~ test_expression_is_true(model, expression) ~ ") as expression_failures"
        ~ " having count(*) > 0"
    ) -%}
{%- endfor -%}
{%- if not checks -%}
    {%- do exceptions.raise_compiler_error(
        "column_rules on " ~ model ~ " lists no rule: give it unique, not_null, relationships,"
        ~ " accepted_values or expressions"
    ) -%}
{%- endif -%}
{{ checks | join("\nunion all\n") }}
{% endtest %}
