-- Assert that newcombe_difference_lower/upper reproduce statsmodels
-- confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff") to 1e-12.
with

reference_intervals as (

    select 20 as x1, 32 as n1, 100 as x2, 309 as n2,
        cast(0.12064628683394618 as {{ type_double() }}) as expected_lower,
        cast(0.4552897027854239 as {{ type_double() }}) as expected_upper
    union all select 0, 5, 3, 9, -0.6457978644196039, 0.15044075476358076
    union all select 32, 32, 0, 309, 0.8921196934299214, 1.0
    union all select 15, 32, 12, 25, -0.25588943244754897, 0.2338920840611069

),

computed as (

    select
        reference_intervals.*,
        {{ newcombe_difference_lower('x1', 'n1', 'x2', 'n2') }} as computed_lower,
        {{ newcombe_difference_upper('x1', 'n1', 'x2', 'n2') }} as computed_upper

    from reference_intervals

),

final as (

    select * from computed
    where not (
        abs(computed_lower - expected_lower) < 1e-12
        and abs(computed_upper - expected_upper) < 1e-12
    )

)

select * from final
