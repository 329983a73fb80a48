{#- Every listed column's non-null values exist in their parent: dbt's `relationships` test
    for all the foreign-key columns of one model in one test node (a node costs dbt far more
    than the anti-join on this data: issue 19). Each entry is {column, to, field} with an
    optional `where` that limits the child rows checked (e.g. the pooled 'all' rows), as the
    `where` config of a single relationships test does. It fails with one row per column that
    has values missing from its parent, naming the column, the parent and the number of rows.
    Portable SQL (not exists): the same test runs on DuckDB, PostgreSQL and Spark. -#}
{% test relationships_columns(model, relationships) %}

{% for relationship in relationships %}
select
    '{{ relationship.column }}' as column_name,
    '{{ relationship.to }}.{{ relationship.field }}' as parent,
    count(*) as missing_rows
from {{ model }} as child
where child.{{ relationship.column }} is not null
    {%- if relationship.where %}
    and ({{ relationship.where }})
    {%- endif %}
    and not exists (
        select 1 from {{ relationship.to }} as parent
        where parent.{{ relationship.field }} = child.{{ relationship.column }}
    )
having count(*) > 0
{% if not loop.last %}union all{% endif %}
{% endfor %}

{% endtest %}
