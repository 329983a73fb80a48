-- Assert that the interval macros return null, not an error or a number, for an empty group.
with

empty_groups as (

    select
        {{ wilson_interval_lower(0, 0) }} as wilson_lower,
        {{ wilson_interval_upper(0, 0) }} as wilson_upper,
        {{ newcombe_difference_lower(3, 10, 0, 0) }} as newcombe_lower,
        {{ newcombe_difference_upper(0, 0, 3, 10) }} as newcombe_upper

),

final as (

    select * from empty_groups
    where wilson_lower is not null
        or wilson_upper is not null
        or newcombe_lower is not null
        or newcombe_upper is not null

)

select * from final
