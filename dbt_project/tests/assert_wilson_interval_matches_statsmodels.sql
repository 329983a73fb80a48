-- Assert that wilson_interval_lower/upper reproduce statsmodels
-- proportion_confint(successes, n, method="wilson") (alpha 0.05) to 1e-12.
with

reference_intervals as (

    select 0 as successes, 10 as n, cast(0.0 as {{ type_double() }}) as expected_lower,
        cast(0.27753279986288926 as {{ type_double() }}) as expected_upper
    union all select 3, 10, 0.10779126740630104, 0.6032218525388546
    union all select 10, 10, 0.7224672001371106, 1.0
    union all select 23, 45, 0.3700446464458318, 0.650429762471215
    union all select 31, 41, 0.6065666377742431, 0.8617499726190967
    union all select 27, 48, 0.4227501741982777, 0.6929873095934576
    union all select 1, 1, 0.2065493143772374, 1.0

),

computed as (

    select
        reference_intervals.*,
        {{ wilson_interval_lower('successes', 'n') }} as computed_lower,
        {{ wilson_interval_upper('successes', 'n') }} as computed_upper

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
