{#- Fails for every combination of the given columns that occurs more than once. -#}
{% test unique_combination_of_columns(model, combination) %}

with

grouped as (

    select
        {{ combination | join(', ') }},
        count(*) as occurrences

    from {{ model }}
    group by {{ combination | join(', ') }}

),

final as (

    select * from grouped where occurrences > 1

)

select * from final

{% endtest %}
