{#-
    One input relation of a Spark statistics table function (marts/spark/,
    transform/spark_functions.py), as rows of its TABLE argument: (relation, row) with the
    relation's name and each row as JSON, null columns kept. The rows stream through the
    executors to the function, never through the driver. An empty relation still sends one
    row, every column null and is_present_row null, so the function knows its columns.
    The twins union one of these per input: table(... union all ...) with single partition.
-#}
{% macro spark_relation_rows(name, relation) -%}
    select
        '{{ name }}' as relation,
        to_json(struct(present.*), map('ignoreNullFields', 'false')) as row
    from (select 1) as one
    left join (select *, true as is_present_row from {{ relation }}) as present on true
{%- endmacro %}
