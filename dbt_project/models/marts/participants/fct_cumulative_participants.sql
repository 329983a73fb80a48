{#- METRICS.md: participations (延べ) and distinct people. Cumulative people count each
    person once, in her first fiscal year, never as a sum of yearly distinct counts. -#}
with

participation as (

    select * from {{ ref('fct_participation') }}

),

programs as (

    select * from {{ ref('dim_programs') }}

),

year_offsets as (

    {#- Enough for a century of fiscal years; only the years between the first and the
        last participation are kept. -#}
    {{ dbt.generate_series(100) }}

),

participation_scoped as (

    select
        participant_key,
        fiscal_year,
        program_code

    from participation

    union all

    select
        participant_key,
        fiscal_year,
        'all' as program_code

    from participation

),

year_bounds as (

    select
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as last_fiscal_year

    from participation

),

fiscal_years as (

    select year_bounds.first_fiscal_year + year_offsets.generated_number - 1 as fiscal_year

    from year_bounds

    cross join year_offsets

    where year_bounds.first_fiscal_year + year_offsets.generated_number - 1
        <= year_bounds.last_fiscal_year

),

scopes as (

    select program_code from programs

    union all

    select 'all' as program_code

),

yearly_counts as (

    select
        program_code,
        fiscal_year,
        count(*) as participations,
        count(distinct participant_key) as participants

    from participation_scoped

    group by program_code, fiscal_year

),

first_years as (

    select
        program_code,
        participant_key,
        min(fiscal_year) as first_fiscal_year

    from participation_scoped

    group by program_code, participant_key

),

newcomer_counts as (

    select
        program_code,
        first_fiscal_year as fiscal_year,
        count(*) as new_participants

    from first_years

    group by program_code, first_fiscal_year

),

scope_years as (

    select
        fiscal_years.fiscal_year,
        scopes.program_code,
        coalesce(yearly_counts.participations, 0) as participations,
        coalesce(yearly_counts.participants, 0) as participants,
        coalesce(newcomer_counts.new_participants, 0) as new_participants

    from fiscal_years

    cross join scopes

    left join yearly_counts
        on fiscal_years.fiscal_year = yearly_counts.fiscal_year
        and scopes.program_code = yearly_counts.program_code

    left join newcomer_counts
        on fiscal_years.fiscal_year = newcomer_counts.fiscal_year
        and scopes.program_code = newcomer_counts.program_code

),

final as (

    select
        {{ dbt.concat([dbt.cast('fiscal_year', dbt.type_string()), "'|'", 'program_code']) }}
            as cumulative_participants_key,
        fiscal_year,
        program_code,
        participations,
        participants,
        new_participants,
        participants - new_participants as returning_participants,
        cast(sum(participations) over (
            partition by program_code
            order by fiscal_year
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as cumulative_participations,
        cast(sum(new_participants) over (
            partition by program_code
            order by fiscal_year
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as cumulative_participants

    from scope_years

)

select * from final
