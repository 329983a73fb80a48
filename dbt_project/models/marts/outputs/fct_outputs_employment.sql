{#- Indicator ②, the report's 就業状況内訳: every status in every year and group, with 0
    when nobody had it, as the report prints その他 0名. -#}
with

participation as (

    select * from {{ ref('fct_participation') }}

),

programs as (

    select * from {{ ref('dim_programs') }}

),

employment_statuses as (

    select * from {{ ref('employment_statuses') }}

),

participation_grouped as (

    select fiscal_year, program_group_code, employment_status_code
    from participation

    union all

    select fiscal_year, 'all' as program_group_code, employment_status_code
    from participation

),

status_counts as (

    select
        fiscal_year,
        program_group_code,
        employment_status_code,
        count(*) as participations

    from participation_grouped

    group by fiscal_year, program_group_code, employment_status_code

),

group_totals as (

    select
        fiscal_year,
        program_group_code,
        count(*) as group_participations

    from participation_grouped

    group by fiscal_year, program_group_code

),

fiscal_years as (

    select distinct fiscal_year from participation

),

program_groups as (

    select distinct program_group_code from programs

    union all

    select 'all' as program_group_code

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('fiscal_years.fiscal_year', dbt.type_string()), "'|'",
            'employment_statuses.employment_status_code', "'|'",
            'program_groups.program_group_code'
        ]) }} as outputs_employment_key,
        fiscal_years.fiscal_year,
        employment_statuses.employment_status_code,
        employment_statuses.employment_status_ja,
        employment_statuses.display_order,
        program_groups.program_group_code,
        coalesce(status_counts.participations, 0) as participations,
        coalesce(group_totals.group_participations, 0) as group_participations,
        cast(coalesce(status_counts.participations, 0) as {{ type_double() }})
            / nullif(group_totals.group_participations, 0) as share_of_group

    from fiscal_years

    cross join employment_statuses

    cross join program_groups

    left join status_counts
        on fiscal_years.fiscal_year = status_counts.fiscal_year
        and employment_statuses.employment_status_code = status_counts.employment_status_code
        and program_groups.program_group_code = status_counts.program_group_code

    left join group_totals
        on fiscal_years.fiscal_year = group_totals.fiscal_year
        and program_groups.program_group_code = group_totals.program_group_code

)

select * from final
