{#- Every listed column holds only its accepted values (nulls pass, as in dbt's
    `accepted_values`): the accepted_values tests of one model in one test node (issue 19:
    a node costs dbt far more than the scan). Each entry is {column, values} with an optional
    `quote: false` for numbers. It fails with one row per column and unexpected value, naming
    both and counting the rows. Portable SQL: DuckDB, PostgreSQL and Spark. -#}
{% test accepted_values_columns(model, columns) %}

{% for column in columns %}
{%- if not column['values'] -%}
    {%- do exceptions.raise_compiler_error(
        "accepted values of " ~ column.column ~ " on " ~ model ~ ": the list is empty"
    ) -%}
{%- endif %}
select
    '{{ column.column }}' as column_name,
    cast({{ column.column }} as {{ dbt.type_string() }}) as unexpected_value,
    count(*) as rows_with_value
from {{ model }}
where {{ column.column }} not in (
    {%- for value in column['values'] -%}
        {#- A quote inside a value is doubled: pasted as it is, it would end the literal and
            turn the rest of the value into other accepted values. -#}
        {%- if column.get('quote', true) %}'{{ value | replace("'", "''") }}'{% else %}{{ value }}{% endif -%}
        {%- if not loop.last %}, {% endif -%}
    {%- endfor -%}
)
group by {{ column.column }}
{% if not loop.last %}union all{% endif %}
{% endfor %}

{% endtest %}
